"""The cleaned handbooks in ``knowledge/handbooks/*.md`` and a fingerprint of everything indexed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

HANDBOOKS_SUBDIR = "handbooks"
GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Document:
    """One cleaned handbook: id from the file name (``000``), title from its single H1."""

    id: str
    title: str
    markdown: str


def handbook_paths(knowledge_dir: Path) -> list[Path]:
    """The cleaned Markdown files, in document-id order."""
    return sorted((knowledge_dir / HANDBOOKS_SUBDIR).glob("*.md"))


def load_documents(knowledge_dir: Path) -> list[Document]:
    """Read every cleaned handbook. The title is the first ``# `` line, else the id."""
    documents = []
    for path in handbook_paths(knowledge_dir):
        markdown = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), path.stem)
        documents.append(Document(id=path.stem, title=title, markdown=markdown))
    return documents


def corpus_fingerprint(knowledge_dir: Path) -> str:
    """SHA-256 over the handbooks and the glossary (its terms shape keyword segmentation)."""
    digest = hashlib.sha256()
    paths = [*handbook_paths(knowledge_dir), knowledge_dir / GLOSSARY_FILE]
    for path in paths:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()
