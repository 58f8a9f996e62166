"""Reviews in the store, on SQLite and PostgreSQL: kept whole, read back, unknown ids are None."""

from __future__ import annotations

from service.store import SessionStore


def test_a_review_is_kept_and_read_back(store: SessionStore) -> None:
    result = {
        "turns": [{"speaker": "销售", "text": "您好？"}],
        "metrics": {"talk_share": 0.5},
        "scorecard": {},
    }
    review_id = store.create_review(
        language="zh", salesperson="销售", transcript="销售：您好？\n客户：好", result=result
    )
    row = store.get_review(review_id)
    assert row is not None
    assert row["result"] == result and row["lang"] == "zh" and row["salesperson"] == "销售"
    assert row["transcript"] == "销售：您好？\n客户：好"
    assert row["created_at"].tzinfo is not None


def test_nul_is_dropped_and_unknown_or_malformed_ids_are_none(store: SessionStore) -> None:
    review_id = store.create_review(
        language="en", salesperson="M\x00e", transcript="Me: hi\x00\nYou: ok", result={}
    )
    row = store.get_review(review_id)
    assert row is not None and row["transcript"] == "Me: hi\nYou: ok" and row["salesperson"] == "Me"
    assert store.get_review("0" * 32) is None
    assert store.get_review("not-an-id\x00") is None
