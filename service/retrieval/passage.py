"""The unit of retrieval: a piece of one handbook section, with where it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SECTION_SEPARATOR = " > "


@dataclass(frozen=True)
class Passage:
    """A passage never spans two sections; offsets index the cleaned Markdown file."""

    id: str
    doc_id: str
    doc_title: str
    section_path: tuple[str, ...]
    text: str
    start: int
    end: int
    tags: tuple[str, ...] = ()
    text_en: str = ""  # the English of the passage's lines (knowledge/handbooks/en/)
    section_path_en: tuple[str, ...] = ()
    doc_title_en: str = ""

    @property
    def section(self) -> str:
        """The section path as one line, e.g. ``一、大客户营销的CUTE理论 > 1、什么是项目影响``."""
        return SECTION_SEPARATOR.join(self.section_path)

    @property
    def section_en(self) -> str:
        return SECTION_SEPARATOR.join(self.section_path_en)

    @property
    def embedding_text_en(self) -> str:
        """The English side as the models see it: title, section path and text."""
        return f"{self.doc_title_en}{SECTION_SEPARATOR}{self.section_en}\n{self.text_en}"

    def paragraph_pairs(self) -> list[tuple[str, str]]:
        """(Chinese, English) paragraph pairs; one pair for a piece of a long paragraph."""
        chinese = [line.strip() for line in self.text.split("\n") if line.strip()]
        english = [line.strip() for line in self.text_en.split("\n") if line.strip()]
        if len(chinese) == len(english):
            return list(zip(chinese, english, strict=True))
        return [(" ".join(chinese), " ".join(english))]

    @property
    def embedding_text(self) -> str:
        """What the models see: the document title and section path carry the topic of short passages."""
        head = f"{self.doc_title}{SECTION_SEPARATOR}{self.section}\n{self.text}"
        return f"{head}\n({', '.join(self.tags)})" if self.tags else head

    def to_dict(self) -> dict:
        data = asdict(self)
        data["section_path"] = list(self.section_path)
        data["section_path_en"] = list(self.section_path_en)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Passage:
        return cls(
            **{
                **data,
                "section_path": tuple(data["section_path"]),
                "section_path_en": tuple(data.get("section_path_en", ())),
                "tags": tuple(data.get("tags", ())),
            }
        )


@dataclass
class ScoredPassage:
    """A search hit: the passage, its fused score, and the per-retriever evidence behind it."""

    passage: Passage
    score: float
    dense: float = 0.0
    keyword: float = 0.0
    question: float = 0.0  # closest of its section's questions (document expansion), cosine
