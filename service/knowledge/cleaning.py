"""Turn the raw, web-scraped sales handbooks (``knowledge/sources``) into clean Markdown.

Generic machinery lives here (boilerplate lines, artefacts, whitespace, heading detection and
nesting, rendering); :mod:`service.knowledge.source_rules` says what is specific to one document.
Deterministic and stdlib-only, so ``knowledge/handbooks/*.md`` is committed data that
``python -m service.knowledge.cleaning`` regenerates byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from service.knowledge.source_rules import RULES, DocRule

# Site chrome seen in the scraped pages. Matched against whole (stripped) lines *before* any
# re-flowing, so a pattern can never eat into a content sentence that happens to contain a word.
_BOILERPLATE = (
    # doc-sharing sites: upload line, page thumbnails and counters, viewer buttons, footer
    r"上传人[:：].*上传时间|^下载 相关 举报$|\.docx?_第\d+页$|^第\d+页\s*/\s*共\d+页$|^点击查看更多",
    r"^(?:下载资源|资源描述|展开阅读全文|相关资源|猜你喜欢|相关搜索)$|由会员分享.*搜索。?$|^当前位置[:：]",
    r"(?i)copyright\s*@|版权所有$|ICP备\d+|侵权举报电话",
    r"^•\s*(?:[\d.]+\s*[KM]B|\d{4}-\d{2}-\d{2}[\d: ]*发布|\d+页)$",
    r"^(?:•\s*)?当前文档由用户上传发布|^(?:\d+\.\s*)?\d*、?本文档(?:共|内容版权|由用户上传)",
    # forums: menus, login prompts, post meta lines, disclaimer footer
    r"^(?:设为首页|扫一扫|快速回复)|^(?:找回密码|立即注册|QQ登录|淘宝优惠券|本版积分规则|\[复制链接\])$",
    r"^查看[:：]\s*\d+\s*\|\s*回复[:：]\s*\d+$|发表于 \d{4}-\d{1,2}-\d{1,2} [\d:]+ \||登录后才可以回帖",
    r"免责声明$|论坛创建于|^拒绝任何人以任何形式在本论坛发表",
    # blogs: share/source notice, tip jar, prev/next links, comment widget
    r"^欢迎分享,\s*转载请注明来源|^原文地址[:：]|^\(\d+\)$|^打赏 |^(?:上一篇|下一篇) \d{4}-\d{2}-\d{2}$",
    r"^(?:发表评论|登录后才能评论|保存)$|^评论列表\(\d+条\)$",
)
BOILERPLATE_LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in _BOILERPLATE)

# Markup fragments left behind by the scrapers (``<font color="#004699">`` lost its head and
# became ``<#004699">``; one copy also kept a stray ``8>``). Removed wherever they occur.
ARTEFACT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:\d>)?<#[0-9A-Fa-f]{6}\">"),
    re.compile(r"</?(?:font|span|p|br|div|b|i)\b[^>]*>", re.IGNORECASE),
    re.compile(r"\[插图\]"),
)

_CN_NUM = "一二三四五六七八九十百零〇"
_CJK_CHAR = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”]"

# Numbering styles, tried in order; the first match names the style of a line.
# ``decimal`` is special-cased below because its depth (2.3 vs 2.3.1) is part of the style.
HEADING_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"^第[{_CN_NUM}\d]+部分\s*\S")),
    ("chapter", re.compile(rf"^第[{_CN_NUM}\d]+章\s*\S")),
    ("lesson", re.compile(rf"^第[{_CN_NUM}\d]+课\s*\S")),
    ("cn", re.compile(rf"^[{_CN_NUM}]+、\s*\S")),
    ("cn_paren", re.compile(rf"^[(（][{_CN_NUM}]+[)）]\s*\S")),
    ("paren_num", re.compile(r"^[(（]\d+[)）]\s*\S")),
    ("num_dun", re.compile(r"^\d+、\s*\S")),
    ("num_halfparen", re.compile(r"^\d+[)）]\s*\S")),
    ("num_dot", re.compile(r"^\d+\.(?!\s?\d)\s*\S")),
    ("star", re.compile(r"^☆\s*\S")),
)
_DECIMAL = re.compile(r"^(\d+(?:\s?\.\s?\d+)+)\s*(?=[^\d.\s])")

# A heading is a title, not a sentence: one ending like this stays a paragraph.
_SENTENCE_END = re.compile(r"[。!?！？;；,，:：…]$")
_SENTENCE_SPLIT = re.compile(r"(?<=[。!！？])(?![”\"」)）])")


@dataclass(frozen=True)
class Block:
    """One output unit: a paragraph (level 0) or a heading of Markdown level 2..6."""

    text: str
    level: int = 0


def normalize_whitespace(text: str) -> str:
    """Unify line ends and odd spaces (full-width, no-break, zero-width), collapse runs, strip lines.

    Line structure is kept: it is the only paragraph information some sources still have.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    text = re.sub(r"[\u3000\xa0\t\f\v]", " ", text)
    text = re.sub(r" {2,}", " ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def join_cjk_spaces(text: str) -> str:
    """Drop a space between CJK text/punctuation and a CJK character: OCR line-wrap residue.

    Chinese has no word gaps (``兴 天下``, ``商业机密, 严格``); spaces by Latin or digits stay.
    """
    return re.sub(rf"(?<={_CJK_CHAR}|[,.;:!?]) (?={_CJK_CHAR})", "", text)


def remove_artefacts(text: str) -> str:
    """Remove markup fragments (see :data:`ARTEFACT_PATTERNS`) from anywhere in the text."""
    for pattern in ARTEFACT_PATTERNS:
        text = pattern.sub("", text)
    return text


def is_boilerplate(line: str, extra: Iterable[re.Pattern[str]] = ()) -> bool:
    """True when a whole line is site chrome (generic patterns plus a document's own ones)."""
    stripped = line.strip()
    if not stripped:
        return False
    return any(p.search(stripped) for p in (*BOILERPLATE_LINE_PATTERNS, *extra))


def heading_style(line: str) -> str | None:
    """Name the numbering style a line starts with (``cn`` for ``一、``, ``decimal3`` for ``2.3.1``), or None.

    Whether the line *is* a heading is :func:`looks_like_heading`'s length/sentence test.
    """
    m = _DECIMAL.match(line)
    if m:
        depth = len(re.findall(r"\d+", m.group(1)))
        return f"decimal{depth}"
    for name, pattern in HEADING_STYLES:
        if pattern.match(line):
            return name
    return None


def looks_like_heading(line: str, max_len: int = 30) -> bool:
    """A numbered line is a heading only if it is short and does not read as a sentence.

    Enumerated list items in these handbooks are often full sentences ("1.客户为什么要买东西?",
    "☆签订合同之前,……。"); promoting those would bury the real section structure.
    """
    return len(line) <= max_len and not _SENTENCE_END.search(line)


def normalize_heading(text: str) -> str:
    """Tidy OCR spacing inside decimal numbering: ``2. 3.1.1客户联络`` -> ``2.3.1.1 客户联络``."""
    m = _DECIMAL.match(text)
    if not m:
        return text
    number = re.sub(r"\s", "", m.group(1))
    return f"{number} {text[m.end() :].lstrip()}"


def split_long_paragraph(text: str, limit: int) -> list[str]:
    """Split flattened text at sentence ends into paragraphs of about ``limit`` chars (text unchanged)."""
    if len(text) <= limit:
        return [text]
    sentences = [s for s in _SENTENCE_SPLIT.split(text) if s]
    out: list[str] = []
    current = ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > limit:
            out.append(current)
            current = ""
        current += sentence
    return [*out, current] if current else out


def _insert_breaks(text: str, rule: DocRule) -> str:
    """Restore the line breaks a flattened source lost, as the document's rules describe."""
    # Headings first: their patterns may look at the neighbouring text, which later breaks
    # would separate. The style travels with the line as an internal mark.
    for pattern, style in rule.headings:
        text = re.sub(pattern, f"\n{HEADING_MARK}{style}{HEADING_MARK}\\g<0>\n", text)
    for pattern in rule.breaks:
        text = "\n".join(
            line if line.startswith(HEADING_MARK) else re.sub(pattern, "\n\\g<0>", line)
            for line in text.split("\n")
        )
    if rule.segment_sep:
        # ``>>`` stands for a line break in 004; the first piece of such a line is its topic.
        lines = []
        for line in text.split("\n"):
            if rule.segment_sep in line:
                head, *rest = line.split(rule.segment_sep)
                lines.append(TOPIC_MARK + head)
                lines.extend(ITEM_MARK + item for item in rest)
            else:
                lines.append(line)
        text = "\n".join(lines)
    return text


TOPIC_MARK = "\x00"  # internal: marks a line that opened a ``>>``-separated run
ITEM_MARK = "\x01"  # internal: a later piece of such a run, i.e. a list item, never a heading
HEADING_MARK = "\x02"  # internal: wraps the style of a line a heading rule matched
_MARKED = re.compile(f"^{HEADING_MARK}([a-z_0-9]+){HEADING_MARK}(.*)$")


def _classify(line: str, rule: DocRule) -> tuple[str, str | None]:
    """Return (text, style) where style is set only if the line is to become a heading."""
    forced = line.startswith(TOPIC_MARK)
    item = line.startswith(ITEM_MARK)
    text = line.lstrip(TOPIC_MARK + ITEM_MARK).strip()
    marked = _MARKED.match(text)
    if marked:
        return normalize_heading(marked.group(2).strip()), marked.group(1)
    if item:
        return text, None
    style = heading_style(text)
    if style in rule.auto_headings and looks_like_heading(text, rule.max_heading_len):
        return normalize_heading(text), style
    if forced and "topic" in rule.auto_headings and looks_like_heading(text, rule.max_heading_len):
        return text, "topic"
    return text, None


def _assign_levels(items: list[tuple[str, str | None]], rule: DocRule) -> list[Block]:
    """Nest headings: ``rule.heading_styles`` ranks styles outermost first; a heading closes open
    headings of the same or deeper rank and sits at its ``fixed_levels`` level or one below the
    heading left open. Deeper than ``######`` it stays a paragraph.
    """
    blocks: list[Block] = []
    stack: list[tuple[int, int]] = []  # (rank, level)
    for text, style in items:
        if style is None:
            blocks.append(Block(text))
            continue
        rank = rule.heading_styles.index(style)
        while stack and stack[-1][0] >= rank:
            stack.pop()
        level = rule.fixed_levels.get(style) or (stack[-1][1] + 1 if stack else 2)
        if level > 6:
            blocks.append(Block(text))
            continue
        stack.append((rank, level))
        blocks.append(Block(text, level))
    return blocks


def to_blocks(raw: str, rule: DocRule) -> list[Block]:
    """Run the cleaning pipeline for one document and return its blocks (without the title)."""
    text = normalize_whitespace(raw)
    drop = [re.compile(p) for p in rule.drop_lines]
    # Line-level chrome first, while the scraped line structure is intact.
    text = "\n".join(line for line in text.split("\n") if not is_boilerplate(line, drop))
    for pattern, replacement in rule.replacements:
        text = re.sub(pattern, replacement, text)
    text = remove_artefacts(text)
    if rule.join_cjk_spaces:
        text = join_cjk_spaces(text)
    text = re.sub(r" {2,}", " ", text)
    text = _insert_breaks(text, rule)
    title_forms = {rule.title, f"{rule.title}.docx", *rule.title_repeats}
    items: list[tuple[str, str | None]] = []
    seen_once: set[str] = set()
    for line in text.split("\n"):
        bare = _MARKED.sub(r"\2", line.lstrip(TOPIC_MARK + ITEM_MARK)).strip()
        if not bare or bare in title_forms or is_boilerplate(bare, drop):
            continue
        if bare in rule.keep_first_only:
            # Slide decks repeat their navigation bar on every slide: keep it once.
            if bare in seen_once:
                continue
            seen_once.add(bare)
        text_, style = _classify(line, rule)
        if style is None and rule.paragraph_limit:
            items.extend((part.strip(), None) for part in split_long_paragraph(text_, rule.paragraph_limit))
        else:
            items.append((text_, style))
    return _assign_levels([(t, s) for t, s in items if t], rule)


def render_markdown(title: str, blocks: Iterable[Block]) -> str:
    """Markdown with one H1, headings as ``##``..``######`` and blank-line separated paragraphs."""
    parts = [f"# {title}"]
    for block in blocks:
        parts.append(f"{'#' * block.level} {block.text}" if block.level else block.text)
    return "\n\n".join(parts) + "\n"


def clean_source(doc_id: str, raw: str) -> str:
    """Return the cleaned Markdown for one source document.

    ``doc_id`` is the source file's three-digit prefix; it selects the rules in ``source_rules.RULES``.
    """
    rule = RULES[doc_id]
    return render_markdown(rule.title, to_blocks(raw, rule))


def rebuild_knowledge(sources_dir: Path, out_dir: Path) -> list[Path]:
    """Clean every ``NNN_*.txt`` in ``sources_dir`` into ``out_dir/NNN.md``; return the paths.

    Name order, UTF-8 and ``\\n`` line ends: identical input gives byte-identical output.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for source in sorted(sources_dir.glob("[0-9][0-9][0-9]_*.txt")):
        target = out_dir / f"{source.name[:3]}.md"
        target.write_bytes(clean_source(source.name[:3], source.read_text(encoding="utf-8")).encode("utf-8"))
        written.append(target)
    return written


if __name__ == "__main__":
    # Until the CLI exposes ``salescoach clean``: regenerate the committed handbooks in place.
    paths = rebuild_knowledge(Path("knowledge/sources"), Path("knowledge/handbooks"))
    print("\n".join(str(path) for path in paths))
