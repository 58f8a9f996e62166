"""The English translation of the handbooks, aligned with the Chinese line by line.

``knowledge/handbooks/en/NNN.md`` mirrors ``knowledge/handbooks/NNN.md``: the same number of lines,
a blank line where the Chinese has one, a heading of the same level where the Chinese has a
heading, and the translation of each Chinese paragraph on the line of that paragraph. (Every
paragraph of the cleaned handbooks is one line, so a line is the unit of alignment and the Chinese
offsets stay exactly as they are.) Where the OCR of the source is unreadable, the translation says
so with ``[unclear in the source]`` instead of inventing a meaning.

``python -m service.knowledge.translation [DOC ...]`` lists every alignment problem (exit 1 if any).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

EN_SUBDIR = "en"
UNCLEAR = "[unclear in the source]"
MAX_CJK_SHARE = 0.10  # of an English line, outside brackets and parentheses (names like 华为 may stay there)

_HEADING = re.compile(r"^(#{1,6})[ \t]+\S")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ASIDE = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]|【[^【】]*】")


@dataclass(frozen=True)
class AlignedLine:
    """One line of a handbook with its translation (both verbatim lines of their files)."""

    number: int  # 1-based line number in both files
    zh: str
    en: str


def translation_path(knowledge_dir: Path, doc_id: str) -> Path:
    return Path(knowledge_dir) / "handbooks" / EN_SUBDIR / f"{doc_id}.md"


def heading_level(line: str) -> int:
    match = _HEADING.match(line)
    return len(match.group(1)) if match else 0


def cjk_share(text: str) -> float:
    """Share of Chinese characters in ``text`` once bracketed asides are removed."""
    bare = _ASIDE.sub("", text).strip()
    letters = [ch for ch in bare if not ch.isspace()]
    return len(_CJK.findall(bare)) / len(letters) if letters else 0.0


def alignment_problems(zh_markdown: str, en_markdown: str) -> list[str]:
    """Everything that keeps the two texts from being a complete line-by-line translation."""
    zh_lines, en_lines = zh_markdown.splitlines(), en_markdown.splitlines()
    problems: list[str] = []
    if len(zh_lines) != len(en_lines):
        problems.append(f"{len(zh_lines)} Chinese lines but {len(en_lines)} English lines")
    for number, (zh, en) in enumerate(zip(zh_lines, en_lines, strict=False), start=1):
        where = f"line {number}"
        if not zh.strip():
            if en.strip():
                problems.append(f"{where}: blank in Chinese but not in English")
            continue
        if not en.strip():
            problems.append(f"{where}: not translated (empty)")
            continue
        if heading_level(zh) != heading_level(en):
            problems.append(
                f"{where}: heading level {heading_level(zh)} in Chinese, {heading_level(en)} in English"
            )
        if _CJK.search(zh) and (en.strip() == zh.strip() or cjk_share(en) > MAX_CJK_SHARE):
            problems.append(f"{where}: still Chinese: {en[:60]!r}")
    return problems


def aligned_lines(zh_markdown: str, en_markdown: str) -> list[AlignedLine]:
    """The non-blank lines paired with their translations (raises ValueError when misaligned)."""
    problems = alignment_problems(zh_markdown, en_markdown)
    if problems:
        raise ValueError("; ".join(problems[:5]))
    pairs = zip(zh_markdown.splitlines(), en_markdown.splitlines(), strict=True)
    return [AlignedLine(n, zh, en) for n, (zh, en) in enumerate(pairs, start=1) if zh.strip()]


def main(argv: list[str]) -> int:
    knowledge = Path("knowledge")
    docs = argv or sorted(p.stem for p in (knowledge / "handbooks").glob("*.md"))
    failed = False
    for doc in docs:
        zh_path, en_path = knowledge / "handbooks" / f"{doc}.md", translation_path(knowledge, doc)
        if not en_path.exists():
            print(f"{doc}: {en_path} is missing")
            failed = True
            continue
        problems = alignment_problems(
            zh_path.read_text(encoding="utf-8"), en_path.read_text(encoding="utf-8")
        )
        for problem in problems:
            print(f"{doc}: {problem}")
        print(f"{doc}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
