"""Small text operations the templates need: a difficulty's topic (its first clause), a fact
asked as a question (its figures become "多少" / "how many"), filling a template."""

from __future__ import annotations

import re
from typing import Any

from ..text import Language

_CLAUSE = re.compile(r"[，,；;。.!！？?、]")
_END = re.compile(r"[\s。.!！？?；;，,]+$")
_FIGURE_ZH = re.compile(r"(一共|总共|约|大约|近|超过|共)?\d+(\.\d+)?(多|余)?")
_FIGURE_EN = re.compile(r"\b(about |around |over |nearly )?\$?\d[\d,.]*(%| percent)?")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def clauses(text: str) -> list[str]:
    """The text's clauses (split at commas, semicolons and sentence ends), stripped."""
    parts = [part.strip() for part in _CLAUSE.split(text)]
    return [part for part in parts if len(part) >= 2]


def bare(text: str) -> str:
    """The text without its end punctuation."""
    return _END.sub("", text.strip())


def topic_of(text: str, language: Language) -> str:
    """What a difficulty is about, short enough for a question: its first clause (Chinese) or the
    sentence without its end (English), first letter lowered."""
    parts = clauses(text)
    first = parts[0] if parts else bare(text)
    if language == "zh":
        return first
    return first[:1].lower() + first[1:] if first[:2] != first[:2].upper() else first


def asked(text: str, language: Language) -> str:
    """A statement with its figures asked for: "共有床位1200张" → "共有床位多少张"."""
    if language == "zh":
        return bare(_FIGURE_ZH.sub("多少", text))
    asked_for = _YEAR.sub("which year", text)
    return bare(_FIGURE_EN.sub("how many ", asked_for)).replace("  ", " ")


_TOPIC_ASIDE = re.compile(r"\s*—\s*\{topic\}\s*—|:\s*\{topic\}|\{topic\}[，,]\s*|[，,]\s*\{topic\}")


def without_topic(template: str) -> str:
    """The template with its mention of the topic taken out (when the topic is the whole
    difficulty, saying it again would repeat what the client just said)."""
    return _TOPIC_ASIDE.sub("", template)


def fill(template: str, **values: str) -> str:
    """``template`` with each ``{name}`` replaced (unknown names are left as they are)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


# -- the content words of a fact or difficulty ---------------------------------------------------
# Chinese: runs of nouns and content verbs (jieba's part-of-speech tags), broken at function words,
# figures and the verbs that only link ("有", "是", "靠" …). English: runs of words that are not
# function words, figures or participles ("installed", "done").
_ZH_CONTENT = ("n", "v", "vn", "eng", "l", "an", "nz", "nt", "ns", "nr", "ng")
_ZH_LINKING = frozenset(
    "有 是 要 在 到 给 靠 由 用 把 被 让 能 会 才能 找到 一直 进行 交给 通过 经过 完成 达到 需要 没有 主要 发现"
    " 引起 导致 造成 花 等 经常 往往 一共 总共 大约".split()
)
_EN_FUNCTION = frozenset(
    """a an the and or but of in on at by for to from with without into onto over under about around
    than then as per each every all any some most more less few many much other another its it their
    they them this that these those there here which who whom whose what when where how why is are
    was were be been being has have had do does did done can could will would shall should may might
    must not no only still also just very often usually always never ever again already even yet so
    too up down out off get gets got our we us you your he she his her i me my one two three four
    five six seven eight nine ten hundred thousand million dozen about around nearly roughly almost
    year years month months week weeks day days time times every left spend spends spent take takes
    runs run goes go uses use using used becomes become keep keeps turn turns rose rise rises fell
    fall falls stop stops complain complains answer answers answering chase chases chasing book books
    wait waits lose loses lost happen happens work works need needs want wants break breaks cause
    causes make makes arrive arrives find finds come comes""".split()
)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,.%]*|[^\sA-Za-z\d]")

_tagger: Any = None


def _tagged(text: str) -> list[tuple[str, str]]:
    global _tagger
    if _tagger is None:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        _tagger = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    return [(pair.word, pair.flag) for pair in _tagger.cut(text)]


def content_phrases(text: str, language: Language, skip: tuple[str, ...] = (), limit: int = 3) -> list[str]:
    """The text's content phrases in their order (at most ``limit``; the first usually names what
    the sentence is about): what a question about it would name. A phrase contained in one of ``skip`` (the client's company, say) is left out."""
    runs: list[list[str]] = [[]]
    if language == "zh":
        for word, flag in _tagged(text):
            content = flag in _ZH_CONTENT and word not in _ZH_LINKING and not _FIGURE_ZH.fullmatch(word)
            if content:
                runs[-1].append(word)
            elif runs[-1]:
                runs.append([])
        phrases = ["".join(run) for run in runs if len("".join(run)) >= 2]
        phrases = [p[:10] for p in phrases]
    else:
        for word in _EN_WORD.findall(text):
            lowered = word.lower()
            participle = len(word) > 4 and lowered.endswith("ed")
            content = word[:1].isalpha() and lowered not in _EN_FUNCTION and not participle
            if content:
                runs[-1].append(word if len(word) > 1 and word[:2] == word[:2].upper() else lowered)
            elif runs[-1]:
                runs.append([])
        phrases = [" ".join(run[-3:]) for run in runs if run and (len(run) > 1 or len(run[0]) >= 4)]
    kept = [p for p in dict.fromkeys(phrases) if not any(p.lower() in s.lower() for s in skip if s)]
    return kept[:limit]
