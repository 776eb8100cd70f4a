"""Our synthetic format fixtures (tests/fixtures/formats): exact record/message/skip counts, kinds, senders, zoned times, links."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from needminer.ingest import detect_format, ingest_to_workspace
from needminer.types import MessageKind

from .conftest import SAMPLES, read_one
from .test_samples_reader_details import CAMP_HOME_PETS

UTC = timezone.utc
K = MessageKind
FULL_KINDS = {"text": 19, "media": 2, "recalled": 1, "system": 1, "red_packet": 1}

# file → (format, records, messages, skipped, kinds, chat, first sender, first time (UTC; None: no times))
EXPECTED = {
    "discord_json/宝妈互助社区 - 育儿吐槽.json": ("discord.dce_json.v1", 20, 20, {}, {"text": 17, "media": 2, "system": 1},
                                          "宝妈互助社区 / 育儿吐槽", "900000000000010001", datetime(2024, 2, 10, 13, 0)),
    "generic_csv/宝妈交流群.csv": ("generic.csv.v1", 21, 20, {"empty": 1},
                              {"text": 15, "media": 2, "recalled": 1, "system": 1, "red_packet": 1},
                              "宝妈交流群", "10001", datetime(2024, 5, 11, 13, 0)),
    "generic_parquet/宝妈交流群.parquet": ("generic.parquet.v1", 21, 20, {"empty": 1},
                                      {"text": 15, "media": 2, "recalled": 1, "system": 1, "red_packet": 1},
                                      "宝妈交流群", "10001", datetime(2024, 5, 11, 13, 0)),
    "generic_jsonl/skincare_group.jsonl": ("generic.jsonl.v1", 25, 24, {"empty": 1}, FULL_KINDS,
                                           "护肤交流群", "wxid_mei01", datetime(2024, 3, 3, 23, 30)),
    "line_txt/[LINE] 护肤闺蜜群的聊天记录.txt": ("line.txt.v1", 25, 24, {"header": 1}, FULL_KINDS, "护肤闺蜜群", "小美",
                                        datetime(2024, 1, 30, 15, 40)),
    "qq_msgmgr_txt/晨跑打卡群.txt": ("qq.msgmgr_txt.v1", 20, 19, {"empty": 1},
                                {"text": 15, "media": 1, "recalled": 1, "system": 1, "red_packet": 1},
                                "晨跑打卡群", "820000001", datetime(2016, 8, 19, 22, 5, 3)),
    "qq_msgmgr_txt/晨跑打卡群_gbk.txt": ("qq.msgmgr_txt.v1", 20, 19, {"empty": 1},
                                    {"text": 15, "media": 1, "recalled": 1, "system": 1, "red_packet": 1},
                                    "晨跑打卡群", "820000001", datetime(2016, 8, 19, 22, 5, 3)),
    "slack_export/running_club_slack.zip": ("slack.export.v1", 19, 19, {}, {"text": 17, "media": 1, "system": 1},
                                            "晨跑", "U01RUN", datetime(2024, 4, 6, 22, 30)),
    "telegram_json/result.json": ("telegram.json.v1", 20, 19, {"empty": 1}, {"text": 17, "media": 1, "system": 1},
                                  "江边晨跑团", "user70001", datetime(2024, 5, 31, 22, 0)),
    "wechat_pywxdump_csv/20240305123@chatroom_0_24.csv": ("wechat.pywxdump_csv.v1", 24, 24, {}, FULL_KINDS,
                                                          "20240305123@chatroom", "我", datetime(2024, 3, 5, 0, 0)),
    "wechat_pywxdump_csv/baby_group@chatroom_0_20.csv": ("wechat.pywxdump_csv.v1", 20, 20, {},
                                                         {"text": 15, "media": 2, "recalled": 1, "system": 1,
                                                          "red_packet": 1},
                                                         "baby_group@chatroom", "wxid_baby10001",
                                                         datetime(2024, 4, 2, 12, 5)),
    "whatsapp_txt/WhatsApp Chat with 护肤小分队.txt": ("whatsapp.txt.v1", 25, 25, {},
                                                 {**FULL_KINDS, "system": 2}, "护肤小分队", "system",
                                                 datetime(2023, 11, 18, 0, 59)),
    "whatsapp_txt/_chat.txt": ("whatsapp.txt.v1", 24, 24, {}, FULL_KINDS, "_chat", "小美", datetime(2023, 11, 18, 1, 0)),
    **CAMP_HOME_PETS,
}


def test_every_sample_is_listed():
    on_disk = {str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.is_file()}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_sample_counts(rel):
    fmt, records, messages, skipped, kinds, chat, sender, first = EXPECTED[rel]
    path = SAMPLES / rel
    assert detect_format(path) == fmt
    led, msgs = read_one(path)
    assert (led.format, led.records, led.messages, led.skipped, led.error) == (fmt, records, messages, skipped, None)
    assert dict(Counter(m.kind.value for m in msgs)) == kinds
    assert msgs[0].chat == chat and msgs[0].sender == sender
    if first is None:  # an export without times (MemoTrace JSON)
        assert all(m.time is None for m in msgs)
    else:
        assert msgs[0].time == first.replace(tzinfo=UTC)
        assert all(m.time.tzinfo is UTC for m in msgs)
    assert len({m.id for m in msgs}) == len(msgs)
    assert all(m.source == fmt for m in msgs)
    assert [m.ordinal for m in msgs] == sorted(m.ordinal for m in msgs)


def _by_text(rel):
    _, msgs = read_one(SAMPLES / rel)
    return {m.text: m for m in msgs}, msgs


@pytest.mark.parametrize("rel,reply,parent", [
    ("telegram_json/result.json", "可能是髂胫束，建议多拉伸", "最近膝盖外侧疼，跑到8公里就不行了"),
    ("discord_json/宝妈互助社区 - 育儿吐槽.json", "同款，夜奶太折腾，希望有能自动保温的奶瓶", "宝宝晚上总是醒三四次，我整个人都快熬不住了"),
    ("slack_export/running_club_slack.zip", "可能是髂胫束，建议多拉伸", "最近膝盖外侧疼，跑到8公里就不行了"),
    ("generic_jsonl/skincare_group.jsonl", "我那款气垫遮瑕还行，就是得先把美妆蛋打湿，一着急就拍不匀",
     "这阵子天天加班，早起化妆根本来不及，想要上妆快又贴肤的底妆"),
])
def test_reply_links(rel, reply, parent):
    by, _ = _by_text(rel)
    assert by[reply].reply_to == by[parent].id


def test_pywxdump_quote_and_recall():
    by, msgs = _by_text("wechat_pywxdump_csv/20240305123@chatroom_0_24.csv")
    q = by["油皮+1，T区一到下午就泛油光"]
    assert q.quote == "夏夏:有没有适合油皮的妆前乳推荐？下午就脱妆斑驳了"
    assert by["兰兰撤回了一条消息"].kind is K.recalled
    assert msgs[0].id.startswith("wx:")


def test_qq_bare_lf_keeps_header_lookalike_in_body():
    by, msgs = _by_text("qq_msgmgr_txt/晨跑打卡群.txt")
    multi = [m for m in msgs if "\n" in m.text]
    assert len(multi) == 1 and multi[0].text.endswith("2016-08-20 6:00:00 这是我的跑步记录截图说明")
    assert by['阿花加入了群聊'].kind is K.system and by['阿花加入了群聊'].sender == "10000"
    assert msgs[0].sender_name == "阿杰"


def test_qq_gbk_equals_utf8():
    _, a = read_one(SAMPLES / "qq_msgmgr_txt/晨跑打卡群.txt")
    _, b = read_one(SAMPLES / "qq_msgmgr_txt/晨跑打卡群_gbk.txt")
    assert [(m.id, m.text, m.time) for m in a] == [(m.id, m.text, m.time) for m in b]


def test_whatsapp_multiline_and_system():
    by, msgs = _by_text("whatsapp_txt/WhatsApp Chat with 护肤小分队.txt")
    assert by["这阵子天天加班，早起化妆根本来不及，想要上妆快又贴肤的底妆\n补充一下：持妆、不厚重"].sender == "小美"
    assert msgs[0].kind is K.system and "end-to-end" in msgs[0].text
    by_ios, _ = _by_text("whatsapp_txt/_chat.txt")
    assert by_ios["image omitted"].kind is K.media
    assert by_ios["萍萍 joined using this group's invite link"].kind is K.system


def test_line_quoted_multiline():
    by, _ = _by_text("line_txt/[LINE] 护肤闺蜜群的聊天记录.txt")
    assert by["换季脸颊干到起皮，上妆卡粉太难受了\n\n另外眼周也干"].sender == "雨桐"


def test_demo_folder_ingests(tmp_path):
    summary = ingest_to_workspace([SAMPLES], None)
    assert all(led.error is None for led in summary.inputs)
    # the GBK copy of the QQ export holds the same 19 messages, and the Parquet copy of the generic
    # CSV the same 20: same chats and ids, deduplicated
    assert summary.duplicates == 19 + 20
    assert summary.new == sum(v[2] for v in EXPECTED.values()) - 19 - 20
