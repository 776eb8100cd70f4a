"""Person names in text: Chinese names by jieba part-of-speech tags plus precision checks, and
common English given name + surname.

A Chinese name is a common surname (``_SURNAMES``, or a compound one such as 欧阳) followed by one
or two ideographs that jieba's tagger calls a person name (``nr``), and that is not a common
word: jieba's dictionary knows 小雨, 宝宝, 杨梅 or 荣耀 as ``nr`` too, so a word the dictionary
holds with a frequency above ``_MAX_NAME_FREQ`` is never a name here, and neither is a word that
starts at the surname in the dictionary with another tag (高铁, 马上, 周末) or ends there
(上周, 一周). Most lines hold no surname followed by an ideograph that survives these look-ups, so
the tagger runs on a short window around a few candidates only, and not jieba's tagger itself
but a mirror of it that gives the same words and tags (``_word_at``): jieba's dictionary cut of
the window, then its HMM (``_PosHmm``, on numpy arrays) only where the name could be.

    >>> name_spans("找赵敏要发票")
    [(1, 3)]
    >>> name_spans("高铁晚点了，电池也不耐用")
    []
"""

from __future__ import annotations

import re
from functools import lru_cache

from needminer.errors import missing_dependency
from needminer.text._segment import fresh_jieba_tokenizer

# About the 120 most common single-character surnames (they cover ~90 % of people in China).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁"
    "任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严"
    "欧莫孔向常汤康易乔赖文施洪辛柯庄甘牛葛岳鲁殷俞齐童倪蓝聂翟温邢骆凌裴焦纪"
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 慕容 司徒 皇甫 令狐 夏侯 尉迟 公孙 长孙 宇文 端木 南宫 独孤 西门".split()
)
# A given name never starts with these (function words, pronouns, verbs of speech, measure words):
# "王说", "李的", "张也" are a surname-like character before an ordinary word.
_NOT_GIVEN_START = frozenset(
    "的了是在和与跟说要去来也都就还不没很太我你您他她它们吗呢吧啊呀哦嘛啦哈个只把被让给对从到上下里中"
    "这那哪谁什么有无百千万年月日号点分元块次回"
)
# A name does not end in a place or kind suffix: 唐山, 牛街, 王村, 韩式, 唐氏, 金卡, 罗粉, 徐记.
_NOT_NAME_END = frozenset("山村路巷街庄桥镇县区市岗湾屯营府河线州式氏系卡粉丝屏色版款牌记型号店厂家姓哟冠岁图")
# After a numeral or demonstrative a "surname" is a measure word or a noun: 一张卡, 这张图, 两条线.
_NOT_BEFORE = frozenset("一二两三四五六七八九十几每这那哪某多半整")
# Common words jieba tags ``nr`` although it does not know them with a high frequency (measured on
# the chat exports and labelled sets in ../shared/data: see tests/text/test_names.py).
_NOT_NAMES = frozenset(
    "陈皮 杨梅 石家庄 金针菇 黄瓜 黄豆 马桶 马甲 龙虾 龙井 高德 江湖 白菜 白领 牛奶 牛肉 牛逼 钱包 文案 "
    "常规 康复 孔明灯 甘蔗 葛根 岳父 岳母 庄园 温度 向往 汤圆 施工 洪水 "
    "欧巴 欧元 秦朝 金毛 白板 石膏 龙眼 钟表 史诗 段子 雷电 祝福 聂耳 凌晨 焦虑 齐全 童装 童鞋 "
    "余额 叶酸 程序员 罗汉果 金银花 "
    # brands, models and words tagged as names, from the false positives on ../shared/data
    "欧蓝德 欧兰德 马自达 邓禄普 欧司朗 夏普 韩泰 雷神 陆巡 张力 易损 范儿 毛糙 高剪切 高逼格 高素质 "
    "蓝精灵 白平衡 祝您 文青 金贵 高亮 常亮 白锤 谢主 白屏 唐探 谢邀 康康 龙图 姜丝 葛根粉 白衬衫 "
    "白干 乔迁 熊蜂 马王爷 付定金 龙之梦 马连道 张江 金盾 易信 罗生门 金桔 马丹 贺新年 赖皮 顾得".split()
)
_MAX_NAME_FREQ = 20  # a dictionary word said more often than this is an ordinary word
_WINDOW_BEFORE, _WINDOW_AFTER = 2, 4
_CJK_RE = re.compile("[\u4e00-\u9fff]+")
# Zero-width, so that overlapping candidates ("找王李娜") are all seen.
_CANDIDATE_RE = re.compile(
    "(?=(?:" + "|".join(sorted(_COMPOUND_SURNAMES)) + "|[" + "".join(sorted(_SURNAMES)) + "])[\u4e00-\u9fff])"
)
# The same, to find the first candidate in a text: two searches without a look-ahead or an
# alternation at every position are several times faster than one with.
_SURNAME_HEAD_RE = re.compile("[" + "".join(sorted(_SURNAMES)) + "][\u4e00-\u9fff]")
_COMPOUND_HEAD_RE = re.compile("(?:" + "|".join(sorted(_COMPOUND_SURNAMES)) + ")[\u4e00-\u9fff]")
_GIVEN_NAMES = (
    "Adam Alan Albert Alex Alice Amanda Amy Andrew Andy Angela Anna Anne Anthony Ben Betty Bill Bob "
    "Brian Carl Carol Catherine Charles Chris Christine Daniel David Dennis Diana Donald Edward Elizabeth "
    "Emily Emma Eric Frank Fred Gary George Grace Harry Helen Henry Jack James Jane Jason Jeff Jennifer "
    "Jenny Jerry Jessica Jim Joe John Johnny Jonathan Joseph Judy Julia Kate Kelly Kevin Larry Laura "
    "Linda Lisa Lucy Mark Martin Mary Matthew Michael Mike Nancy Nick Olivia Patrick Paul Peter Rachel "
    "Richard Robert Ryan Sam Sarah Scott Steve Steven Susan Thomas Tim Tom Tony Victor William"
).split()
_ENGLISH_NAME_RE = re.compile(
    r"(?<![A-Za-z])(?:" + "|".join(_GIVEN_NAMES) + r")[ .]+[A-Z][a-z]{1,15}(?![A-Za-z])"
)
_UPPER_RE = re.compile("[A-Z]")
_BRACKET_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
_CACHE_MAX = 100_000


