"""Reading webhook requests safely: headers by any casing, JSON objects, required fields.

Every malformed input becomes ``WebhookRejected(400)`` — never an unhandled exception (a deeply
nested JSON body raises RecursionError in the decoder, which is caught here too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .base import WebhookRejected


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (Starlette's headers are; a plain dict in tests isn't)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def utf8(body: bytes, what: str = "body") -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected(400, f"{what} is not UTF-8") from None


def json_object(body: bytes, what: str = "body") -> dict[str, Any]:
    """The body as a JSON object, or 400. Lone surrogates (``"\\ud800"``) are refused too: they are
    no text (UTF-8 cannot encode them), the same rule as the JSON API's."""
    text = utf8(body, what)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise WebhookRejected(400, f"{what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected(400, f"{what} must be a JSON object")
    if _ESCAPED_SURROGATE.search(text) and _has_lone_surrogate(data):
        raise WebhookRejected(400, f"{what} is not valid JSON: a string holds a lone surrogate")
    return data


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _LONE_SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def required_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookRejected(400, f"{where}.{key} must be a non-empty string")
    return value


def required_object(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise WebhookRejected(400, f"{where}.{key} must be an object")
    return value
