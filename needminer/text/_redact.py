"""Personal-data redaction: phone, ID card, bank card, e-mail, WeChat, QQ, plate, order, address, URL, name."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from needminer.text._names import _SURNAMES, name_spans
from needminer.text._normalize import LINK, url_spans

PHONE = "[手机号]"
ID_CARD = "[身份证]"
BANK_CARD = "[银行卡]"
EMAIL = "[邮箱]"
WECHAT = "[微信号]"
QQ = "[QQ号]"
PLATE = "[车牌]"
ORDER = "[单号]"
ADDRESS = "[地址]"
NAME = "[姓名]"
PLACEHOLDERS = (PHONE, ID_CARD, BANK_CARD, EMAIL, WECHAT, QQ, PLATE, ORDER, ADDRESS, LINK, NAME)

# Unicode decimal digits of the BMP (full-width ０-９, Arabic-Indic …) → ASCII, one char for one
# char, so that matching runs on the folded copy and spans stay valid on the original text.
_DIGIT_FOLD = {
    cp: ord("0") + d
    for cp in range(0x80, 0x10000)
    if (d := unicodedata.decimal(chr(cp), -1)) >= 0
}
# Full-width ASCII ("＠", "ｗｘｉｄ", "－") → ASCII as well, so that redaction does not depend on
# ``normalize`` having run first (one char for one char, like the digits).
_DIGIT_FOLD.update({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})

_NUM_BEFORE = r"(?<![0-9])"
_NUM_AFTER = r"(?![0-9])"
_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_ALNUM_AFTER = r"(?![A-Za-z0-9])"


def _cjk_class(exclude: str) -> str:
    """A character class of CJK ideographs (U+4E00–U+9FFF) minus ``exclude``."""
    parts, start = [], 0x4E00
    for cp in sorted({ord(c) for c in exclude}):
        if cp > start:
            parts.append(f"\\u{start:04x}-\\u{cp - 1:04x}")
        start = cp + 1
    parts.append(f"\\u{start:04x}-\\u9fff")
    return "[" + "".join(parts) + "]"


# Place-name characters: function words that start or glue a sentence ("我住在…", "寄到…") are left
# out so an address match does not swallow the words before it.
_N = _cjk_class("在住是的我你他她它寄发送到址跟给了去就也还要想把被让请说不啊吧呢吗哦这条")
_NUM = "[0-9一二三四五六七八九十百零〇两]"
_UNIT = r"(?:号楼|号院|栋|幢|座|楼|单元|室|层|号|弄|户|期)"
_ADDR_TAIL = (
    rf"(?:-?[0-9A-Za-z一二三四五六七八九十]{{1,6}}{_UNIT}|{_N}{{2,10}}?(?:大厦|小区|公寓|花园|广场|中心|大楼|苑))*"
    rf"(?:[0-9]{{3,4}}{_NUM_AFTER})?"
)
_ADDR_RE = re.compile(
    rf"(?:{_N}{{2,7}}?(?:省|自治区))?(?:{_N}{{1,7}}?(?:市|自治州|州|盟))?(?:{_N}{{1,7}}?(?:区|县|旗|镇|乡))?"
    rf"(?:{_N}{{1,10}}?(?:大道|大街|路|街|巷|弄|胡同|(?<!知)道){_NUM}{{1,6}}(?:号(?!线)|弄)"
    rf"|{_N}{{2,10}}?(?:小区|花园|公寓|家园|新村|苑|大厦){_NUM}{{1,4}}(?:号楼|栋|幢|座|期))"
    rf"{_ADDR_TAIL}"
)

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z])"
)
_ORDER_KW_RE = re.compile(
    r"(?:订单编号|订单号|快递单号|运单号|物流单号|快递号|单号|订单)\s*(?:是|为|[:：#=])?\s*"
    rf"([A-Za-z0-9]{{10,20}}){_ALNUM_AFTER}"
)
_ORDER_PREFIX_RE = re.compile(
    rf"{_ALNUM_BEFORE}(?:SF|YT|JDVX?|JDX|JD|JT|ZTO|STO|YD|YUN|DPK|TT|YZ|HTKY|BS|EMS|KY|DB)[0-9]{{10,15}}{_ALNUM_AFTER}"
    rf"|{_ALNUM_BEFORE}[A-Z]{{2}}[0-9]{{9}}CN{_ALNUM_AFTER}",
    re.IGNORECASE,
)
_QQ_RE = re.compile(
    r"(?<![A-Za-z])(?:QQ|扣扣|企鹅|Q号)(?:号码|号|群号|群)?\s*(?:是|为|[:：=])?\s*"
    rf"([1-9][0-9]{{4,10}}){_NUM_AFTER}",
    re.IGNORECASE,
)
_WXID_RE = re.compile(r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_-]{4,}", re.IGNORECASE)
_WECHAT_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<kw>微信号|微信|威信|薇信|维信|徽信|V信|VX|WX|weixin|wechat"
    # "加我V", "加我vx", "加薇", "加我微" + handle
    r"|加我?(?:VX|WX|V|薇|微|威|卫)|[薇威](?=\s*[:：]|\s*[A-Za-z])|\+V|➕V|V(?=\s*[:：]))"
    r"(?P<sep>\s*(?:号码?|ID)?\s*(?:是|为|[:：=])?\s*)"
    r"(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)
_WECHAT_KW_RE = re.compile(r"微信|[威薇维徽V]信|VX|WX|weixin|wechat|[加+➕]我?[V微薇威卫]|[薇威]|V\s*[:：]", re.IGNORECASE)
# Separators people type inside a long number: "110101-1990-0307-4514", "138.0013.8000".
_SEP = "[ .-]"
_ID18_RE = re.compile(
    rf"{_NUM_BEFORE}[1-8][0-9]{{5}}{_SEP}?(?:19|20)[0-9]{{2}}{_SEP}?(?:0[1-9]|1[0-2]){_SEP}?"
    rf"(?:0[1-9]|[12][0-9]|3[01]){_SEP}?[0-9]{{3}}[0-9Xx]{_ALNUM_AFTER}"
)
_ID15_RE = re.compile(
    rf"{_NUM_BEFORE}[1-8][0-9]{{5}}[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{{3}}{_NUM_AFTER}"
)
_CARD_RE = re.compile(
    rf"{_NUM_BEFORE}(?:[1-9][0-9]{{15,18}}|[1-9][0-9]{{3}}(?:[ -][0-9]{{4}}){{3}}(?:[ -]?[0-9]{{1,3}})?){_NUM_AFTER}"
)
# 11 digits, a separator allowed between any two after the first three (3-4-4, 3-3-5, 138.0013.8000).
_MOBILE_RE = re.compile(
    rf"{_NUM_BEFORE}(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:{_SEP}?[0-9]){{8}}{_NUM_AFTER}"
)
_AREA = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE_RE = re.compile(
    rf"{_NUM_BEFORE}(?:\({_AREA}\)|（{_AREA}）|{_AREA}[ -]?)[1-9][0-9]{{6,7}}{_NUM_AFTER}"
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE_RE = re.compile(
    rf"[{_PROVINCES}][A-HJ-NP-Z][·•・ -]?"
    r"(?P<tail>[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])"
    rf"{_ALNUM_AFTER}",
    re.IGNORECASE,  # "京a12345"
)
_LONG_NUMBER_RE = re.compile(rf"{_NUM_BEFORE}[0-9]{{12,}}{_NUM_AFTER}")
# Digit groups of 3+ joined by one separator, 12+ digits in all ("6222 0212 3456 7890 123" that
# fails Luhn): an account or card number typed in groups. Dates and times have 2-digit groups.
_GROUPED_NUMBER_RE = re.compile(rf"{_NUM_BEFORE}[0-9]{{3,}}(?:{_SEP}[0-9]{{3,}})+{_NUM_AFTER}")
_DIGIT_RE = re.compile("[0-9]")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id18_ok(m: re.Match[str]) -> bool:
    s = "".join(c for c in m.group(0) if c.isalnum()).upper()
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == s[17]


def _luhn_ok(m: re.Match[str]) -> bool:
    digits = [int(c) for c in m.group(0) if c.isdigit()]
    if not 16 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _order_ok(m: re.Match[str]) -> bool:
    return sum(c.isdigit() for c in m.group(1)) >= 6


def _wechat_ok(m: re.Match[str]) -> bool:
    # "微信：zhangsan" is an id; "微信 iPhone" is not, so a bare id needs a digit in it.
    strong = bool(m.group("sep").strip()) or m.group("kw").endswith("号")
    return strong or any(c.isdigit() for c in m.group("id"))


def _grouped_ok(m: re.Match[str]) -> bool:
    return sum(c.isdigit() for c in m.group(0)) >= 12


def _plate_ok(m: re.Match[str]) -> bool:
    return sum(c.isdigit() for c in m.group("tail")) >= 3


@dataclass(frozen=True, slots=True)
class _Detector:
    label: str
    pattern: re.Pattern[str]
    group: int | str = 0  # the part replaced ("微信：abc123" keeps "微信：")
    check: Callable[[re.Match[str]], bool] | None = None
    needs_digit: bool = True
    trigger: re.Pattern[str] | None = None  # run only where this matches (cheap pre-filter)


# Priority order: when two matches overlap, the earlier detector wins. Keyword detectors come
# before bare-number ones because their context says what a number is ("订单号 6222…" is an order).
_DETECTORS = (
    _Detector(EMAIL, _EMAIL_RE, needs_digit=False, trigger=re.compile("@")),
    _Detector(ORDER, _ORDER_KW_RE, 1, _order_ok, trigger=re.compile("单")),
    _Detector(ORDER, _ORDER_PREFIX_RE),
    _Detector(QQ, _QQ_RE, 1),
    _Detector(WECHAT, _WXID_RE, needs_digit=False, trigger=re.compile("wxid_", re.IGNORECASE)),
    _Detector(WECHAT, _WECHAT_RE, "id", _wechat_ok, needs_digit=False, trigger=_WECHAT_KW_RE),
    _Detector(ID_CARD, _ID18_RE, 0, _id18_ok),
    _Detector(ID_CARD, _ID15_RE),
    _Detector(BANK_CARD, _CARD_RE, 0, _luhn_ok),
    _Detector(PHONE, _MOBILE_RE),
    _Detector(PHONE, _LANDLINE_RE),
    _Detector(PLATE, _PLATE_RE, 0, _plate_ok, trigger=re.compile(f"[{_PROVINCES}][A-HJ-NP-Z]", re.IGNORECASE)),
    _Detector(ADDRESS, _ADDR_RE, needs_digit=False, trigger=re.compile("[号弄栋幢座期]")),
    # Any other run of 12+ digits is an order, waybill or account number: never worth keeping.
    _Detector(ORDER, _LONG_NUMBER_RE),
    _Detector(ORDER, _GROUPED_NUMBER_RE, 0, _grouped_ok),
)

_NO_DIGIT_DETECTORS = tuple(d for d in _DETECTORS if not d.needs_digit)
_SHORT_NUMBER_DETECTORS = tuple(d for d in _DETECTORS if not d.needs_digit or d.label == PLATE)
_DIGITS4_RE = re.compile("[0-9]{4}")
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d|[\uff01-\uff5e]")


_HONORIFICS = "老师|大师|同学|教授|医生|大夫|经理|主任|师傅|律师|先生|女士|小姐|校长|院长|班长|辅导员"
_HONORIFIC_HINT = re.compile(_HONORIFICS)
# The surname stands on its own (not 对方医生, 各位老师, 高中同学): no ideograph right before it, or
# one that cannot end a word in front of a name (找王老师, 问李医生 …); 谢谢老师 thanks nobody named 谢,
# and 康师傅 is a brand.
_HONORIFIC_NAME = re.compile(
    "(?:(?<![\u4e00-\u9fff])|(?<=[找问给跟和与叫请让@，,。！!？?：:；;、]))(?!康师傅)([" + "".join(sorted(_SURNAMES)) + "])"
    "(?=(?:" + _HONORIFICS + "))"
)


def redact_spans(text: str) -> list[tuple[int, int, str]]:
    """Find the personal data that ``redact`` replaces.

    Args:
        text: Message text, best after ``normalize`` (full-width letters are not folded here;
            full-width and other Unicode digits are).

    Returns:
        Non-overlapping ``(start, end, placeholder)`` spans, sorted by ``start``; ``placeholder``
        is one of ``PLACEHOLDERS`` (``"[手机号]"``, ``"[身份证]"`` …).
    """
    if not text:
        return []
    folded = text
    if not text.isascii() and _OTHER_DIGIT_RE.search(text) is not None:
        folded = text.translate(_DIGIT_FOLD)
    taken: list[tuple[int, int, str]] = [(s, e, LINK) for s, e in url_spans(folded)]
    has_digit = _DIGIT_RE.search(folded) is not None
    # Most chat lines hold no run of 4+ digits ("¥199", "3个月"): the number detectors, which all
    # need one, are skipped for them, and so are keyword detectors whose keyword is absent.
    if has_digit and _DIGITS4_RE.search(folded) is not None:
        detectors = _DETECTORS
    else:
        detectors = _SHORT_NUMBER_DETECTORS if has_digit else _NO_DIGIT_DETECTORS
    for det in detectors:
        if det.trigger is not None and det.trigger.search(folded) is None:
            continue
        for m in det.pattern.finditer(folded):
            if det.check is not None and not det.check(m):
                continue
            start, end = m.span(det.group)
            if start < end and not any(start < e and s < end for s, e, _ in taken):
                taken.append((start, end, det.label))
    # Person names last: "王建国路88号" is an address, not a name.
    for start, end in name_spans(folded):
        if not any(start < e and s < end for s, e, _ in taken):
            taken.append((start, end, NAME))
    # A surname before an honorific names a person too (王老师, 贾大师, 李女士): the surname goes.
    if _HONORIFIC_HINT.search(folded):
        for m in _HONORIFIC_NAME.finditer(folded):
            start, end = m.span(1)
            if not any(start < e and s < end for s, e, _ in taken):
                taken.append((start, end, NAME))
    taken.sort()
    return taken


def redact(text: str) -> str:
    """Replace personal data by typed placeholders.

    ``[手机号]`` (mobile incl. +86 and 3-4-4 forms, landlines), ``[身份证]`` (18-digit with a valid
    date and checksum, 15-digit), ``[银行卡]`` (16–19 digits passing Luhn), ``[邮箱]``,
    ``[微信号]`` (wxid_…, "微信/VX/V信/加V: id"), ``[QQ号]`` ("QQ/扣扣/企鹅: 5–11 digits"),
    ``[车牌]``, ``[单号]`` ("订单号/运单号 …", SF/YT/JD… numbers, any other 12+ digit run),
    ``[地址]`` (省/市/区 … 路/街/巷/弄 + 号 …, 小区 + 栋 …), ``[链接]`` and ``[姓名]`` (a
    common surname + given name that jieba tags as a person and no dictionary knows as a common
    word: 找赵敏要发票, but not 高铁 or 小雨; "Bob Jones"). Prices, dates, times, model numbers
    and "3个月" are left alone.

    Args:
        text: Message text, best after ``normalize``.

    Returns:
        The text with each span of ``redact_spans(text)`` replaced by its placeholder.
    """
    spans = redact_spans(text)
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for start, end, label in spans:
        parts.append(text[pos:start])
        parts.append(label)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
