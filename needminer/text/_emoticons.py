"""WeChat/QQ emoticon codes and emoji, kept in the text as meaning tokens with a category."""

from __future__ import annotations

import re

# Meaning categories. The signals stage reads them for intensity and sentiment ("cry" and
# "angry" raise the intensity of a pain; "laugh" after a complaint softens it).
CATEGORIES = (
    "laugh", "smile", "cry", "sad", "angry", "awkward", "surprise", "love",
    "approve", "disapprove", "doubt", "tired", "sick", "celebrate", "other",
)

# WeChat bracket names ("[捂脸]") → category. QQ exports the same names as "[/捂脸]" or "/捂脸".
_NAMED: dict[str, str] = {}
for _cat, _names in {
    "laugh": "呲牙 偷笑 憨笑 大笑 愉快 坏笑 奸笑 破涕为笑 笑脸 嘿哈 耶 666 社会社会 旺柴 调皮 得意 "
    "机智 哈哈 跳跳 转圈 发呆",
    "smile": "微笑 可爱 悠闲 害羞 脸红 好的 让我看看 酷",
    "cry": "流泪 大哭 快哭了 委屈 可怜 泪奔 苦涩",
    "sad": "难过 衰 失望 心碎 凋谢 叹气 裂开 撇嘴",
    "angry": "发怒 抓狂 咒骂 鄙视 白眼 翻白眼 傲慢 左哼哼 右哼哼 菜刀 炸弹 刀 敲打 打脸 皱眉 差劲 便便",
    "awkward": "捂脸 尴尬 汗 擦汗 冷汗 流汗 囧 无语 糗大了 抠鼻 Emm 阴险 嘘 闭嘴",
    "surprise": "惊讶 惊恐 吓 恐惧 天啊 哇 晕 疯了 发抖",
    "love": "色 亲亲 爱心 嘴唇 爱你 玫瑰 拥抱 示爱 飞吻 亲吻",
    "approve": "强 OK 胜利 握手 抱拳 鼓掌 加油 奋斗 合十 拳头 勾引 吃瓜",
    "disapprove": "弱 NO",
    "doubt": "疑问",
    "tired": "困 睡 哈欠",
    "sick": "吐 生病 骷髅",
    "celebrate": "庆祝 礼物 红包 发 福 烟花 爆竹 蛋糕 啤酒 咖啡 月亮 太阳 西瓜 篮球 乒乓 饭 猪头 闪电 足球 瓢虫",
}.items():
    for _name in _names.split():
        _NAMED.setdefault(_name, _cat)

# Old-style slash codes used by WeChat and QQ ("/::D" is 呲牙); mapped to the bracket form.
_SLASH_CODES: dict[str, str] = {
    "/::)": "微笑", "/::~": "撇嘴", "/::B": "色", "/::|": "发呆", "/:8-)": "得意", "/::<": "流泪",
    "/::$": "害羞", "/::X": "闭嘴", "/::Z": "睡", "/::'(": "大哭", "/::-|": "尴尬", "/::@": "发怒",
    "/::P": "调皮", "/::D": "呲牙", "/::O": "惊讶", "/::(": "难过", "/::+": "酷", "/:--b": "冷汗",
    "/::Q": "抓狂", "/::T": "吐", "/:,@P": "偷笑", "/:,@-D": "愉快", "/::d": "白眼", "/:,@o": "傲慢",
    "/:|-)": "困", "/::!": "惊恐", "/::L": "流汗", "/::>": "憨笑", "/::,@": "悠闲", "/:,@f": "奋斗",
    "/::-S": "咒骂", "/:?": "疑问", "/:,@x": "嘘", "/:,@@": "晕", "/::8": "疯了", "/:,@!": "衰",
    "/:!!!": "骷髅", "/:xx": "敲打", "/:bye": "再见", "/:wipe": "擦汗", "/:dig": "抠鼻",
    "/:handclap": "鼓掌", "/:&-(": "糗大了", "/:B-)": "坏笑", "/:<@": "左哼哼", "/:@>": "右哼哼",
    "/::-O": "哈欠", "/:>-|": "鄙视", "/:P-(": "委屈", "/::'|": "快哭了", "/:X-)": "阴险",
    "/::*": "亲亲", "/:@x": "吓", "/:8*": "可怜", "/:pd": "菜刀", "/:<W>": "西瓜", "/:beer": "啤酒",
    "/:coffee": "咖啡", "/:pig": "猪头", "/:rose": "玫瑰", "/:fade": "凋谢", "/:showlove": "嘴唇",
    "/:heart": "爱心", "/:break": "心碎", "/:cake": "蛋糕", "/:bome": "炸弹", "/:shit": "便便",
    "/:moon": "月亮", "/:sun": "太阳", "/:gift": "礼物", "/:hug": "拥抱", "/:strong": "强",
    "/:weak": "弱", "/:share": "握手", "/:v": "胜利", "/:@)": "抱拳", "/:jj": "勾引", "/:@@": "拳头",
    "/:bad": "差劲", "/:lvu": "爱你", "/:no": "NO", "/:ok": "OK",
}
_NAMED.setdefault("再见", "other")

