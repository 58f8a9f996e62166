"""``review``/``复盘`` in a messenger: through the generic channel's signed webhook, answered in the
response, in the user's language, with the metrics and the cited misses; the review is kept."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from service.channels.generic import sign
from service.http.app import create_app
from service.settings import GenericSettings
from service.store.models import reviews

from ..channels.fake_platform import FakePlatform
from .conftest import read

pytestmark = [pytest.mark.integration]
SECRET = "generic-secret-for-review-tests"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('review-hooks')}/hooks.db"


@pytest.fixture(scope="module")
def client(services, settings, db):
    configured = settings.model_copy(
        update={
            "database_url": db,
            "web_base_url": "https://coach.example.com",
            "generic": GenericSettings(secret=SECRET),
        }
    )
    with TestClient(create_app(configured, services)) as test_client:
        yield test_client


def _post(client, payload: dict):  # type: ignore[no-untyped-def]
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {"X-SalesCoach-Timestamp": timestamp, "X-SalesCoach-Signature": sign(SECRET, timestamp, body)}
    return client.post("/webhooks/generic", content=body, headers=headers)


def _stored(db: str) -> int:
    engine = create_engine(db)
    with engine.connect() as connection:
        count = int(connection.execute(select(func.count()).select_from(reviews)).scalar_one())
    engine.dispose()
    return count


def test_chinese_review_in_the_response(client, db) -> None:
    text = "复盘\n" + read("zh_poor.txt").decode()
    response = _post(client, {"id": "r-1", "user": "u1", "conversation": "c1", "text": text})
    assert response.status_code == 200, response.text
    reply = response.json()
    assert reply["text"].startswith("拜访复盘") and "销售说话占比" in reply["text"]
    assert "✗" in reply["text"] and "练习 spin" in reply["text"] and "✓" not in reply["text"]
    assert reply["citations"] and reply["citations"][0]["link"].startswith(
        "https://coach.example.com/passages/"
    )
    assert _stored(db) == 1


def test_english_review_to_a_callback(client, db) -> None:
    with FakePlatform() as platform:
        text = "review " + read("en_poor.txt").decode()
        response = _post(client, {"id": "r-2", "user": "u2", "conversation": "c2", "text": text,
                                  "callback_url": f"{platform.base}/callback"})  # fmt: skip
        assert response.status_code == 202
        deadline = time.monotonic() + 30
        while not platform.calls and time.monotonic() < deadline:
            time.sleep(0.1)
        posted = platform.calls[0]["json"]
    assert posted["text"].startswith("Visit review") and "Concrete next step agreed: no" in posted["text"]
    assert "drill spin" in posted["text"] and "?lang=en" in posted["citations"][0]["link"]
    assert _stored(db) == 2


def test_a_paste_that_is_no_transcript_gets_the_reason_and_nothing_is_kept(client, db) -> None:
    response = _post(
        client, {"id": "r-3", "user": "u3", "conversation": "c3", "text": "复盘 今天见了客户，聊得不错"}
    )
    assert response.status_code == 200
    assert (
        "没办法处理这条消息" in response.json()["text"]
        and "no labelled utterances" in response.json()["text"]
    )
    help_reply = _post(client, {"id": "r-4", "user": "u3", "conversation": "c3", "text": "复盘"})
    assert "复盘 <粘贴拜访记录>" in help_reply.json()["text"]
    assert _stored(db) == 2
