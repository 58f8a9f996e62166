"""Section questions (``knowledge/questions/NNN.yaml``): for every handbook section, the questions it
answers, in both languages — document expansion indexed as a field of its own.

They were written from each section's content (not from any evaluation file); a question about a
section reaches its passages even when it shares no words with the section's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field

from ..datafiles import StrictModel, load_yaml_model
from ..errors import PlaybookError
from ..playbooks.frameworks import Text
from .corpus import QUESTIONS_SUBDIR


class SectionQuestions(StrictModel):
    section: str  # heading path below the H1, joined by " > " ("" before the first heading)
    zh: list[Text] = Field(min_length=1)
    en: list[Text] = Field(min_length=1)


class QuestionsFile(StrictModel):
    doc: str
    sections: list[SectionQuestions]


@dataclass(frozen=True)
class SectionQuestion:
    doc_id: str
    section: str
    text: str


def load_section_questions(knowledge_dir: Path, sections: dict[str, set[str]]) -> list[SectionQuestion]:
    """Every section question; ``sections`` (doc id -> its section paths) checks that each names a
    real section, so a renamed heading fails the build instead of silently losing its questions."""
    questions: list[SectionQuestion] = []
    for path in sorted((Path(knowledge_dir) / QUESTIONS_SUBDIR).glob("*.yaml")):
        data = load_yaml_model(path, QuestionsFile)
        if data.doc != path.stem:
            raise PlaybookError(path, f"doc: {data.doc!r} does not match the file name {path.stem!r}")
        known = sections.get(data.doc, set())
        for number, entry in enumerate(data.sections):
            if entry.section not in known:
                raise PlaybookError(
                    path, f"sections.{number}.section: no section {entry.section!r} in handbook {data.doc}"
                )
            questions += [SectionQuestion(data.doc, entry.section, q) for q in (*entry.zh, *entry.en)]
    return questions


class SectionQuestionIndex:
    """The section questions as a field of their own: a passage scores what its section's best
    question scores (dense: cosine of query embeddings; keyword: BM25 over the section's questions)."""

    def __init__(self, segmenter) -> None:  # type: ignore[no-untyped-def]
        from .dense import DenseIndex
        from .keyword import KeywordIndex

        self.dense = DenseIndex()
        self.keyword = KeywordIndex(segmenter, stem=True)
        self.questions: list[SectionQuestion] = []
        self._question_section: np.ndarray = np.zeros(0, dtype=np.int64)  # question -> section number
        self._passage_section: np.ndarray = np.zeros(
            0, dtype=np.int64
        )  # passage -> section number (-1: none)
        self._sections = 0

    def build(
        self,
        questions: list[SectionQuestion],
        passage_sections: list[tuple[str, str]],
        vectors: np.ndarray,
        width: int,
    ) -> None:
        self.questions = questions
        self._map(passage_sections)
        self.dense.build(vectors if len(vectors) else np.zeros((0, width), dtype=np.float32))
        texts = [""] * self._sections
        for question, number in zip(questions, self._question_section, strict=True):
            texts[number] += question.text + "\n"
        self.keyword.build(texts or [""])

    def _map(self, passage_sections: list[tuple[str, str]]) -> None:
        keys = list(dict.fromkeys(passage_sections))
        number = {key: i for i, key in enumerate(keys)}
        self._sections = len(keys)
        self._passage_section = np.array([number[key] for key in passage_sections], dtype=np.int64)
        self._question_section = np.array(
            [number[(q.doc_id, q.section)] for q in self.questions], dtype=np.int64
        )

    def save(self, folder: Path) -> None:
        import json

        folder.mkdir(parents=True, exist_ok=True)
        payload = [{"doc_id": q.doc_id, "section": q.section, "text": q.text} for q in self.questions]
        (folder / "questions.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        self.dense.save(folder / "questions.faiss")
        self.keyword.save(folder / "bm25")

    def load(self, folder: Path, passage_sections: list[tuple[str, str]]) -> None:
        import json

        raw = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
        self.questions = [SectionQuestion(**item) for item in raw]
        self._map(passage_sections)
        self.dense.load(folder / "questions.faiss")
        self.keyword.load(folder / "bm25")

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        sims = self.dense.scores(query_vector) if self.dense.size else np.zeros(0, dtype=np.float32)
        best = np.full(self._sections, -1.0, dtype=np.float32)
        np.maximum.at(best, self._question_section, sims)
        return np.where(best < 0, 0.0, best)[self._passage_section].astype(np.float32)

    def keyword_scores(self, query: str) -> np.ndarray:
        return self.keyword.scores(query)[self._passage_section].astype(np.float32)