@lru_cache(maxsize=1)
def _tagger():  # noqa: ANN202 - jieba has no type hints
    """A private jieba tokenizer and tagger: other stages add words to jieba's global dictionary,
    and redaction must give the same result whatever ran before it in the process."""
    try:
        import jieba
        import jieba.posseg as pseg
    except ImportError:  # pragma: no cover - jieba is a core dependency
        raise missing_dependency("jieba", "recognising person names", extra="ml") from None
    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    tokenizer = fresh_jieba_tokenizer()
    tagger = pseg.POSTokenizer(tokenizer)
    tagger.lcut("作为")  # warm the dictionary and tag table
    # Characters the tagger has seen, with their states: one that was never inside a name
    # cannot continue one, and a character it never saw makes its HMM try every state (slow).
    in_name = frozenset(
        ch for ch, states in pseg.char_state_tab_P.items()
        if any(pos in "ME" and tag.startswith("nr") for pos, tag in states)
    )
    return tokenizer.FREQ, tagger.word_tag_tab, tagger, in_name, frozenset(pseg.char_state_tab_P)


@lru_cache(maxsize=1)
def _hmm() -> _PosHmm:
    """jieba's part-of-speech HMM (``jieba.posseg``), loaded once."""
    _tagger()  # jieba is there, quiet and warm
    import jieba.posseg as pseg

    return _PosHmm(pseg.char_state_tab_P, pseg.start_P, pseg.trans_P, pseg.emit_P)


