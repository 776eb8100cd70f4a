"""Chinese tokenisation for keywords and c-TF-IDF: jieba + a chat stop-word list + a domain dictionary
+ noun/verb-phrase candidates.

A phrase candidate is two adjacent words whose parts of speech make a phrase: noun + noun (油皮 底妆),
verb + noun (冲 奶粉, 伤 膝盖), adjective + noun (平均 油耗) or noun + adjective (空间 小). Phrases are
emitted beside the words as single tokens (``PHRASE_SEP`` between the parts), so c-TF-IDF can rank
"油皮底妆" above "油皮" and "底妆" when people say them together. Parts of speech come from jieba's
dictionary, looked up for the words the ordinary segmenter found (``jieba.posseg`` would re-segment
every text with an HMM, about ten times slower); words it does not know start no phrase, and its
tags are taken as they are (it calls 换 a noun, so 换电池 passes as noun + noun).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from needminer.errors import missing_dependency

_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_PLACEHOLDER = re.compile(r"\[[^\]]{1,6}\]")
_ASCII_WORD = re.compile(r"[a-z][a-z0-9]*")

# Domain words jieba splits badly; added once to its dictionary so keywords stay whole.
DOMAIN_WORDS = (
    "伪素颜", "底妆", "粉底液", "气垫", "美妆蛋", "卡粉", "脱妆", "浮粉", "遮瑕", "服帖", "持妆", "控油",
    "防晒霜", "妆前乳", "散粉", "定妆", "素颜霜", "闷痘", "敏感肌", "油皮", "干皮", "混油皮", "熬夜党",
    "上班族", "学生党", "新手妈妈", "宝妈", "夜奶", "吸奶器", "纸尿裤", "红屁屁", "辅食", "奶瓶", "背奶",
    "带娃", "遛娃", "哄睡", "推车", "伞车", "婴儿车",
    "跑鞋", "配速", "膝盖疼", "跑步机", "夜跑", "晨跑", "马拉松", "心率", "运动手表", "腰包", "反光",
    "油耗", "底盘", "异响", "胎噪", "隔音", "顿挫", "续航", "充电桩", "后排", "中控", "车机",
)
# Parts of speech of the domain words that are not nouns (jieba's tag set); the rest are nouns.
_DOMAIN_POS = {
    "卡粉": "v", "脱妆": "v", "浮粉": "v", "闷痘": "v", "服帖": "a", "遮瑕": "vn", "持妆": "vn",
    "控油": "vn", "定妆": "vn", "背奶": "vn", "带娃": "v", "遛娃": "v", "哄睡": "v", "夜跑": "vn", "晨跑": "vn", "膝盖疼": "l", "顿挫": "a",
    "反光": "vn",
}

PHRASE_SEP = " "  # between the parts of a phrase token; ``phrase_text`` joins them for display
MAX_PHRASE_CHARS = 8
# jieba tag → word class for phrase patterns (N noun, V verb, A adjective); other tags start no phrase
_CLASS = {
    **dict.fromkeys(("n", "nz", "ng", "nw", "vn", "an", "j", "nt", "nr", "nrt", "nrfg", "ns", "eng"), "N"),
    **dict.fromkeys(("v", "vi", "vg"), "V"),
    **dict.fromkeys(("a", "ag"), "A"),
}
PHRASE_PATTERNS = frozenset({"NN", "VN", "AN", "NA"})
# Words that are fine on their own (or already stop words) but say nothing inside a phrase:
# asking, wanting, judging and filler words ("有没有 人", "推荐 面霜", "精华 好").
PHRASE_STOP = frozenset({
    "有没有", "求", "求助", "推荐", "需要", "想要", "希望", "喜欢", "觉得", "感觉", "不错", "好", "很好",
    "最好", "根本", "只能", "差点", "起来", "出来", "东西", "问题", "事情", "情况", "时候", "地方", "办法",
    "人", "大家", "朋友", "姐妹", "集美", "宝子", "亲", "一下", "知道", "看看", "试试", "用过", "买过",
})


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The bundled Chinese chat stop-word list."""
    return _word_list("stopwords_zh.txt")


@lru_cache(maxsize=1)
def keyword_stop_words() -> frozenset[str]:
    """Words that are no keywords though they help clustering: need markers (希望, 有没有, 请问 …) and
    generic words (直接, 一次, 问题 …), and English function words and chat filler (you, guys, are):
    an English chat is titled by what it is about, not ``youguysare``. (They stay in the clustering
    vocabulary: taking them out there moved the car sets' needs, NMI −.001 to +.004, for no gain.)"""
    from needminer.text._english import english_stop_words

    return _word_list("keyword_stopwords_zh.txt") | english_stop_words()


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("needminer.text").joinpath(f"resources/{name}").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def _pristine_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default dictionary (prefix frequencies, total) as read from disk, nothing added: read
    once per process (~0.6 s) and copied (~10 ms) into each tokenizer that needs it."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a core dependency
        raise missing_dependency("jieba", "Chinese word segmentation", extra="ml") from None
    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer.FREQ, tokenizer.total


def fresh_jieba_tokenizer():  # noqa: ANN201 - jieba has no type hints
    """A jieba tokenizer of its own with the default dictionary: words added to jieba's global one
    by anything else in the process do not reach it."""
    import jieba

    freq, total = _pristine_dictionary()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    return tokenizer


