"""Patterns for what decorates chat text rather than saying something: the placeholders redaction
and exports write ([手机号], [图片]), bracket emoticons ([捂脸]), emoji and kaomoji.

Plain regex source strings, shared by the conversation stage (endorsements, duplicate keys) and the
signals stage's cue tables.
"""

from __future__ import annotations

from needminer.text._redact import NAME, PLACEHOLDERS

# What the text stage's redaction writes (needminer.text.PLACEHOLDERS: [手机号] [身份证] [银行卡] …)
# plus a few spellings that exports use themselves.
_PLACEHOLDER_NAMES = sorted({p.strip("[]") for p in PLACEHOLDERS if p != NAME} | {"电话", "微信", "QQ", "网址", "URL", "url",
                                                                     "身份证号", "银行卡号", "账号"}, key=len, reverse=True)
CONTACT_PLACEHOLDER = r"\[(?:" + "|".join(_PLACEHOLDER_NAMES) + r")\]"

# WeChat/QQ bracket emoticons such as [捂脸] [发怒]; placeholders are excluded explicitly.
BRACKET_EMOTICON = (r"\[(?!(?:" + "|".join(_PLACEHOLDER_NAMES) + r"|姓名|图片|表情|动画表情|语音|视频|文件)\])"
                    r"[\u4e00-\u9fffA-Za-z]{1,4}\]")
MEDIA_PLACEHOLDER = r"\[(?:图片|表情|动画表情|语音|视频|文件|Sticker|sticker|Photo|photo|image)\]"
EMOJI = "[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F000-\U0001F2FF\uFE0F\u200d]"
KAOMOJI = r"[(（][^()（）\u4e00-\u9fff]{1,8}[)）]|[Tt]_[Tt]|QAQ|QwQ|orz|Orz|OTZ|\^_\^|>_<|=_=|-_-|o\(╥﹏╥\)o"