def _common_word(word: str) -> bool:
    """Whether ``word`` is in jieba's dictionary as something other than a rare name."""
    freq, tags = _tagger()[:2]
    count = freq.get(word, 0)
    if not count:
        return False
    return count > _MAX_NAME_FREQ or not tags.get(word, "").startswith("nr")


def is_common_word(word: str) -> bool:
    """Whether ``word`` is an ordinary word (推车, 宝宝, 小雨) rather than something only a name is.

    Args:
        word: A display name or a piece of text.

    Returns:
        True when jieba's dictionary holds it as a common word or ``_NOT_NAMES`` lists it; a
        dictionary word tagged as a name and shaped like one (surname + 1-2 characters) is not.
    """
    if word in _NOT_NAMES or not _common_word(word):
        return word in _NOT_NAMES
    # A dictionary name shaped like a Chinese name (李四) is a name, however often it is said;
    # 宝宝, 小雨 or 荣耀 (tagged as names too) are not shaped like one.
    freq, tags = _tagger()[:2]
    return not (tags.get(word, "").startswith("nr") and _name_shaped(word))


def _name_shaped(word: str) -> bool:
    surname = 2 if word[:2] in _COMPOUND_SURNAMES else 1
    return (surname == 2 or word[0] in _SURNAMES) and surname + 1 <= len(word) <= surname + 2