# Emoji (first code point, without variation selector) → category. Unlisted emoji are "other".
_EMOJI: dict[str, str] = {}
for _cat, _chars in {
    "laugh": "😂🤣😄😆😁😀😃😅😹😝😜😛🤪😸",
    "smile": "🙂😊☺😌😇🤗😉",
    "cry": "😭😢🥲😿🥺",
    "sad": "😞😔😟☹🙁😥💔😣😖",
    "angry": "😡😠🤬💢👿😤🖕",
    "awkward": "🤦😓😰😬🙃🫠🤷😶😑😐🙄😒",
    "surprise": "😮😲😱😳🤯😯😦😧",
    "love": "❤😍🥰😘💕💖💗💓💞💘♥🧡💛💚💙💜",
    "approve": "👍👌💪🙏👏✌🤝💯✅",
    "disapprove": "👎❌🙅",
    "doubt": "🤔❓❔",
    "tired": "😩😫😪😴🥱",
    "sick": "🤢🤮🤒🤧😷",
    "celebrate": "🎉🎊🎁🔥✨🌹🧧",
}.items():
    for _ch in _chars:
        _EMOJI.setdefault(_ch, _cat)

_EMOJI_CHARS = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
EMOJI_CLASS = f"[{_EMOJI_CHARS}]"
# An emoji sequence: base, optional variation selector / skin tone, optional ZWJ continuations.
_EMOJI_SEQ = (
    f"[{_EMOJI_CHARS}][\uFE0F\U0001F3FB-\U0001F3FF]*"
    f"(?:\u200d[{_EMOJI_CHARS}][\uFE0F\U0001F3FB-\U0001F3FF]*)*"
)


def _alternation(keys: list[str]) -> str:
    # Longest first so "/::-O" wins over "/::-" prefixes and "破涕为笑" over shorter names.
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


# "[/捂脸]" (QQ) → "[捂脸]"; "/捂脸" (QQ, names of >= 2 chars only) → "[捂脸]"; "/::D" → "[呲牙]".
_CANON_RE = re.compile(
    rf"\[/({_alternation(list(_NAMED))})\]"
    rf"|(?<!\[)/({_alternation([n for n in _NAMED if len(n) >= 2 and not n.isascii()])})"
    rf"|({_alternation(list(_SLASH_CODES))})"
)
_TOKEN_RE = re.compile(rf"\[({_alternation(list(_NAMED) + ['再见'])})\]|({_EMOJI_SEQ})")


def _canon_sub(m: re.Match[str]) -> str:
    name = m.group(1) or m.group(2) or _SLASH_CODES[m.group(3)]
    return f"[{name}]"


def canonicalize_emoticons(text: str) -> str:
    """Rewrite QQ and slash-style emoticon codes to the WeChat bracket form ``[名称]``.

    Args:
        text: Text after width folding and traditional → simplified conversion.

    Returns:
        The text with ``/::D``, ``[/捂脸]`` and ``/捂脸`` written as ``[呲牙]``, ``[捂脸]``, ``[捂脸]``.
    """
    if "/" not in text:
        return text
    return _CANON_RE.sub(_canon_sub, text)


class Emoticon(str):
    """An emoticon token as it appears in the text (``"[捂脸]"``, ``"😭"``) with its meaning.

    It is a ``str``, so it compares equal to the token; ``category`` is one of ``CATEGORIES``.
    """

    category: str

    def __new__(cls, token: str, category: str = "other") -> Emoticon:
        obj = super().__new__(cls, token)
        obj.category = category
        return obj

    def __repr__(self) -> str:
        return f"Emoticon({str.__repr__(self)}, {self.category!r})"


def emoticon_category(token: str) -> str:
    """Meaning category of one emoticon token (``"[捂脸]"`` → ``"awkward"``, ``"😭"`` → ``"cry"``).

    Args:
        token: A bracket code, a slash code or an emoji sequence.

    Returns:
        One of ``CATEGORIES``; ``"other"`` for an unknown token.
    """
    if token.startswith("[") and token.endswith("]"):
        return _NAMED.get(token[1:-1].lstrip("/"), "other")
    if token in _SLASH_CODES:
        return _NAMED.get(_SLASH_CODES[token], "other")
    return _EMOJI.get(token[:1], "other") if token else "other"


def emoticon_tokens(text: str) -> list[str]:
    """List the emoticons of a normalised text, in order, each with its meaning category.

    Args:
        text: Output of ``normalize`` (slash codes already in bracket form). Raw text works too,
            but then only bracket codes and emoji are found.

    Returns:
        ``Emoticon`` strings (``"[捂脸]"``, ``"😭"``); read ``.category`` for the meaning,
        e.g. ``[t.category for t in emoticon_tokens(text)] == ["awkward", "cry"]``.
    """
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        if m.group(1):
            out.append(Emoticon(m.group(0), _NAMED.get(m.group(1), "other")))
        else:
            tok = m.group(2)
            out.append(Emoticon(tok, _EMOJI.get(tok[:1], "other")))
    return out


def emoticon_categories(text: str) -> list[str]:
    """Categories of ``emoticon_tokens(text)``, in order (``["cry", "laugh"]``)."""
    return [t.category for t in emoticon_tokens(text)]  # type: ignore[attr-defined]
