"""BM25 keyword index over jieba word segmentation (Chinese) and lower-cased words (English)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import jieba
import numpy as np
import Stemmer

_KEEP = re.compile(r"[\w\u3400-\u9fff]")
# Function words that carry no topic; BM25's IDF handles the rest.
STOPWORDS = frozenset(
    (
        "的 了 和 是 在 有 与 及 或 就 都 也 而 被 把 对 这 那 中 为 以 等 之 其 我 你 他 她 它 我们 你们 他们 "
        "一个 什么 怎么 怎样 如何 哪些 吗 呢 吧 啊 a an the of to in on for and or is are be do does how what "
        "which who why when i my me we our you your it this that with as at by from can should"
    ).split()
)


_LATIN_WORD = re.compile(r"^[a-z][a-z'-]*$")


class Segmenter:
    """jieba with the glossary's Chinese terms added as whole words (so 技术把关者 stays one token);
    English words lower-cased, and with ``stem=True`` reduced to their Snowball stems."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._words = sorted(set(extra_words))
        self._tokenizer: jieba.Tokenizer | None = None
        self._stemmer = Stemmer.Stemmer("english")

    def warm_up(self) -> None:
        if self._tokenizer is None:
            jieba.setLogLevel(60)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in self._words:
                tokenizer.add_word(word, freq=2000)
            self._tokenizer = tokenizer

    def tokens(self, text: str, stem: bool = False) -> list[str]:
        """Search-mode segmentation (long words also yield their parts), minus punctuation and stopwords."""
        self.warm_up()
        normal = unicodedata.normalize("NFKC", text).lower()
        words = [
            token
            for raw in self._tokenizer.lcut_for_search(normal)  # type: ignore[union-attr]
            if (token := raw.strip()) and _KEEP.search(token) and token not in STOPWORDS
        ]
        if not stem:
            return words
        return [self._stemmer.stemWord(w) if _LATIN_WORD.match(w) else w for w in words]


MAX_QUERY_TOKENS = 64  # a pasted essay is searched by its first 64 distinct words: cost stays bounded


class KeywordIndex:
    """BM25 over passages' texts (title and section path included); ``stem=True`` for English."""

    def __init__(self, segmenter: Segmenter, stem: bool = False) -> None:
        self.segmenter = segmenter
        self.stem = stem
        self._bm25: bm25s.BM25 | None = None

    def tokens(self, text: str) -> list[str]:
        return self.segmenter.tokens(text, stem=self.stem)

    def build(self, texts: Sequence[str]) -> None:
        corpus = [self.tokens(text) or ["∅"] for text in texts]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def save(self, folder: Path) -> None:
        assert self._bm25 is not None, "build() first"
        self._bm25.save(str(folder), show_progress=False)

    def load(self, folder: Path) -> None:
        self._bm25 = bm25s.BM25.load(str(folder), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no query word is known)."""
        assert self._bm25 is not None, "build() or load() first"
        tokens = list(dict.fromkeys(self.tokens(query)))[:MAX_QUERY_TOKENS]
        if not tokens:  # only stopwords or punctuation: nothing to match
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def expanded_scores(self, query: str, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """BM25 of the query plus, per expanded concept, its best-scoring Chinese name.

        Taking the best name rather than all of them counts a concept once however many synonyms
        the glossary lists, so richly described concepts do not drown the rest of the question.
        """
        total = self.scores(query)
        for names in groups:
            total = total + np.max([self.scores(name) for name in names], axis=0)
        return total