def is_whole_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is whole words of ``text`` (jieba's dictionary segmentation of
    the few characters around it has a boundary at both ends): "车太" is not in "婴儿推车太重了".

    Args:
        text: The text.
        start: Start of the piece.
        end: End of the piece (exclusive).

    Returns:
        True when the piece starts and ends on word boundaries.
    """
    a, b = max(0, start - 4), min(len(text), end + 4)
    bounds, pos = {0}, 0
    for word in _tagger()[2].tokenizer.lcut(text[a:b], HMM=False):
        pos += len(word)
        bounds.add(pos)
    return start - a in bounds and end - a in bounds


class _PosHmm:
    """The HMM of ``jieba.posseg`` (its ``viterbi``) on numpy arrays, ten times faster than the
    pure-Python loop and with the same result: the same sums in the same order, so the same
    floats, and a tie goes to the greater (pos, tag) state, as in Python's ``max`` over
    ``(prob, state)`` pairs. States are numbered greatest first, so that ``argmax``, which keeps
    the first of equal values, keeps that one."""

    def __init__(self, char_states, start, trans, emit) -> None:  # noqa: ANN001 - jieba's tables
        import numpy as np

        self.states = sorted(trans, reverse=True)
        index = {state: k for k, state in enumerate(self.states)}
        n = len(self.states)
        self.trans = np.full((n, n), float("-inf"))  # jieba's MIN_INF for a missing transition
        self.follows = np.zeros((n, n), dtype=bool)
        for state, nexts in trans.items():
            for nxt, prob in nexts.items():
                self.trans[index[state], index[nxt]] = prob
                self.follows[index[state], index[nxt]] = True
        self.goes_on = self.follows.any(axis=1)
        self.start = np.array([start[state] for state in self.states])
        emitted: dict[str, tuple[list[int], list[float]]] = {}
        for state, probs in emit.items():
            for ch, prob in probs.items():
                at, values = emitted.setdefault(ch, ([], []))
                at.append(index[state])
                values.append(prob)
        self.emitted = {ch: (np.array(at, dtype=np.intp), np.array(values)) for ch, (at, values) in emitted.items()}
        self.char_states = {
            ch: np.array(sorted({index[state] for state in sts}), dtype=np.intp) for ch, sts in char_states.items()
        }
        self.every = np.ones(n, dtype=bool)

    @lru_cache(maxsize=4096)  # noqa: B019 - one instance per process (``_hmm``)
    def emission(self, ch: str):  # noqa: ANN201
        """The states ``ch`` may take (every state for a character the HMM never saw) as a mask,
        and the log-probability of each state emitting ``ch`` (MIN_FLOAT where it never did)."""
        import numpy as np

        mask, known = self.every, self.char_states.get(ch)
        if known is not None:
            mask = np.zeros(len(self.states), dtype=bool)
            mask[known] = True
        emit = np.full(len(self.states), -3.14e100)
        if ch in self.emitted:
            at, values = self.emitted[ch]
            emit[at] = values
        return mask, emit

    def _states(self, cur):  # noqa: ANN001, ANN202
        """``cur``, where in it the states that some state can follow are, those states, and
        those as bytes (a cache key)."""
        import numpy as np

        alive = np.flatnonzero(self.goes_on.take(cur))
        prev = cur.take(alive)
        return cur, alive, prev, prev.tobytes()

    @lru_cache(maxsize=4096)  # noqa: B019
    def expect(self, prev: bytes):  # noqa: ANN201
        """The states that can follow one of ``prev`` (state numbers as bytes)."""
        import numpy as np

        return self.follows[np.frombuffer(prev, dtype=np.intp)].any(axis=0)

    @lru_cache(maxsize=4096)  # noqa: B019
    def first(self, ch: str):  # noqa: ANN201
        """The states of a first character ``ch`` and their start scores."""
        import numpy as np

        mask, emit = self.emission(ch)
        cur = np.flatnonzero(mask)
        return self._states(cur), self.start.take(cur) + emit.take(cur)

    @lru_cache(maxsize=16384)  # noqa: B019
    def step(self, prev: bytes, ch: str):  # noqa: ANN201
        """The states jieba's ``viterbi`` tries for ``ch`` after the states ``prev`` (as bytes):
        those ``ch`` may take that can follow one of them, else all that can follow one."""
        import numpy as np

        expect = self.expect(prev)
        mask, emit = self.emission(ch)
        nxt = np.flatnonzero(mask & expect)
        if not len(nxt):
            nxt = np.flatnonzero(expect)
        return self._states(nxt), emit.take(nxt), np.arange(len(nxt))

    def route(self, obs: str) -> list[tuple[str, str]] | None:
        """The most likely (pos, tag) state of every character of ``obs``; None where jieba's
        ``viterbi`` would fail (no state can follow the previous ones)."""
        (cur, alive, prev, key), v = self.first(obs[0])
        curs, backs = [cur], []
        for ch in obs[1:]:
            if not len(prev):
                return None
            (cur, next_alive, next_prev, next_key), emit, columns = self.step(key, ch)
            scores = v.take(alive)[:, None] + self.trans.take(prev, 0).take(cur, 1)
            scores += emit
            best = scores.argmax(axis=0)
            v = scores[best, columns]
            backs.append(alive.take(best))  # where in the previous states each best one is
            curs.append(cur)
            alive, prev, key = next_alive, next_prev, next_key
        k = int(v.argmax())
        path = [self.states[cur[k]]]
        for cur, back in zip(reversed(curs[:-1]), reversed(backs)):
            k = back[k]
            path.append(self.states[cur[k]])
        path.reverse()
        return path


def _hmm_words(buf: str) -> list[tuple[str, str]] | None:
    """``jieba.posseg``'s HMM cut of an all-ideograph ``buf`` (its ``__cut``) as (word, flag)."""
    route = _hmm().route(buf)
    if route is None:
        return None
    words, begin, nexti = [], 0, 0
    for i, (pos, tag) in enumerate(route):
        if pos == "B":
            begin = i
        elif pos == "E":
            words.append((buf[begin : i + 1], tag))
            nexti = i + 1
        elif pos == "S":
            words.append((buf[i], tag))
            nexti = i + 1
    if nexti < len(buf):
        words.append((buf[nexti:], route[nexti][1]))
    return words


def _name_word(word: str) -> bool:
    """The checks a word jieba tags as a person must pass to be a name here."""
    surname = 2 if word[:2] in _COMPOUND_SURNAMES else 1
    return (
        surname + 1 <= len(word) <= surname + 2
        and (surname == 2 or word[0] in _SURNAMES)
        and word not in _NOT_NAMES
        and word[-1] not in _NOT_NAME_END
        and not _common_word(word)
        and _CJK_RE.fullmatch(word) is not None
    )


