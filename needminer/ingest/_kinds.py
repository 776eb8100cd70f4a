"""Shared rules: what kind a body is (media/system/recall/red packet) and splitting off quotes.

These rules only look at whole bodies of known placeholder shapes, so ordinary sentences that
mention a picture ("发张图片看看") stay ``text``.
"""

from __future__ import annotations

import re

from needminer.types import MessageKind

_MEDIA_WORDS = (
    "图片|照片|语音|视频|表情|动画表情|表情包|自定义表情|文件|位置|名片|链接|音乐|音乐分享|小程序|视频号|"
    "GIF表情|贴图|语音通话|视频通话|合并转发|聊天记录|转发的聊天记录|卡片消息|闪照|"
    "Photo|Photos|Sticker|Stickers|Video|Voice message|File|Location|Contact|GIF|Image|Audio"
)
_MEDIA = re.compile(
    rf"^(?:\[(?:{_MEDIA_WORDS})(?:\s*[:：|].*)?\]|\[表情\d*\]|\[/[^\]]{{1,8}}\]|\[\[[^\]]{{1,8}}\]\]|"
    r"!\[[^\]]*\]\([^)]*\)|<[Mm]edia omitted>|<省略影音内容>|<已省略多媒體檔案>|"
    r"(?:image|video|audio|sticker|GIF|document) omitted|<attached: [^>]+>|"
    r"(?:图片|影片|貼圖|圖片)已略去|\(File not included[^)]*\))$",
    re.S,
)
_RED = re.compile(r"^\[(?:红包|微信红包|转账|Red Packet|Transfer)\](?:.{0,40})$|^(?:已收款|转账)[:：]", re.S)
_RECALL = re.compile(
    r"撤回了一条消息|撤回了一條訊息|This message was deleted|You deleted this message|"
    r"unsent a message|这条消息已删除|此訊息已刪除|Diese Nachricht wurde gelöscht"
)
_SYSTEM = re.compile(
    r"^(?:\"?[^\n]{1,40}\"?\s*(?:邀请\"?[^\n]{1,200}\"?)?加入了?群聊|[^\n]{1,40}加入本群|"
    r"[^\n]{0,40}拍了拍[^\n]{0,60}|[^\n]{1,40}修改群名为[^\n]{0,60}|[^\n]{1,40}(?:退出了群聊|被移出群聊)|"
    r"以上是打招呼的内容|你已添加了[^\n]{1,40}，现在可以开始聊天了。|[^\n]{0,40}开启了朋友验证[^\n]*)$"
)


# Every rule above needs one of these; most chat lines have none, so a cheap test settles them:
# a one-character-class search for the CJK/bracket triggers (their first characters), and the
# English/German words only when the text has an "e" at all (all of them do).
_TRIGGER_CHARS = re.compile("[\\[<(!撤加拍群以已朋转略删刪]")
_TRIGGER_WORDS = re.compile(r"deleted|unsent|gelöscht|omitted")


def classify(text: str) -> MessageKind:
    """Classify a message body by its shape (placeholders, recalls, joins …)."""
    t = text.strip()
    if len(t) > 300 or not (_TRIGGER_CHARS.search(t) or ("e" in t and _TRIGGER_WORDS.search(t))):
        return MessageKind.text
    if _RECALL.search(t):
        return MessageKind.recalled
    if _RED.match(t):
        return MessageKind.red_packet
    if _MEDIA.match(t):
        return MessageKind.media
    if _SYSTEM.match(t):
        return MessageKind.system
    return MessageKind.text


# Quote shapes appended to (or prefixed before) a reply body.
_Q_PYWX = re.compile(r"^(?P<body>.*?)\n+\[引用\]\([^)]*\)(?P<quote>.*)$", re.S)
_Q_MEMO = re.compile(r"^(?P<body>.*?)\n引用[:：](?P<quote>.*)$", re.S)
_Q_REPLY_LINE = re.compile(r"^(?P<body>.*?)\n回复[:：] (?P<quote>[^\n]*)$", re.S)


def _close(text: str, start: int) -> int:
    """Index of the ``]`` closing the ``[`` at ``start`` (nested brackets allowed), or -1."""
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
    return -1


def split_quote(text: str) -> tuple[str, str | None]:
    """Split an inline quote off a message body.

    Recognised shapes: ``…[引用 name：text]`` (WeFlow), ``…\\n\\n[引用](time)name:text``
    (PyWxDump), ``…\\n引用:name:text`` (MemoTrace TXT), ``[回复 uid: text]…\\n回复: …`` and a
    trailing ``回复: …`` line (QQChatExporter), and leading ``> …`` lines (chatlog, Markdown).

    Returns:
        (body, quote) where ``quote`` is None when the text holds no quote.
    """
    if "引用" in text:
        m = _Q_PYWX.match(text)
        if m:
            return m["body"].strip(), m["quote"].strip()
        start = text.rfind("[引用 ")
        if start >= 0 and text.rstrip().endswith("]") and _close(text, start) == len(text.rstrip()) - 1:
            return text[:start].strip(), text[start + 4 : len(text.rstrip()) - 1].strip()
        m = _Q_MEMO.match(text)
        if m:
            return m["body"].strip(), m["quote"].strip()
    if "回复" in text:
        if text.startswith("[回复 "):
            end = _close(text, 0)
            if end > 0:
                body = text[end + 1 :].strip()
                m = _Q_REPLY_LINE.match(body)
                body = m["body"].strip() if m else body
                return body, text[4:end].strip()
        m = _Q_REPLY_LINE.match(text)
        if m:
            return m["body"].strip(), m["quote"].strip()
    if text.startswith(">"):
        lines = text.split("\n")
        quoted = []
        while lines and lines[0].startswith(">"):
            quoted.append(lines.pop(0)[1:].strip())
        body = "\n".join(lines).strip()
        if body:
            return body, "\n".join(quoted).strip()
    return text, None
