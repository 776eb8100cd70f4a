"""Person names in text: Chinese names by jieba part-of-speech tags plus precision checks, and
common English given name + surname.

A Chinese name is a common surname (``_SURNAMES``, or a compound one such as 欧阳) followed by one
or two ideographs that jieba's tagger calls a person name (``nr``), and that is not a common
word: jieba's dictionary knows 小雨, 宝宝, 杨梅 or 荣耀 as ``nr`` too, so a word the dictionary
holds with a frequency above ``_MAX_NAME_FREQ`` is never a name here, and neither is a word that
starts at the surname in the dictionary with another tag (高铁, 马上, 周末) or ends there
(上周, 一周). Most lines hold no surname followed by an ideograph that survives these look-ups, so
the tagger (slow on rare characters) runs on a short window around a few candidates only.

    >>> name_spans("找赵敏要发票")
    [(1, 3)]
    >>> name_spans("高铁晚点了，电池也不耐用")
    []
"""

from __future__ import annotations

import re
from functools import lru_cache

from needminer.errors import missing_dependency

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
    tokenizer = jieba.Tokenizer()
    tagger = pseg.POSTokenizer(tokenizer)
    tagger.lcut("作为")  # warm the dictionary and tag table
    # Characters the tagger has seen, with their states: one that was never inside a name
    # cannot continue one, and a character it never saw makes its HMM try every state (slow).
    in_name = frozenset(
        ch for ch, states in pseg.char_state_tab_P.items()
        if any(pos in "ME" and tag.startswith("nr") for pos, tag in states)
    )
    return tokenizer.FREQ, tagger.word_tag_tab, tagger, in_name, frozenset(pseg.char_state_tab_P)


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


def _blocked(run: str, i: int, surname: int) -> bool:
    """Cheap dictionary look-ups that rule out a name starting at ``run[i]``."""
    if run[i + surname] in _NOT_GIVEN_START:
        return True
    for n in (2, 3, 4):  # an ordinary word starts at the surname: 高铁, 马上, 周末, 黄金价格
        if i + n <= len(run) and _common_word(run[i : i + n]):
            return True
    # … or ends on it: 上周, 一周, 四周
    return any(i - n + 1 >= 0 and _common_word(run[i - n + 1 : i + 1]) for n in (2, 3))


class _Recogniser:
    def __init__(self) -> None:
        self.cache: dict[str, tuple[tuple[int, int], ...]] = {}

    def tagged(self, window: str) -> tuple[tuple[int, int], ...]:
        """Spans of the name tokens jieba's tagger finds in ``window`` that pass the checks."""
        hit = self.cache.get(window)
        if hit is not None:
            return hit
        tagger = _tagger()[2]
        found, pos = [], 0
        for token in tagger.lcut(window):
            word, flag = token.word, token.flag
            start, pos = pos, pos + len(word)
            surname = 2 if word[:2] in _COMPOUND_SURNAMES else 1
            if (
                flag.startswith("nr")
                and surname + 1 <= len(word) <= surname + 2
                and (surname == 2 or word[0] in _SURNAMES)
                and word not in _NOT_NAMES
                and word[-1] not in _NOT_NAME_END
                and not _common_word(word)
                and _CJK_RE.fullmatch(word)
            ):
                found.append((start, pos))
        hit = tuple(found)
        if len(self.cache) < _CACHE_MAX:
            self.cache[window] = hit
        return hit

    def run_spans(self, run: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        taken_to = 0
        in_name, known = _tagger()[3:]
        for m in _CANDIDATE_RE.finditer(run):
            i = m.start()
            if i < taken_to:
                continue
            surname = 2 if run[i : i + 2] in _COMPOUND_SURNAMES and i + 2 < len(run) else 1
            if (
                run[i + surname] not in in_name
                or (i and run[i - 1] in _NOT_BEFORE)
                or _blocked(run, i, surname)
            ):
                continue
            # The window stops at characters the tagger never saw (they cost it every state).
            a = i
            while a > max(0, i - _WINDOW_BEFORE) and run[a - 1] in known:
                a -= 1
            b = i + surname + 1
            while b < min(len(run), i + surname + _WINDOW_AFTER) and run[b] in known:
                b += 1
            for s, e in self.tagged(run[a:b]):
                if a + s == i:
                    spans.append((i, a + e))
                    taken_to = a + e
                    break
        return spans


_RECOGNISER = _Recogniser()


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
    if text.isascii():
        runs = ()
    else:
        protected = [m.span() for m in _BRACKET_RE.finditer(text)] if "[" in text else []
        runs = (
            m for m in _CJK_RE.finditer(text)
            if _CANDIDATE_RE.search(m.group(0)) is not None
            and not any(s <= m.start() < e for s, e in protected)
        )
    for m in runs:
        base = m.start()
        for s, e in _RECOGNISER.run_spans(m.group(0)):
            if base + s and text[base + s - 1] == "@":
                continue
            spans.append((base + s, base + e))
    if any("A" <= c <= "Z" for c in text):
        for m in _ENGLISH_NAME_RE.finditer(text):
            if m.start() and text[m.start() - 1] == "@":
                continue
            if not any(m.start() < e and s < m.end() for s, e in spans):
                spans.append(m.span())
        spans.sort()
    return spans
