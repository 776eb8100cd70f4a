"""The camping / flat-share / pet-group fixtures (WeChat tools, QQChatExporter, ChatLab, DCE): exact
counts, plus the shape-specific details of their readers (MemoTrace TXT/HTML, chatlog text, DCE TXT)
and reply/quote links."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from needminer.types import MessageKind

from .conftest import SAMPLES, read_one

K = MessageKind
_CAMP = {"text": 17, "media": 2, "recalled": 1, "system": 1, "red_packet": 1}
_PETS = {"text": 16, "media": 1, "recalled": 1, "system": 1, "red_packet": 1}
_HOME = {"text": 14, "media": 1, "recalled": 1, "system": 1, "red_packet": 1}

# file → (format, records, messages, skipped, kinds, chat, first sender, first time (UTC; None: no times))
CAMP_HOME_PETS = {
    "chatlab_json/猫咪互助群.json": ("chatlab.json.v1", 21, 20, {"empty": 1}, _PETS,
        "猫咪互助群", "qq2001", datetime(2026, 10, 1, 0, 0)),
    "chatlab_jsonl/猫咪互助群.jsonl": ("chatlab.jsonl.v1", 20, 20, {}, _PETS,
        "猫咪互助群", "qq2001", datetime(2026, 10, 6, 0, 0)),
    "discord_csv/猫咪互助群 - 日常.csv": ("discord.dce_csv.v1", 21, 20, {"empty": 1}, _PETS,
        "猫咪互助群 - 日常", "900000000000002001", datetime(2026, 10, 12, 15, 45)),
    "discord_txt/猫咪互助群 - 日常.txt": ("discord.dce_txt.v1", 21, 20, {"header": 1}, _PETS,
        "猫咪互助群 / 日常", "橘子妈", datetime(2026, 10, 15, 15, 45)),
    "qq_qce_json/猫咪互助群.json": ("qq.qce_json.v1", 21, 20, {"empty": 1}, _PETS,
        "猫咪互助群", "882001", datetime(2026, 9, 13, 23, 0)),
    "qq_qce_jsonl/猫咪互助群_chunked_jsonl/chunks/chunk_0001.jsonl": ("qq.qce_jsonl.v1", 21, 20, {"unparseable": 1}, _PETS,
        "猫咪互助群", "882001", datetime(2026, 9, 23, 23, 0)),
    "qq_qce_txt/猫咪互助群.txt": ("qq.qce_txt.v1", 21, 20, {"header": 1}, _PETS,
        "猫咪互助群", "橘子妈", datetime(2026, 9, 2, 23, 0)),
    "wechat_chatlog_csv/chatlog_幸福里合租群.csv": ("wechat.chatlog_csv.v1", 19, 18, {"empty": 1}, _HOME,
        "幸福里合租群", "wxid_home01", datetime(2026, 9, 8, 13, 0)),
    "wechat_chatlog_json/chatlog_幸福里合租群.json": ("wechat.chatlog_json.v1", 19, 18, {"bad_time": 1}, _HOME,
        "幸福里合租群", "wxid_home01", datetime(2026, 9, 22, 13, 0)),
    "wechat_chatlog_text/chatlog_幸福里合租群_2026-10-08.txt": ("wechat.chatlog_text.v1", 18, 18, {}, _HOME,
        "幸福里合租群", "wxid_home01", datetime(2026, 10, 8, 13, 0)),
    "wechat_echotrace_json/露营搭子群_echotrace.json": ("wechat.weflow_json.v1", 23, 22, {"bad_time": 1}, _CAMP,
        "露营搭子群(备份)", "wxid_camp01", datetime(2026, 9, 19, 13, 0)),
    "wechat_memotrace_csv/露营搭子群_utf8.csv": ("wechat.memotrace_csv.v1", 23, 22, {"empty": 1}, {"text": 16, "media": 3, "recalled": 1, "system": 1, "red_packet": 1},
        "露营搭子群", "wxid_camp01", datetime(2026, 9, 26, 12, 0)),
    "wechat_memotrace_html/露营搭子群.html": ("wechat.memotrace_html.v1", 22, 22, {}, _CAMP,
        "露营搭子群", "山野", datetime(2026, 10, 10, 12, 0)),
    "wechat_memotrace_txt/露营搭子群.txt": ("wechat.memotrace_txt.v1", 23, 23, {}, {"text": 17, "media": 3, "recalled": 1, "system": 1, "red_packet": 1},
        "露营搭子群", "山野", datetime(2026, 10, 3, 12, 0)),
    "wechat_pywxdump_json/48000000001@chatroom_0_22.json": ("wechat.pywxdump_json.v1", 23, 22, {"unparseable": 1}, _CAMP,
        "48000000001@chatroom", "我", datetime(2026, 10, 17, 1, 0)),
    "wechat_weflow_json/露营搭子群.json": ("wechat.weflow_json.v1", 22, 22, {}, _CAMP,
        "露营搭子群", "wxid_camp01", datetime(2026, 9, 12, 11, 30)),
    "wechat_weflow_txt/露营搭子群.txt": ("wechat.weflow_txt.v1", 23, 22, {"empty": 1}, _CAMP,
        "露营搭子群", "山野", datetime(2026, 9, 5, 12, 0)),
    # MemoTrace JSON (fine-tune set): no times at all (first time None)
    "wechat_memotrace_json/山野_train.json": ("wechat.memotrace_json.v1", 21, 15, {"system": 5, "empty": 1},
        {"text": 14, "media": 1}, "山野", "山野", None),
    "wechat_memotrace_json/山野_dev.json": ("wechat.memotrace_json.v1", 7, 5, {"system": 2}, {"text": 5},
        "山野", "山野", None),
}


def _by_text(rel):
    _, msgs = read_one(SAMPLES / rel)
    return {m.text: m for m in msgs}, msgs


@pytest.mark.parametrize("rel,reply,parent", [
    ("wechat_weflow_json/露营搭子群.json", "速开帐篷挺多的，就是收起来特别难塞回袋子",
     "上次那顶帐篷搭了快一个小时，天黑了还没弄好，想要一个人几分钟就能撑开的"),
    ("qq_qce_json/猫咪互助群.json", "试试豆腐砂，不过结团后容易粘底", "猫砂一倒就起一层灰，我鼻炎都犯了，想找粉尘小点的"),
    ("qq_qce_jsonl/猫咪互助群_chunked_jsonl/chunks/chunk_0001.jsonl", "喂食器卡粮真的是通病",
     "出差三天，自动喂食器老是卡粮，回来猫都饿瘦了"),
])
def test_reply_links(rel, reply, parent):
    by, _ = _by_text(rel)
    assert by[reply].reply_to == by[parent].id


@pytest.mark.parametrize("rel,text,quote", [
    ("wechat_weflow_txt/露营搭子群.txt", "返潮太真实了，后半夜直接冻醒", "Yuki：晚上地面返潮，防潮垫垫了两层还是冷，睡袋都潮了"),
    ("wechat_memotrace_txt/露营搭子群.txt", "返潮太真实了，后半夜直接冻醒", "Yuki:晚上地面返潮，防潮垫垫了两层还是冷，睡袋都潮了"),
    ("wechat_memotrace_html/露营搭子群.html", "返潮太真实了，后半夜直接冻醒", "Yuki：晚上地面返潮，防潮垫垫了两层还是冷，睡袋都潮了"),
    ("wechat_pywxdump_json/48000000001@chatroom_0_22.json", "返潮太真实了，后半夜直接冻醒",
     "Yuki:晚上地面返潮，防潮垫垫了两层还是冷，睡袋都潮了"),
    ("wechat_chatlog_text/chatlog_幸福里合租群_2026-10-08.txt", "冰箱分区太需要了",
     "老陈: 合租的冰箱谁的东西都混在一起，经常被拿错，想要能分区上锁的"),
    ("qq_qce_txt/猫咪互助群.txt", "喂食器卡粮真的是通病", "u_2005: 出差三天，自动喂食器老是卡粮，回来猫都饿瘦了"),
    ("chatlab_jsonl/猫咪互助群.jsonl", "喂食器卡粮真的是通病", "咪咪：出差三天，自动喂食器老是卡粮，回来猫都饿瘦了"),
])
def test_inline_quotes(rel, text, quote):
    by, _ = _by_text(rel)
    assert by[text].quote == quote


def test_memotrace_txt_system_lines_names_and_cards():
    by, msgs = _by_text("wechat_memotrace_txt/露营搭子群.txt")
    assert by["桃子撤回了一条消息"].kind is K.recalled and by["桃子撤回了一条消息"].sender == "system"
    assert by['"大熊"加入了群聊'].kind is K.system
    assert by["【清仓】冲锋衣39元起，私聊拿货"].sender == "户外装备批发&零售"  # &amp; unescaped
    card = [m for m in msgs if m.text.startswith("[链接]")]
    assert len(card) == 1 and card[0].kind is K.media and card[0].sender == "老周"


def test_memotrace_html_literals():
    by, msgs = _by_text("wechat_memotrace_html/露营搭子群.html")
    assert by["那就周六早上8点集合\n（营地在山脚下，别走错了）"].sender == "山野"
    assert by['"大熊"加入了群聊'].kind is K.system  # \" and &quot; undone
    assert by["发起转账"].kind is K.red_packet
    assert by["【清仓】冲锋衣39元起，私聊拿货"].sender == "户外装备批发&零售"


def test_chatlog_text_year_from_file_name():
    by, msgs = _by_text("wechat_chatlog_text/chatlog_幸福里合租群_2026-10-08.txt")
    assert all(m.time.year == 2026 and m.time.month == 10 for m in msgs)
    assert by["小北撤回了一条消息".replace("小北", "大鹏")].kind is K.recalled
    assert msgs[1].sender == "wxid_home02" and msgs[1].sender_name == "小北"


def test_dce_txt_blocks_and_system():
    by, msgs = _by_text("discord_txt/猫咪互助群 - 日常.txt")
    assert by["Joined the server."].kind is K.system
    assert by["[attachment]"].kind is K.media
    assert by["猫砂一倒就起一层灰，我鼻炎都犯了，想找粉尘小点的"].sender == "布丁"  # {Reactions} block dropped
    assert msgs[-1].text == "晚安各位铲屎官"  # footer not glued to the last message
    assert msgs[-1].time == datetime(2026, 10, 15, 16, 15, tzinfo=timezone.utc)  # 10/16 00:15 +08:00


def test_fixtures_avoid_demo_seed_sentences():
    seeds = ("最近加班多，早上化妆时间不够，希望底妆又快又服帖", "打湿美妆蛋", "伪素颜")
    for rel in CAMP_HOME_PETS:
        data = (SAMPLES / rel).read_bytes().decode("utf-8", "replace")
        assert not any(s in data for s in seeds), rel


def test_qce_chunked_manifest_is_furniture(tmp_path):
    import json
    import shutil

    from needminer.ingest import ingest_to_workspace

    folder = tmp_path / "猫咪互助群_chunked_jsonl"
    shutil.copytree(SAMPLES / "qq_qce_jsonl/猫咪互助群_chunked_jsonl", folder)
    manifest = {"metadata": {"name": "QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter"},
                "chatInfo": {"name": "猫咪互助群", "type": "group"}, "statistics": {"totalMessages": 20},
                "chunked": {"format": "jsonl", "chunksDir": "chunks", "chunkFileExt": ".jsonl", "chunks": []}}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    summary = ingest_to_workspace([folder], None)
    by_path = {led.path.rsplit("/", 1)[-1]: led for led in summary.inputs}
    assert by_path["manifest.json"].error is None and by_path["manifest.json"].skipped == {"header": 1}
    assert by_path["chunk_0001.jsonl"].messages == 20
