"""The cleaned handbooks in ``knowledge/handbooks/*.md`` and a fingerprint of everything indexed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import PlaybookError
from ..knowledge.translation import EN_SUBDIR, alignment_problems, translation_path

HANDBOOKS_SUBDIR = "handbooks"
QUESTIONS_SUBDIR = "questions"
GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Document:
    """One cleaned handbook: id from the file name (``000``), title from its single H1; with its
    line-aligned English translation (``knowledge/handbooks/en/``) when there is one."""

    id: str
    title: str
    markdown: str
    markdown_en: str | None = None

    @property
    def title_en(self) -> str | None:
        if self.markdown_en is None:
            return None
        return next(
            (line[2:].strip() for line in self.markdown_en.splitlines() if line.startswith("# ")), None
        )


def handbook_paths(knowledge_dir: Path) -> list[Path]:
    """The cleaned Markdown files, in document-id order."""
    return sorted((knowledge_dir / HANDBOOKS_SUBDIR).glob("*.md"))


def load_documents(knowledge_dir: Path) -> list[Document]:
    """Read every cleaned handbook and its translation. The title is the first ``# `` line, else the id.

    A translation that is not aligned line by line with its handbook is an error (PlaybookError),
    not a silent mismatch between a passage and its English."""
    documents = []
    for path in handbook_paths(knowledge_dir):
        markdown = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), path.stem)
        english_path = translation_path(knowledge_dir, path.stem)
        english = english_path.read_text(encoding="utf-8") if english_path.exists() else None
        if english is not None and (problems := alignment_problems(markdown, english)):
            raise PlaybookError(english_path, f"not aligned with {path.name}: {problems[0]}")
        documents.append(Document(id=path.stem, title=title, markdown=markdown, markdown_en=english))
    return documents


def corpus_fingerprint(knowledge_dir: Path) -> str:
    """SHA-256 over the handbooks, their translations, the section questions and the glossary
    (its terms shape keyword segmentation)."""
    digest = hashlib.sha256()
    paths = [
        *handbook_paths(knowledge_dir),
        *sorted((knowledge_dir / HANDBOOKS_SUBDIR / EN_SUBDIR).glob("*.md")),
        *sorted((knowledge_dir / QUESTIONS_SUBDIR).glob("*.yaml")),
        knowledge_dir / GLOSSARY_FILE,
    ]
    for path in paths:
        if path.exists():
            digest.update(str(path.relative_to(knowledge_dir)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()
