"""Real exports from ../shared/data/formats (skipped when that folder is absent)."""

from __future__ import annotations

from collections import Counter

import pytest

from needminer.ingest import detect_format

from .conftest import SHARED, read_one

# path → (format, records, messages, skipped, kinds)
EXPECTED = {
    "discord_dce_json/chat-analytics_DM_2A_2M.json": ("discord.dce_json.v1", 3, 3, {}, {"text": 2, "system": 1}),
    "discord_dce_json/chat-analytics_GC_3A_5M.json": ("discord.dce_json.v1", 6, 6, {}, {"text": 3, "system": 3}),
    "discord_dce_json/chat-analytics_SV_5A_5M.json": ("discord.dce_json.v1", 5, 5, {}, {"text": 5}),
    "discord_dce_json/dce_example_guild_chill_talk.json": ("discord.dce_json.v1", 6, 6, {}, {"text": 6}),
    "discord_dce_json/dce_example_guild_thread.json": ("discord.dce_json.v1", 5, 5, {}, {"text": 5}),
    "generic_chatlab/chatlab_example.jsonl": ("chatlab.jsonl.v1", None, None, None, None),
    "generic_chatlab/chatlab_group_example.json": ("chatlab.json.v1", 2, 2, {}, {"text": 1, "media": 1}),
    "line_txt/line_th_private_BE_calendar_excerpt.txt": ("line.txt.v1", 3822, 3821, {"header": 1},
                                                         {"text": 3505, "media": 216, "system": 79, "recalled": 21}),
    "qq_msgmgr_txt/qq_group_2016_msgmgr_export.txt": ("qq.msgmgr_txt.v1", 1847, 1838, {"empty": 9},
                                                      {"text": 1642, "media": 166, "system": 20, "recalled": 10}),
    "qq_qce_txt/qce_private_chat.txt": ("qq.qce_txt.v1", 403, 403, {}, {"text": 277, "media": 106, "system": 20}),
    "telegram_json/chat-analytics_DM_2A_7M.json": ("telegram.json.v1", 8, 8, {}, {"text": 4, "system": 2, "media": 2}),
    "telegram_json/chat-miner_test_batch_export.json": ("telegram.json.v1", 2, 2, {}, {"text": 2}),
    "telegram_json/result_private_group_en.json": ("telegram.json.v1", 512, 512, {}, {"text": 487, "media": 23, "system": 2}),
    "wechat_pywxdump_csv/example_chat.csv": ("wechat.pywxdump_csv.v1", 35, 35, {}, {"text": 26, "media": 8, "system": 1}),
    "wechat_weflow_txt/weflow_private_chat.txt": ("wechat.weflow_txt.v1", 72, 72, {}, {"text": 62, "media": 10}),
    "whatsapp_txt/chat-analytics_2A_5M.txt": ("whatsapp.txt.v1", 5, 5, {}, {"text": 4, "media": 1}),
    "whatsapp_txt/chat-analytics_4A_11M.txt": ("whatsapp.txt.v1", 14, 14, {}, {"text": 11, "system": 3}),
    "whatsapp_txt/chat-miner_test_ddmmyy_24hrs.txt": ("whatsapp.txt.v1", 9, 9, {}, {"text": 6, "system": 3}),
    "whatsapp_txt/chat-miner_test_mmddyy_24hrs.txt": ("whatsapp.txt.v1", 9, 9, {}, {"text": 6, "system": 3}),
    "whatsapp_txt/chat-miner_test_mmddyy_brackets_24hrs.txt": ("whatsapp.txt.v1", 9, 9, {}, {"text": 6, "system": 3}),
    "whatsapp_txt/chat-miner_test_mmddyyyy_12hrs.txt": ("whatsapp.txt.v1", 9, 9, {}, {"text": 6, "system": 3}),
    "whatsapp_txt/chat-miner_test_yyyymmdd_24hrs.txt": ("whatsapp.txt.v1", 9, 9, {}, {"text": 6, "system": 3}),
    "whatsapp_txt/ios_2017_legacy_colon_sample.txt": ("whatsapp.txt.v1", 18, 18, {}, {"text": 15, "system": 3}),
    "whatsapp_txt/ios_en-GB_group_plusword_excerpt.txt": ("whatsapp.txt.v1", 400, 400, {},
                                                          {"text": 317, "media": 74, "system": 7, "recalled": 2}),
    "whatsapp_txt/whatstk_lorem_brackets_dd-mm-yy_seconds.txt": ("whatsapp.txt.v1", 500, 500, {}, {"text": 500}),
    "slack_export/official_2016": ("slack.export.v1", 27, 27, {}, None),
}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_sample(shared, rel):
    fmt, records, messages, skipped, kinds = EXPECTED[rel]
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"{rel} not in this copy of the shared samples")
    assert detect_format(path) == fmt
    led, msgs = read_one(path)
    assert led.error is None and led.format == fmt
    if records is not None:
        assert (led.records, led.messages, led.skipped) == (records, messages, skipped)
    else:
        assert led.messages > 0
    if kinds is not None:
        assert dict(Counter(m.kind.value for m in msgs)) == kinds
    assert all(m.time is None or m.time.utcoffset().total_seconds() == 0 for m in msgs)


def test_whatsapp_day_month_inference(shared):
    _, dd = read_one(SHARED / "whatsapp_txt/chat-miner_test_ddmmyy_24hrs.txt", tz="UTC")
    _, mm = read_one(SHARED / "whatsapp_txt/chat-miner_test_mmddyy_24hrs.txt", tz="UTC")
    assert [m.time for m in dd] == [m.time for m in mm]
    assert dd[1].time.isoformat() == "2019-01-20T11:23:00+00:00"


def test_telegram_epoch_wins_over_local_date(shared):
    _, msgs = read_one(SHARED / "telegram_json/result_private_group_en.json", tz="UTC")
    assert msgs[0].time.isoformat() == "2024-12-10T08:47:58+00:00" and msgs[0].id == "tg:4691331297:4617"
    assert msgs[0].sender == "user1482923093" and msgs[0].sender_name == "Ethan Cemer"


def test_qq_sender_is_last_id(shared):
    _, msgs = read_one(SHARED / "qq_msgmgr_txt/qq_group_2016_msgmgr_export.txt")
    assert msgs[0].sender == "271147505" and msgs[0].time.isoformat() == "2016-07-19T07:27:15+00:00"
    assert msgs[1].sender == "qinshengbuduan@qq.com"


def test_line_buddhist_era(shared):
    _, msgs = read_one(SHARED / "line_txt/line_th_private_BE_calendar_excerpt.txt", tz="Asia/Bangkok")
    assert msgs[0].time.isoformat() == "2019-07-10T12:10:00+00:00" and msgs[0].chat == "Firm"


def test_weflow_quote_split(shared):
    _, msgs = read_one(SHARED / "wechat_weflow_txt/weflow_private_chat.txt")
    quoted = [m for m in msgs if m.quote]
    assert quoted and all("[引用" not in m.text for m in quoted)


def test_qce_reply_quote(shared):
    _, msgs = read_one(SHARED / "qq_qce_txt/qce_private_chat.txt")
    q = [m for m in msgs if m.quote]
    assert q and all(not m.text.startswith("[回复") and "回复: " not in m.text for m in q)


def test_discord_reply(shared):
    _, msgs = read_one(SHARED / "discord_dce_json/dce_example_guild_chill_talk.json")
    assert [m.reply_to for m in msgs if m.reply_to] == ["dc:1060954094627463098"]
