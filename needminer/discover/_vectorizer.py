"""Chinese tokenisation for keywords and c-TF-IDF: jieba + a chat stop-word list + a domain dictionary."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from needminer.errors import missing_dependency

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_PLACEHOLDER = re.compile(r"\[[^\]]{1,6}\]")

# Domain words jieba splits badly; added once to its dictionary so keywords stay whole.
DOMAIN_WORDS = (
    "伪素颜", "底妆", "粉底液", "气垫", "美妆蛋", "卡粉", "脱妆", "浮粉", "遮瑕", "服帖", "持妆", "控油",
    "防晒霜", "妆前乳", "散粉", "定妆", "素颜霜", "闷痘", "敏感肌", "油皮", "干皮", "混油皮", "熬夜党",
    "上班族", "学生党", "新手妈妈", "宝妈", "夜奶", "吸奶器", "纸尿裤", "红屁屁", "辅食", "奶瓶", "背奶",
    "跑鞋", "配速", "膝盖疼", "跑步机", "夜跑", "晨跑", "马拉松", "心率", "运动手表", "腰包", "反光",
    "油耗", "底盘", "异响", "胎噪", "隔音", "顿挫", "续航", "充电桩", "后排", "中控", "车机",
)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The bundled Chinese chat stop-word list."""
    text = resources.files("needminer.discover").joinpath("resources/stopwords_zh.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _jieba():
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a core dependency
        raise missing_dependency("jieba", "Chinese word segmentation", extra="ml") from None
    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=20000)
    list(jieba.cut("作为"))  # warm the dictionary cache
    return jieba


@lru_cache(maxsize=200_000)
def _tokens(text: str, extra_stop_words: frozenset[str]) -> tuple[str, ...]:
    """Segment once per distinct text: discovery tokenises the same fragments several times
    (keyword topics, BERTopic's vectorizer, c-TF-IDF keywords)."""
    jieba = _jieba()
    stops = stop_words() | extra_stop_words
    out = []
    for tok in jieba.lcut(_PLACEHOLDER.sub(" ", text)):
        tok = tok.strip().lower()
        if len(tok) < 2 or tok in stops or not _KEEP.search(tok) or tok.isdigit():
            continue
        out.append(tok)
    return tuple(out)


class ChineseTokenizer:
    """Callable tokenizer for ``CountVectorizer(tokenizer=..., token_pattern=None)``.

    Keeps words of 2+ characters (or 2+ letters), drops stop words, placeholders such as
    ``[手机号]``, numbers and punctuation.
    """

    def __init__(self, extra_stop_words: frozenset[str] = frozenset()) -> None:
        self.extra_stop_words = extra_stop_words

    def __call__(self, text: str) -> list[str]:
        return list(_tokens(text, self.extra_stop_words))

    # sklearn clones vectorizers; keep the tokenizer picklable-equal and comparable
    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChineseTokenizer) and other.extra_stop_words == self.extra_stop_words

    def __hash__(self) -> int:
        return hash(("ChineseTokenizer", self.extra_stop_words))


def make_vectorizer(min_df: int = 1, ngram_range: tuple[int, int] = (1, 1)):
    """A CountVectorizer that uses ``ChineseTokenizer``."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        tokenizer=ChineseTokenizer(), token_pattern=None, lowercase=False, min_df=min_df, ngram_range=ngram_range
    )
