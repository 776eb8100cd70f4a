"""clean_messages: the whole text stage on Message objects."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needminer.config import TextConfig
from needminer.text import Pseudonymizer, clean_messages
from needminer.types import CleanMessage, Message, MessageKind

SECRET = b"workspace-secret"
T = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
P = Pseudonymizer(SECRET)


def msg(i: int, sender: str, name: str, text: str, **kw: object) -> Message:
    return Message(id=f"m{i}", chat=kw.pop("chat", "美妆交流群"), sender=sender, text=text, time=T,
                   sender_name=name, **kw)  # type: ignore[arg-type]


@pytest.fixture()
def chat() -> list[Message]:
    return [
        msg(1, "wxid_zs01", "张三", "@李四\u2005你那個粉底液在哪買的？"),
        msg(2, "wxid_ls02", "李四", "@张三 淘宝买的[捂臉]，张三你也试试", reply_to="m1",
            quote="张三：你那個粉底液在哪買的？電話13800001234"),
        msg(3, "wxid_ww03", "王五", "@赵六 @所有人 明天团购", kind=MessageKind.text),
        msg(4, "wxid_ww03", "王五", "张三邀请李四加入了群聊", kind=MessageKind.system),
        msg(5, "wxid_amy", "Amy", "Amy说Amyloid不是名字，abc@qq.com不是@提及"),
    ]


def test_clean_messages_resolves_mentions_and_names(chat: list[Message]) -> None:
    out = clean_messages(chat, secret=SECRET)
    assert [c.id for c in out] == ["m1", "m2", "m3", "m4", "m5"]
    assert all(isinstance(c, CleanMessage) for c in out)
    zs, ls, ww = P("wxid_zs01"), P("wxid_ls02"), P("wxid_ww03")
    assert out[0].speaker == zs
    assert out[0].text == "@成员 你那个粉底液在哪买的？"  # no pseudonym hash in the text
    assert out[0].mentions == (ls,)
    assert out[1].text == "@成员 淘宝买的[捂脸]，[姓名]你也试试"
    assert out[1].mentions == (zs,)
    assert out[1].quote == "[姓名]：你那个粉底液在哪买的？电话[手机号]"
    assert out[1].reply_to == "m1"
    assert out[2].text == "@某成员 @所有人 明天团购"
    assert out[2].mentions == ()
    assert out[3].kind is MessageKind.system
    assert out[3].text == "[姓名]邀请[姓名]加入了群聊"
    assert out[3].speaker == ww
    assert out[4].text == "[姓名]说Amyloid不是名字，[邮箱]不是@某成员"
    assert out[4].time == T


def test_no_name_reaches_any_field(chat: list[Message]) -> None:
    out = clean_messages(chat, secret=SECRET)
    for c in out:
        blob = "|".join(str(getattr(c, f.name)) for f in fields(c))
        for name in ["张三", "李四", "王五", "赵六", "wxid_"]:
            assert name not in blob


def test_private_chat_named_after_a_member_is_pseudonymised() -> None:
    out = clean_messages([msg(1, "wxid_zs01", "张三", "在吗", chat="张三")], secret=SECRET)
    assert out[0].chat == P("wxid_zs01")


def test_planted_personal_data_never_survives() -> None:
    planted = {
        "13800001234": "我电话13800001234",
        "138 0000 1234": "或者+86 138 0000 1234",
        "010-12345678": "座机010-12345678",
        "110101199003074258": "身份证110101199003074258",
        "6222021234567890128": "卡号6222021234567890128",
        "mei.li@163.com": "邮箱mei.li@163.com",
        "meimei2024": "加V：meimei2024",
        "wxid_q1w2e3r4": "wxid_q1w2e3r4",
        "987654321": "扣扣：987654321",
        "京A12345": "车牌京A12345",
        "SF1234567890123": "快递单号SF1234567890123",
        "建国路88号": "寄到北京市朝阳区建国路88号3单元501室",
        "item.taobao.com": "https://item.taobao.com/item.htm?id=1",
        "刘晓梅": "刘晓梅说这个好用",
        "１３９００００５６７８": "全角１３９００００５６７８",
    }
    messages = [
        msg(i, f"wxid_u{i:02d}", "刘晓梅" if i == 0 else f"群友{i}", text,
            quote=text if i % 2 else None, chat=f"群{i} 电话13700001111")
        for i, text in enumerate(planted.values())
    ]
    out = clean_messages(messages, secret=SECRET)
    for c in out:
        blob = "|".join(str(getattr(c, f.name)) for f in fields(c))
        for secret_text in [*planted, "13700001111", "群友"]:
            assert secret_text not in blob, (c.id, secret_text)


def test_config_switches() -> None:
    m = [msg(1, "wxid_zs01", "張三", "@張三 電話13800001234", quote=None)]
    plain = clean_messages(m, secret=SECRET, config=TextConfig(redact=False, pseudonymise=False,
                                                               traditional_to_simplified=False))
    assert plain[0].text == "@張三 電話13800001234"
    assert plain[0].speaker == "wxid_zs01"
    assert plain[0].mentions == ("wxid_zs01",)
    full = clean_messages(m, secret=SECRET)
    assert full[0].text == "@成员 电话[手机号]"  # traditional name matched after t2s
    assert full[0].mentions == (P("wxid_zs01"),)


def test_placeholders_and_emoticons_are_not_rewritten_by_names() -> None:
    m = [msg(1, "u1", "手机", "我的手机号13800001234[捂脸]"), msg(2, "u2", "捂脸", "好")]
    out = clean_messages(m, secret=SECRET)
    assert out[0].text == "我的手机号[手机号][捂脸]"  # a member called 手机 is an ordinary word


def test_empty_input_and_bad_secret() -> None:
    assert clean_messages([], secret=SECRET) == []
    with pytest.raises(ValueError, match="non-empty bytes"):
        clean_messages([], secret=b"")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6), st.text(max_size=24)), max_size=6))
def test_clean_messages_never_raises(rows: list[tuple[str, str, str]]) -> None:
    messages = [Message(id=f"m{i}", chat="c", sender=k, text=t, sender_name=n, quote=t)
                for i, (k, n, t) in enumerate(rows)]
    out = clean_messages(messages, secret=SECRET)
    assert [c.id for c in out] == [m.id for m in messages]
    assert all(c.speaker.startswith("成员-") for c in out)


def test_a_group_card_names_the_member_in_plain_text() -> None:
    # QQ groups ask for "专业-姓名" cards; members then call each other by the name alone
    chat = [
        msg(1, "1554243875", "大数据-贾志远", "有没有什么不需要面试的？", chat="浙大软院群"),
        msg(2, "1554240000", "大数据-童晓亮", "周末了，快去找贾志远吧", chat="浙大软院群"),
        msg(3, "1554241111", "大数据-李克西", "晓亮，你也来捣蛋@大数据-童晓亮", chat="浙大软院群"),
        msg(4, "1554242222", "研一-电池", "大数据专业的电池续航怎么样", chat="浙大软院群"),
    ]
    out = clean_messages(chat, secret=SECRET)
    assert out[1].text == "周末了，快去找[姓名]吧"
    assert out[2].text.startswith("[姓名]，你也来捣蛋@")
    assert out[3].text == "大数据专业的电池续航怎么样"  # neither the card's prefix nor an ordinary word
    for name in ["贾志远", "晓亮"]:
        assert all(name not in c.text for c in out)