# Windows jieba's tagger takes as one block of ideographs (``re_han_internal``), cut the way
# ``_word_at`` mirrors; anything else goes to the tagger itself.
_JIEBA_HAN_RE = re.compile("[\u4e00-\u9fd5]+")


class _Recogniser:
    """Names in runs of ideographs. The checks on a candidate and the characters after it, and
    the tagger's answer on a window, are each worked out once (cached)."""

    def __init__(self) -> None:
        self.ahead: dict[tuple[str, int], int] = {}  # (surname + what follows, surname length) -> window end
        self.tagged: dict[tuple[str, int], int] = {}  # (window, surname position) -> name length

    def run_spans(self, run: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        taken_to = 0
        known = _tagger()[4]
        for m in _CANDIDATE_RE.finditer(run):
            i = m.start()
            if i < taken_to:
                continue
            surname = 2 if run[i : i + 2] in _COMPOUND_SURNAMES and i + 2 < len(run) else 1
            key = (run[i : i + surname + _WINDOW_AFTER], surname)
            end = self.ahead.get(key)
            if end is None:
                end = _ahead(*key)
                if len(self.ahead) < _CACHE_MAX:
                    self.ahead[key] = end
            if not end or (i and (run[i - 1] in _NOT_BEFORE or _word_ends_at(run, i))):
                continue
            # The window stops at characters the tagger never saw (they cost it every state).
            a = i
            while a > max(0, i - _WINDOW_BEFORE) and run[a - 1] in known:
                a -= 1
            size = self.name_in(run[a : i + end], i - a)
            if size:
                spans.append((i, i + size))
                taken_to = i + size
        return spans

    def name_in(self, window: str, p: int) -> int:
        """Length of the name jieba's tagger finds starting at ``window[p]``, or 0."""
        key = (window, p)
        size = self.tagged.get(key)
        if size is None:
            word = _word_at(window, p)
            if word is None:  # a window the mirror does not cover: ask the tagger
                size = next((e - s for s, e in _tagged(window) if s == p), 0)
            else:
                size = len(word[0]) if word[1].startswith("nr") and _name_word(word[0]) else 0
            if len(self.tagged) < _CACHE_MAX:
                self.tagged[key] = size
        return size


def _ahead(ahead: str, surname: int) -> int:
    """The checks on a candidate that look at it and what follows it only (``ahead``, which
    starts at the surname): where the tagger's window ends, relative to the surname, or 0 when
    they rule the name out."""
    in_name, known = _tagger()[3:]
    given = ahead[surname]
    if given not in in_name or given in _NOT_GIVEN_START:
        return 0
    for n in (2, 3, 4):  # an ordinary word starts at the surname: 高铁, 马上, 周末, 黄金价格
        if n <= len(ahead) and _common_word(ahead[:n]):
            return 0
    b = surname + 1
    while b < min(len(ahead), surname + _WINDOW_AFTER) and ahead[b] in known:
        b += 1
    # The tagger is asked only when some word from the surname could pass the checks.
    return b if any(_name_word(ahead[:e]) for e in range(2, min(b, 4) + 1)) else 0


def _word_ends_at(run: str, i: int) -> bool:
    """Whether an ordinary word ends on the surname ``run[i]``: 上周, 一周, 四周."""
    return any(i - n + 1 >= 0 and _common_word(run[i - n + 1 : i + 1]) for n in (2, 3))


def _tagged(window: str) -> list[tuple[int, int]]:
    """Spans of the words jieba's tagger tags as a person in ``window`` that pass the checks."""
    found, pos = [], 0
    for token in _tagger()[2].lcut(window):
        start, pos = pos, pos + len(token.word)
        if token.flag.startswith("nr") and _name_word(token.word):
            found.append((start, pos))
    return found


def _word_at(window: str, p: int) -> tuple[str, str] | None:
    """The (word, flag) that jieba's tagger gives starting at ``window[p]``, as ``_tagged`` sees
    it, for less: ("", "") when no word that could be a name starts there, None when the
    window is not one block of ideographs (left to the tagger itself).

    jieba cuts the window by its dictionary first and runs its HMM only on runs of single
    characters that the dictionary cannot join, so only the run holding ``p`` needs the HMM.
    The HMM's words tile the run (a B state is always followed by M or E, an E or S by B or S),
    which keeps positions the same as counting the tagger's words from the start.
    """
    if _JIEBA_HAN_RE.fullmatch(window) is None:
        return None
    tags, tagger = _tagger()[1:3]
    tokenizer = tagger.tokenizer
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(window, tokenizer.get_DAG(window), route)
    x, run_start, n = 0, 0, len(window)  # window[run_start:x]: single characters so far
    while x < n:
        y = route[x][1] + 1
        if y - x > 1:  # a dictionary word, after the run before it
            if run_start <= p < x:
                return _run_word(window[run_start:x], p - run_start)
            if x <= p < y:
                return (window[x:y], tags.get(window[x:y], "x")) if x == p else ("", "")
            run_start = y
        x = y
    return _run_word(window[run_start:], p - run_start) if run_start <= p else ("", "")


def _run_word(run: str, q: int) -> tuple[str, str] | None:
    """The word jieba's tagger gives at ``run[q]`` in a run of single characters."""
    freq, tags = _tagger()[:2]
    if len(run) == 1 or freq.get(run):  # taken a character at a time
        return run[q], tags.get(run[q], "x")
    # The HMM's words stay inside the run: when no 2-4 characters from q could pass the
    # checks (a surname at the end of the run, most often), its answer does not matter.
    if not any(_name_word(run[q:e]) for e in range(q + 2, min(len(run), q + 4) + 1)):
        return "", ""
    words = _hmm_words(run)
    if words is None:
        return None
    at = 0
    for word in words:
        if at == q:
            return word
        at += len(word[0])
    return "", ""


_RECOGNISER = _Recogniser()


def _next_candidate(text: str, pos: int) -> re.Match[str] | None:
    """The first surname (single or compound) followed by an ideograph from ``pos`` on."""
    single, compound = _SURNAME_HEAD_RE.search(text, pos), _COMPOUND_HEAD_RE.search(text, pos)
    if single is None or (compound is not None and compound.start() < single.start()):
        return compound
    return single


def name_spans(text: str) -> list[tuple[int, int]]:
    """Find person names in ``text``.

    Args:
        text: Message text, best after ``normalize``. A name right after "@" is left to the
            mention handling, and placeholders or emoticon codes (``[手机号]``) are skipped.

    Returns:
        Non-overlapping ``(start, end)`` spans, sorted by ``start``.
    """
    if not text:
        return []
    spans: list[tuple[int, int]] = []
    found = _next_candidate(text, 0)
    protected = None
    while found is not None:  # each run of ideographs that holds a candidate, once
        start, end = found.start(), _CJK_RE.match(text, found.start()).end()
        while start and "\u4e00" <= text[start - 1] <= "\u9fff":
            start -= 1
        if protected is None:
            protected = [m.span() for m in _BRACKET_RE.finditer(text)] if "[" in text else ()
        if not any(s <= start < e for s, e in protected):
            for s, e in _RECOGNISER.run_spans(text[start:end]):
                if start + s and text[start + s - 1] == "@":
                    continue
                spans.append((start + s, start + e))
        found = _next_candidate(text, end)
    if _UPPER_RE.search(text) is not None:
        for m in _ENGLISH_NAME_RE.finditer(text):
            if m.start() and text[m.start() - 1] == "@":
                continue
            if not any(m.start() < e and s < m.end() for s, e in spans):
                spans.append(m.span())
        spans.sort()
    return spans
