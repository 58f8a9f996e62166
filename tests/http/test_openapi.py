"""The OpenAPI document is the truth: what it allows is accepted, what it forbids is refused, and
every answer has the documented shape. Checked by hand here and by schemathesis (test_fuzz.py)."""

from __future__ import annotations

import jsonschema_rs
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OPERATIONS = [
    ("get", "/api/search"),
    ("post", "/api/ask"),
    ("post", "/api/classify"),
    ("post", "/api/sessions"),
    ("post", "/api/sessions/{session_id}/messages"),
    ("get", "/api/sessions/{session_id}"),
    ("get", "/api/sessions/{session_id}/scorecard"),
    ("get", "/api/passages/{passage_id}"),
    ("get", "/api/scenarios"),
    ("post", "/api/scenarios"),
    ("post", "/api/plans"),
    ("get", "/api/plans/{plan_id}"),
    ("post", "/api/plans/{plan_id}/rehearsal"),
]


@pytest.fixture(scope="module")
def document(client):
    return client.get("/openapi.json").json()


def _validator(document: dict, ref: str):
    return jsonschema_rs.validator_for({"$ref": ref, "components": document["components"]})


def _error_schema(document: dict, operation: dict, status: int) -> str:
    responses = operation["responses"]
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    assert declared is not None, f"{status} is not documented"
    return declared["content"]["application/json"]["schema"]["$ref"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_documents_the_real_error_body(document, method, path):
    operation = document["paths"][path][method]
    for status in (404, 413, 422, 503):
        assert _error_schema(document, operation, status) == "#/components/schemas/ErrorBody"
    assert "HTTPValidationError" not in document["components"]["schemas"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/sessions/0", {}, 404),
        ("get", "/api/passages/nope", {}, 404),
        ("post", "/api/ask", {"json": {"question": ""}}, 422),
        ("post", "/api/ask", {"json": {"question": "   "}}, 422),
        ("post", "/api/classify", {"json": {"text": "hi"}}, 422),
        ("get", "/api/search", {"params": {"q": "x", "k": 0}}, 422),
        ("post", "/api/sessions", {"json": {"mode": "drill", "framework": None}}, 422),
        ("post", "/api/ask", {"content": b'{"question": "' + b"x" * 70_000 + b'"}'}, 413),
    ],
)
def test_error_answers_match_the_documented_body(client, document, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    _validator(document, "#/components/schemas/ErrorBody").validate(response.json())
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "drill", "framework": None},
        {"mode": "drill"},
        {"mode": "drill", "framework": "spin"},
        {"mode": "rehearsal", "scenario": "intercom_gatekeeper", "lang": "en"},
        {"mode": "rehearsal", "scenario": "no_such_scenario"},
        {"mode": "rehearsal"},
        {"mode": "ask"},
        {"mode": "ask", "scenario": "intercom_gatekeeper"},
        {"mode": "ask", "lang": "fr"},
        {"mode": "karaoke"},
    ],
)
def test_the_start_schema_accepts_exactly_what_the_server_accepts(client, document, body):
    schema = document["paths"]["/api/sessions"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    response = client.post("/api/sessions", json=body)
    # scenario ids are an open set (stored ones too): a well-formed unknown id is a 404, not a 422
    assert validator.is_valid(body) == (response.status_code in (201, 404)), response.text


@pytest.mark.parametrize("text", ["What is SPIN?", "   ", "\x00", " \x00 a", "\u3000"])
def test_the_text_rule_of_the_schema_is_the_servers(client, document, text):
    schema = document["components"]["schemas"]["AskRequest"]["properties"]["question"]
    response = client.post("/api/ask", json={"question": text})
    assert jsonschema_rs.validator_for(schema).is_valid(text) == (response.status_code == 200), response.text


def test_scenario_ids_are_documented_as_examples_not_a_closed_set(document):
    field = document["components"]["schemas"]["StartRehearsal"]["properties"]["scenario"]
    assert "enum" not in field and "intercom_gatekeeper" in field["examples"]


def test_the_plan_schema_names_the_fields_the_server_checks(client, document):
    schema = document["paths"]["/api/plans"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    good = {
        "lang": "en", "company": "Acme", "industry": "Retail",
        "person": {"name": "Ann", "title": "Buyer", "cute_role": "user"},
        "facts": ["Acme has 12 stores.", "Tills are 10 years old."], "difficulties": ["Queues are long."],
        "objection": None, "goal": {"highest": "A trial next week.", "lowest": "A second meeting."}, "date": "2026-12-03",
    }  # fmt: skip
    for body in (good, {**good, "facts": ["one"]}, {**good, "person": {**good["person"], "cute_role": "x"}}):
        response = client.post("/api/plans", json=body)
        assert validator.is_valid(body) == (response.status_code == 201), response.text
        if response.status_code == 201:
            _validator(document, "#/components/schemas/PlanResponse").validate(response.json())


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_an_undeclared_method_is_405_with_allow(client, method, path):
    concrete = (
        path.replace("{session_id}", "0" * 32).replace("{passage_id}", "x").replace("{plan_id}", "0" * 32)
    )
    response = client.request("TRACE", concrete)
    assert response.status_code == 405
    assert method.upper() in response.headers["allow"]
