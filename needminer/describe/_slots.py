"""Slot candidates from what members write, not from a list written around one demo.

* 人群 (persona): the ways members of *this* corpus name themselves — self-descriptions
  (我是研究生, 作为宝妈, 身为程序员) and group words in their texts (学生党, 上班族, 苹果用户, 老玩家,
  新手妈妈, 油皮, 敏感肌), found by word shape (a person suffix after a content word), not by a list.
* 场景 (scene): time, place and activity words of everyday Chinese (a broad, domain-free list:
  早上, 下雨天, 通勤, 宿舍 …) and the situations members spell out themselves (下雨的时候 → 下雨,
  每次出差 → 出差).
* 期望 qualities: general product qualities (快, 方便, 安静, 耐用, 轻便 …).

These only *propose* candidates: a slot is filled when enough members of the need say the word
(``said_words``), so an empty slot stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from needminer.text import banned

# Self-descriptions (我是学生, 作为宝妈, 身为程序员): the described word counts when it names people.
SELF = re.compile(r"(?:我是|我们是|作为|身为)(?:一[个名位枚]|个)?([\u4e00-\u9fff]{1,4}?(?:党|族|妈妈|妈|爸|人|友|主|生|者|员|师|皮|肌))")
# A token that is itself a group word: X党 / X族 of three characters or more (学生党, 上班族, 月光族;
# 民族, 政党 and 死党 are two), X友 (跑友, 车友, 病友; not 朋友 or 室友), a parent (新手妈妈, 二胎妈妈, 宝妈, 宝爸), a skin type (油皮, 敏感肌).
_GROUP_TOKEN = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,4}[党族]|[\u4e00-\u9fff]{1,2}友|[\u4e00-\u9fff]{2,4}(?:妈妈|爸爸)|宝妈|宝爸|打工人|"
    r"(?:油|干|混油|混干|混合|中性|油痘|痘痘|敏感)(?:皮|肌)|敏感肌|痘肌)$"
)
_NOT_GROUP = frozenset({"共产党", "国民党", "民主党", "共和党", "少数民族", "中华民族", "爸爸妈妈", "我的妈妈", "他妈妈", "她妈妈",
                        # friends of somebody, not a group of members (跑友, 车友, 病友 are)
                        "朋友", "好友", "网友", "室友", "男友", "女友", "亲友", "盆友", "队友", "战友", "交友", "友友", "老友",
                        "基友", "闺友", "男朋友", "女朋友", "小朋友", "好朋友"})
# Person nouns that follow what they qualify as a separate token (苹果 用户, 老 玩家, 特斯拉 车主).
_PERSON_HEADS = frozenset({"用户", "玩家", "车主", "家长", "党", "族", "粉丝", "新手", "新生", "老生", "考生", "妈妈", "爸爸", "宝妈"})
_NOT_QUALIFIER = frozenset({
    "我", "你", "他", "她", "我们", "你们", "他们", "她们", "大家", "各位", "这些", "那些", "一些", "有些", "很多", "好多",
    "所有", "其他", "别的", "这个", "那个", "一个", "个", "的", "是", "都", "也", "和", "跟", "做", "当", "给", "让", "被",
})
_NEEDS_GROUP_CHECK = re.compile(r"[党族妈爸皮肌人友]|用户|玩家|车主|家长|粉|新手|新生|老生|考生")

# Everyday time, place and activity words (domain-free): candidates for the scene slot.
TIME_WORDS: tuple[str, ...] = (
    # times of day, week and year
    "早上", "早晨", "一大早", "上午", "中午", "午休", "下午", "傍晚", "晚上", "夜里", "半夜", "深夜", "凌晨", "睡前",
    "周末", "工作日", "假期", "放假", "节假日", "春节", "过年", "国庆", "暑假", "寒假", "开学", "期末", "考试周",
    "春天", "夏天", "秋天", "冬天", "换季", "梅雨季",
    # weather
    "下雨", "雨天", "下雨天", "下雪", "高温", "降温", "潮湿", "闷热", "大风",
)
# What members do when a need arises (never the object of a need themselves).
ACTIVITY_WORDS: tuple[str, ...] = (
    "上班", "下班", "下班后", "加班", "熬夜", "通宵", "夜班", "开会", "出差", "通勤", "上班路上", "上课", "自习", "考试",
    "出门", "出门前", "外出", "在外", "旅行", "旅游", "出游", "自驾", "露营", "运动", "跑步", "夜跑", "晨跑", "健身",
    "骑行", "爬山", "游泳", "开车", "停车", "做饭", "洗澡", "起床", "睡觉", "化妆", "带娃", "遛娃", "喂奶", "夜奶", "出汗",
    "赶时间", "来不及", "匆忙",
)
# Where (may also be what a need is about: 宿舍, 食堂, 高铁).
PLACE_WORDS: tuple[str, ...] = (
    "地铁", "公交", "高峰期", "宿舍", "食堂", "图书馆", "教室", "实验室", "办公室", "户外", "飞机", "高铁", "火车", "酒店",
    "机场", "商场", "超市", "医院", "家里", "老家", "高速",
)
SCENE_WORDS: tuple[str, ...] = tuple(dict.fromkeys((*TIME_WORDS, *ACTIVITY_WORDS, *PLACE_WORDS)))
# A situation spelled out: the word before 的时候 / 时候 (下雨的时候 → 下雨) or after 每次 / 每当 / 一到.
_SITUATION_HINT = re.compile(r"时候|每次|每当|一到")
_BEFORE = frozenset({"时候"})
_AFTER = frozenset({"每次", "每当", "一到"})

# Words that say what is wanted: the expectation slot starts after them.
WISH_MARKERS = ("希望", "想要", "要是", "如果能", "最好能", "能不能", "有没有", "求", "期待", "想找", "想买", "其实我想要的是",
                "想要的是", "想要的就是")

# General product qualities members ask for or miss (domain-free): candidates for the 期望 slot.
QUALITY_WORDS: tuple[str, ...] = tuple(dict.fromkeys((
    "快速", "省时", "省事", "方便", "简单", "省心", "便宜", "实惠", "平价", "性价比", "安静", "静音", "安全", "稳定", "流畅",
    "耐用", "结实", "清楚", "清晰", "准确", "准时", "及时", "轻便", "轻薄", "便携", "小巧", "舒服", "舒适", "透气", "温和",
    "自然", "持久", "服帖", "干净", "卫生", "新鲜", "好吃", "健康", "环保", "省电", "大容量", "防水", "保暖", "可折叠",
    "赶时间", "一步到位",
)))


def persona_candidates(texts: Iterable[str], tokenize) -> list[str]:
    """Person words members use in ``texts``: self-descriptions and group words, in first-seen order.

    ``tokenize`` cuts a text into words (jieba's ``lcut``); only texts holding a person suffix are cut.
    """
    found: dict[str, None] = {}
    for text in texts:
        for m in SELF.findall(text):
            if not m.startswith("说") and not banned(m):
                found.setdefault(m)
        if not _NEEDS_GROUP_CHECK.search(text):
            continue
        toks = tokenize(text)
        for i, tok in enumerate(toks):
            word = ""
            if _GROUP_TOKEN.match(tok) and tok not in _NOT_GROUP:
                word = tok
            elif tok in _PERSON_HEADS and i > 0:
                prev = toks[i - 1]
                if (prev not in _NOT_QUALIFIER and re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{1,4}", prev)
                        and not (len(prev) == 1 and prev not in "老新")):
                    word = prev + tok
            if word and not banned(word):
                found.setdefault(word)
    return list(found)


@lru_cache(maxsize=4096)
def _is_doing_or_time(word: str) -> bool:
    """A situation is something done or a time (下雨, 出差, 周末), not a thing (涂面霜的时候 → 面霜 is none)."""
    import jieba.posseg as pseg

    flags = [p.flag for p in pseg.cut(word)]
    return bool(flags) and flags[-1][0] in "vt"


def scene_candidates(texts: Iterable[str], tokenize) -> list[str]:
    """The everyday scene words plus the situations members spell out (每次出差, 下雨的时候)."""
    said: dict[str, None] = {}
    for text in texts:
        if not _SITUATION_HINT.search(text):
            continue
        toks = [t for t in tokenize(text) if t.strip()]
        for i, tok in enumerate(toks):
            if tok in _BEFORE:
                j = i - 2 if i >= 2 and toks[i - 1] == "的" else i - 1
            elif tok in _AFTER:
                j = i + 1
            else:
                continue
            if 0 <= j < len(toks):
                w = toks[j]
                if (re.fullmatch(r"[\u4e00-\u9fff]{2,4}", w) and w not in _NOT_QUALIFIER and not banned(w)
                        and _is_doing_or_time(w)):
                    said.setdefault(w)
    return list(dict.fromkeys((*SCENE_WORDS, *said)))
