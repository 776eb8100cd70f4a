"""Personal-data redaction: positives and tricky negatives for every placeholder."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needminer.text import PLACEHOLDERS, redact, redact_spans

# (text, planted personal data, placeholder)
POSITIVES = [
    ("电话13800001234找我", "13800001234", "[手机号]"),
    ("打+86 138 0000 1234", "138 0000 1234", "[手机号]"),
    ("手机：138-0000-1234。", "138-0000-1234", "[手机号]"),
    ("联系0086-15912345678", "15912345678", "[手机号]"),
    ("座机010-12345678", "010-12345678", "[手机号]"),
    ("店里电话0571-8888888", "0571-8888888", "[手机号]"),
    ("(021)62345678转人工", "62345678", "[手机号]"),
    ("身份证110101199003074258", "110101199003074258", "[身份证]"),
    ("证件号11010519491231002X", "11010519491231002X", "[身份证]"),
    ("老身份证130503670401001", "130503670401001", "[身份证]"),
    ("卡号6222021234567890128", "6222021234567890128", "[银行卡]"),
    ("转到 6222 0212 3456 7890 128", "6222 0212 3456 7890 128", "[银行卡]"),
    ("信用卡4111111111111111还款", "4111111111111111", "[银行卡]"),
    ("邮箱abc.d@163.com", "abc.d@163.com", "[邮箱]"),
    ("发到 zhang_san+vip@mail.example.cn 就行", "zhang_san+vip@mail.example.cn", "[邮箱]"),
    ("13800001234@qq.com", "13800001234", "[邮箱]"),
    ("加我微信：zhangsan_88", "zhangsan_88", "[微信号]"),
    ("wxid_abc123xyz 是我", "wxid_abc123xyz", "[微信号]"),
    ("VX abc888领券", "abc888", "[微信号]"),
    ("V信：meimei2024", "meimei2024", "[微信号]"),
    ("加V lily_520", "lily_520", "[微信号]"),
    ("薇信号 beauty666", "beauty666", "[微信号]"),
    ("QQ：12345678", "12345678", "[QQ号]"),
    ("扣扣 987654321", "987654321", "[QQ号]"),
    ("企鹅号：55667788", "55667788", "[QQ号]"),
    ("qq群号 123456789", "123456789", "[QQ号]"),
    ("车牌京A12345", "京A12345", "[车牌]"),
    ("粤B·D12345是我的车", "粤B·D12345", "[车牌]"),
    ("沪AF12345刚提的", "沪AF12345", "[车牌]"),
    ("订单号：123456789012345", "123456789012345", "[单号]"),
    ("快递单号SF1234567890123", "SF1234567890123", "[单号]"),
    ("YT1234567890123到了吗", "YT1234567890123", "[单号]"),
    ("运单号 JT0001234567890", "JT0001234567890", "[单号]"),
    ("北京市朝阳区建国路88号", "建国路88号", "[地址]"),
    ("我家住在浙江省杭州市西湖区文三路478号华星大厦5楼501室", "文三路478号", "[地址]"),
    ("寄到上海市徐汇区漕溪北路100弄5号602室", "漕溪北路100弄5号602室", "[地址]"),
    ("阳光小区5栋2单元301自提", "阳光小区5栋2单元301", "[地址]"),
    ("我的快递地址写的是成都市武侯区科华北路49号", "成都市武侯区", "[地址]"),
    ("公司在知春路88号", "知春路88号", "[地址]"),
    ("看这个 https://item.taobao.com/item.htm?id=123", "item.taobao.com", "[链接]"),
    ("t.cn/A6abc123 戳", "t.cn/A6abc123", "[链接]"),
    ("电话１３８００００１２３４", "１３８００００１２３４", "[手机号]"),  # full-width digits
    ("找赵敏要发票", "赵敏", "[姓名]"),
]

# (text, placeholder that must NOT appear)
NEGATIVES = [
    ("价格¥199，3个月用完", "[手机号]"),
    ("2026-10-01 10:30 发货", "[手机号]"),
    ("订单 12345678901 不是手机", "[手机号]"),  # 11 digits but 12… prefix is not a mobile
    ("13800001234567 太长", "[手机号]"),
    ("iPhone 15 Pro 256G", "[手机号]"),
    ("身份证20260101日到期", "[身份证]"),
    ("110101199013074258", "[身份证]"),  # month 13
    ("110101199003074259", "[身份证]"),  # bad checksum
    ("6222021234567890123", "[银行卡]"),  # fails Luhn
    ("1234 5678 9012 3456", "[银行卡]"),  # fails Luhn
    ("价格 1999 元，SPF50 PA+++", "[银行卡]"),
    ("@小美 你好", "[邮箱]"),
    ("abc@def", "[邮箱]"),
    ("邮箱写错了 abc@", "[邮箱]"),
    ("微信支付很方便", "[微信号]"),
    ("微信 iPhone版 更新了", "[微信号]"),
    ("我在微信群里说过 8.0.50", "[微信号]"),
    ("QQ音乐会员3个月", "[QQ号]"),
    ("qq空间 2024", "[QQ号]"),
    ("QQ群里有1000人", "[QQ号]"),
    ("京东618大促", "[车牌]"),
    ("粤港澳大湾区", "[车牌]"),
    ("新款SPF50+防晒", "[车牌]"),
    ("订单还没到，3个月了", "[单号]"),
    ("SF50的那款", "[单号]"),
    ("订单金额199元", "[单号]"),
    ("地铁2号线", "[地址]"),
    ("不知道3号能到吗", "[地址]"),
    ("11号发货，路上堵", "[地址]"),
    ("这个色号3号最好看", "[地址]"),
]

CLEAN = ["价格¥199", "2026-10-01", "12:30", "iPhone 15", "SPF50", "3个月", "RTX4090", "i7-13700K", "第3号色", "2023年"]


@pytest.mark.parametrize("text,planted,placeholder", POSITIVES)
def test_redact_positive(text: str, planted: str, placeholder: str) -> None:
    out = redact(text)
    assert placeholder in out
    assert planted not in out


@pytest.mark.parametrize("text,placeholder", NEGATIVES)
def test_redact_negative(text: str, placeholder: str) -> None:
    assert placeholder not in redact(text)


@pytest.mark.parametrize("text", CLEAN)
def test_redact_leaves_clean_text_alone(text: str) -> None:
    assert redact(text) == text
    assert redact_spans(text) == []


def test_every_placeholder_is_covered_by_positives() -> None:
    assert {p for _, _, p in POSITIVES} == set(PLACEHOLDERS)


def test_redact_keeps_keyword_before_id() -> None:
    assert redact("加我微信：zhangsan_88 谢谢") == "加我微信：[微信号] 谢谢"
    assert redact("QQ：12345678") == "QQ：[QQ号]"


def test_redact_spans_match_redact() -> None:
    text = "电话13800001234，邮箱abc@163.com，住北京市朝阳区建国路88号"
    spans = redact_spans(text)
    assert [label for *_, label in spans] == ["[手机号]", "[邮箱]", "[地址]"]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert text[spans[0][0] : spans[0][1]] == "13800001234"
    assert redact(text) == "电话[手机号]，邮箱[邮箱]，住[地址]"


def test_context_beats_bare_number() -> None:
    # a Luhn-valid 19-digit number after "订单号" is an order, not a card
    assert redact("订单号6222021234567890128") == "订单号[单号]"


def test_long_digit_runs_never_survive() -> None:
    assert redact("编号 987654321098765") == "编号 [单号]"


MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
chunks = st.one_of(st.text(max_size=12), mobiles, st.sampled_from(["+86", "QQ:", "微信", "-", " ", "@", "号", "路"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(chunks, max_size=8).map("".join))
def test_redact_never_raises_and_removes_mobiles(text: str) -> None:
    out = redact(text)
    assert isinstance(out, str)
    planted = set(MOBILE.findall(text))
    assert not planted & set(MOBILE.findall(out))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_redact_spans_are_sorted_and_disjoint(text: str) -> None:
    spans = redact_spans(text)
    for (s1, e1, _), (s2, e2, _) in zip(spans, spans[1:]):
        assert s1 < e1 <= s2 < e2