@lru_cache(maxsize=1)
def load_jieba():
    freq, total = _pristine_dictionary()
    import jieba

    if not jieba.dt.initialized:  # the default dictionary, copied rather than read from disk again
        jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = dict(freq), total, True
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=20000)
    list(jieba.cut("作为"))  # warm the dictionary cache
    return jieba


@lru_cache(maxsize=1)
def _pos_table() -> dict[str, str]:
    """Word → jieba part-of-speech tag, from jieba's dictionary plus the domain words."""
    load_jieba()  # domain words registered first
    import jieba.posseg as pseg

    table = dict(pseg.dt.word_tag_tab)  # loaded at import; a copy, so jieba.posseg is left as it was
    for word in DOMAIN_WORDS:
        table[word] = _DOMAIN_POS.get(word, "n")
    return table


@lru_cache(maxsize=100_000)
def word_class(word: str) -> str:
    """``"N"``, ``"V"``, ``"A"`` or ``""`` (no phrase part) for a lower-cased word."""
    tag = _pos_table().get(word)
    if tag is None and _ASCII_WORD.fullmatch(word):
        tag = "eng"
    return _CLASS.get(tag or "", "")


def is_place(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` as a place name (杭州, 宁波, 西溪)."""
    return _pos_table().get(word) == "ns"


def phrase_text(token: str) -> str:
    """How a token reads: phrase parts joined (``"油皮 底妆"`` → ``"油皮底妆"``), a space kept between
    two Latin-script parts (``"iphone pro"``)."""
    if PHRASE_SEP not in token:
        return token
    a, b = token.split(PHRASE_SEP, 1)
    return f"{a} {b}" if a[-1:].isascii() and b[:1].isascii() else a + b


@lru_cache(maxsize=200_000)
def cut(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` (the shared dictionary with the domain words), once per distinct
    text: discovery and the describer cut the same fragments (at 100k messages, 15k fragments were
    cut twice, ~2 s)."""
    return tuple(load_jieba().lcut(text))


@lru_cache(maxsize=200_000)
def _analyse(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Segment once per distinct text: (words, phrase candidates).

    Discovery tokenises the same fragments several times (keyword topics, BERTopic's vectorizer,
    c-TF-IDF keywords), so the result is cached.
    """
    stops = stop_words()
    raw = [tok.strip().lower() for tok in cut(_PLACEHOLDER.sub(" ", text))]
    words = []
    for tok in raw:
        if len(tok) < 2 or tok in stops or not _KEEP.search(tok) or tok.isdigit():
            continue
        words.append(tok)
    classes = [word_class(tok) if _usable_part(tok, stops) else "" for tok in raw] + [""]
    phrases = []
    for i in range(len(raw) - 1):
        a, b = raw[i], raw[i + 1]
        pattern = classes[i] + classes[i + 1]
        if pattern not in PHRASE_PATTERNS or len(a) + len(b) > MAX_PHRASE_CHARS or max(len(a), len(b)) < 2:
            continue
        if pattern in ("VN", "AN") and classes[i + 2] == "N":
            continue  # 出 恒温 水: the noun belongs to the compound that follows (恒温水), not to 出
        phrases.append(a + PHRASE_SEP + b)
    return tuple(words), tuple(phrases)


def _usable_part(tok: str, stops: frozenset[str]) -> bool:
    return bool(tok) and tok not in stops and tok not in PHRASE_STOP and not tok.isdigit()


def phrase_candidates(text: str) -> list[str]:
    """Noun/verb-phrase candidates of ``text``, as they read (``["油皮底妆"]``)."""
    return [phrase_text(p) for p in _analyse(text)[1]]


class ChineseTokenizer:
    """Callable tokenizer for ``CountVectorizer(tokenizer=..., token_pattern=None)``.

    Keeps words of 2+ characters (or 2+ letters), drops stop words, placeholders such as
    ``[手机号]``, numbers and punctuation; with ``phrases``, noun/verb-phrase candidates follow the
    words as tokens of their own (parts separated by ``PHRASE_SEP``).
    """

    def __init__(self, extra_stop_words: frozenset[str] = frozenset(), phrases: bool = True) -> None:
        self.extra_stop_words = extra_stop_words
        self.phrases = phrases

    def __call__(self, text: str) -> list[str]:
        words, phrases = _analyse(text)
        out = list(words) + list(phrases) if self.phrases else list(words)
        if self.extra_stop_words:
            out = [t for t in out if not set(t.split(PHRASE_SEP)) & self.extra_stop_words]
        return out

    # sklearn clones vectorizers; keep the tokenizer picklable-equal and comparable
    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ChineseTokenizer)
            and other.extra_stop_words == self.extra_stop_words
            and other.phrases == self.phrases
        )

    def __hash__(self) -> int:
        return hash(("ChineseTokenizer", self.extra_stop_words, self.phrases))


def make_vectorizer(min_df: int = 1, ngram_range: tuple[int, int] = (1, 1), phrases: bool = True, *,
                    keywords: bool = False):
    """A CountVectorizer that uses ``ChineseTokenizer``; ``keywords`` also drops ``keyword_stop_words``."""
    from sklearn.feature_extraction.text import CountVectorizer

    extra = keyword_stop_words() if keywords else frozenset()
    return CountVectorizer(
        tokenizer=ChineseTokenizer(extra, phrases=phrases),
        token_pattern=None,
        lowercase=False,
        min_df=min_df,
        ngram_range=ngram_range,
    )
