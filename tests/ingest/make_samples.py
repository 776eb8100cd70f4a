"""Regenerate the synthetic format fixtures under tests/fixtures/formats/ (run by hand, not a test).

All names, ids and phone-like strings are invented. Content is realistic Chinese group chat:
complaints, wishes, questions, noise (早上好/[红包]/[图片]/+1/ads), a reply, a quote, a recall and
a system join, so every reader has something realistic to parse. They are test fixtures only:
the demo (``needminer run data/samples``) reads the three groups in data/samples and nothing here.

    .venv/bin/python tests/ingest/make_samples.py
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
CN = timezone(timedelta(hours=8))


@dataclass
class Rec:
    """One record of a synthetic conversation."""

    minute: float  # minutes after the conversation start
    uid: str
    name: str
    text: str
    kind: str = "text"  # text, media, system, recalled, red_packet
    reply: int | None = None  # index of the record replied to
    quote: bool = False  # render the reply as an inline quote


SKINCARE = [
    Rec(0, "wxid_mei01", "小美", "早上好呀姐妹们☀️"),
    Rec(1, "wxid_lan02", "兰兰", "早上好"),
    Rec(3, "wxid_mei01", "小美", "这阵子天天加班，早起化妆根本来不及，想要上妆快又贴肤的底妆"),
    Rec(5, "wxid_qing03", "阿青", "我那款气垫遮瑕还行，就是得先把美妆蛋打湿，一着急就拍不匀", reply=2),
    Rec(6, "wxid_yu04", "雨桐", "说白了我就想要那种伪素颜的感觉，自然又显气色"),
    Rec(7, "wxid_lan02", "兰兰", "+1"),
    Rec(8, "wxid_lan02", "兰兰", "[图片]", kind="media"),
    Rec(9, "wxid_xia05", "夏夏", "有没有适合油皮的妆前乳推荐？下午就脱妆斑驳了"),
    Rec(11, "wxid_qing03", "阿青", "油皮+1，T区一到下午就泛油光", reply=7, quote=True),
    Rec(12, "wxid_ad99", "代购小王", "【限时特惠】正品大牌小样9.9包邮，加V咨询"),
    Rec(13, "wxid_mei01", "小美", "群里别发广告哈"),
    Rec(15, "wxid_yu04", "雨桐", "换季脸颊干到起皮，上妆卡粉太难受了"),
    Rec(16, "wxid_xia05", "夏夏", "同求保湿又不闷痘的面霜"),
    Rec(18, "wxid_lan02", "兰兰", "兰兰撤回了一条消息", kind="recalled"),
    Rec(20, "wxid_ping06", "萍萍", "\"萍萍\"加入了群聊", kind="system"),
    Rec(21, "wxid_ping06", "萍萍", "大家好，新人报到"),
    Rec(22, "wxid_mei01", "小美", "[红包]欢迎新人", kind="red_packet"),
    Rec(25, "wxid_ping06", "萍萍", "防晒喷雾补涂方便吗？出门带着一大瓶好麻烦，希望有小巧能放包里的"),
    Rec(27, "wxid_qing03", "阿青", "卸妆膏用完总觉得眼周卸不干净，又怕揉多了长细纹"),
    Rec(29, "wxid_yu04", "雨桐", "哈哈哈哈"),
    Rec(31, "wxid_xia05", "夏夏", "敏感肌用什么洗面奶不刺痛啊？用了好几款都泛红"),
    Rec(33, "wxid_mei01", "小美", "我也是敏感肌，求一个成分简单的清单"),
    Rec(35, "wxid_lan02", "兰兰", "[表情]", kind="media"),
    Rec(40, "wxid_ping06", "萍萍", "晚安啦"),
]

BABY = [
    Rec(0, "10001", "豆豆妈", "早上好各位宝妈"),
    Rec(2, "10002", "乐乐妈妈", "宝宝晚上总是醒三四次，我整个人都快熬不住了"),
    Rec(4, "10003", "小鱼爸", "同款，夜奶太折腾，希望有能自动保温的奶瓶", reply=1),
    Rec(5, "10004", "安安妈", "+1"),
    Rec(6, "10002", "乐乐妈妈", "[图片]", kind="media"),
    Rec(8, "10005", "果果妈", "推车太重了，一个人带娃出门根本抬不上公交"),
    Rec(9, "10001", "豆豆妈", "想要一款能单手收车、又能上飞机的推车"),
    Rec(11, "10006", "母婴优选店", "团购价纸尿裤买二送一，私聊下单"),
    Rec(12, "10004", "安安妈", "辅食机有没有好清洗的？每次洗刀头都怕划手"),
    Rec(14, "10003", "小鱼爸", "辅食机洗刀头确实麻烦", reply=8, quote=True),
    Rec(15, "10005", "果果妈", "果果妈撤回了一条消息", kind="recalled"),
    Rec(17, "10007", "朵朵妈", "朵朵妈加入本群", kind="system"),
    Rec(18, "10007", "朵朵妈", "大家好～宝宝8个月"),
    Rec(20, "10002", "乐乐妈妈", "[红包]", kind="red_packet"),
    Rec(22, "10007", "朵朵妈", "宝宝湿疹反反复复，保湿霜涂了也不管用，好心疼"),
    Rec(24, "10001", "豆豆妈", "湿疹要问医生，别乱用药"),
    Rec(26, "10004", "安安妈", "儿童安全座椅装起来好复杂，每次换车都要研究半天"),
    Rec(28, "10005", "果果妈", "请问大家用什么App记录喂奶和换尿布？我总忘记上次是几点"),
    Rec(30, "10003", "小鱼爸", "哈哈"),
    Rec(33, "10006", "母婴优选店", "[链接]", kind="media"),
]

RUNNING = [
    Rec(0, "u_run01", "阿杰", "早上好，今天谁去江边跑？"),
    Rec(1, "u_run02", "小林", "我去，6点半老地方"),
    Rec(3, "u_run03", "Coco", "最近膝盖外侧疼，跑到8公里就不行了"),
    Rec(5, "u_run04", "大刘", "可能是髂胫束，建议多拉伸", reply=2),
    Rec(6, "u_run03", "Coco", "希望有人能出个跑后拉伸的跟练视频，自己拉总不到位"),
    Rec(7, "u_run05", "Momo", "+1"),
    Rec(8, "u_run01", "阿杰", "[图片]", kind="media"),
    Rec(10, "u_run02", "小林", "夜跑的时候车太多，想要一个亮一点又不晃的头灯"),
    Rec(11, "u_run05", "Momo", "跑步耳机老是掉，出汗后更严重", reply=7, quote=True),
    Rec(13, "u_run06", "运动装备折扣", "跑鞋清仓五折，点链接抢购"),
    Rec(14, "u_run04", "大刘", "手表GPS在高楼之间漂得厉害，配速完全不准"),
    Rec(16, "u_run01", "阿杰", "有没有适合大体重新手的缓震跑鞋？怕伤膝盖"),
    Rec(17, "u_run05", "Momo", "Momo撤回了一条消息", kind="recalled"),
    Rec(19, "u_run07", "阿花", "阿花加入了群聊", kind="system"),
    Rec(20, "u_run07", "阿花", "新人求带，怎么报名周末的团跑？"),
    Rec(22, "u_run02", "小林", "[红包]", kind="red_packet"),
    Rec(25, "u_run03", "Coco", "马拉松能量胶太甜了，跑到后半程根本咽不下去"),
    Rec(27, "u_run04", "大刘", "哈哈哈"),
    Rec(30, "u_run01", "阿杰", "收工，明天见"),
]


def _times(start: datetime, recs: list[Rec]) -> list[datetime]:
    return [start + timedelta(minutes=r.minute) for r in recs]


def _write(rel: str, data: str | bytes, encoding: str = "utf-8") -> None:
    path = ROOT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def generic_jsonl() -> None:
    """Skincare group as generic JSONL: ISO with offset, naive ISO, epoch s and ms; ids; replies."""
    start = datetime(2024, 3, 4, 7, 30, tzinfo=CN)
    lines = []
    for i, (r, t) in enumerate(zip(SKINCARE, _times(start, SKINCARE))):
        obj = {"id": f"m{i + 1}", "chat": "护肤交流群", "sender": r.uid, "sender_name": r.name, "text": r.text}
        if i % 4 == 0:
            obj["time"] = t.isoformat()
        elif i % 4 == 1:
            obj["time"] = t.strftime("%Y-%m-%d %H:%M:%S")  # naive → Asia/Shanghai
        elif i % 4 == 2:
            obj["time"] = int(t.timestamp())
        else:
            obj["time"] = str(int(t.timestamp() * 1000))
        if r.kind != "text":
            obj["kind"] = r.kind
        if r.reply is not None:
            obj["reply_to"] = f"m{r.reply + 1}"
        lines.append(json.dumps(obj, ensure_ascii=False))
    lines.insert(5, json.dumps({"id": "m0", "chat": "护肤交流群", "sender": "wxid_yu04", "text": "  "}, ensure_ascii=False))
    _write("generic_jsonl/skincare_group.jsonl", "\n".join(lines) + "\n")


def generic_csv() -> None:
    """Baby group as generic CSV in UTF-8 with BOM (Excel style); chat = file stem."""
    start = datetime(2024, 5, 11, 21, 0)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["id", "time", "sender", "sender_name", "text", "reply_to"])
    for i, (r, t) in enumerate(zip(BABY, _times(start, BABY))):
        w.writerow([i + 1, t.strftime("%Y-%m-%d %H:%M:%S"), r.uid, r.name, r.text,
                    "" if r.reply is None else r.reply + 1])
    w.writerow([99, "2024-05-11 22:00:00", "10002", "乐乐妈妈", "", ""])
    _write("generic_csv/宝妈交流群.csv", "\ufeff" + buf.getvalue())


def generic_parquet() -> None:
    """The baby group's generic CSV as Parquet (a pipeline's output): a real timestamp column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = datetime(2024, 5, 11, 21, 0)
    rows = [{"id": str(i + 1), "time": t, "sender": r.uid, "sender_name": r.name, "text": r.text,
             "reply_to": "" if r.reply is None else str(r.reply + 1)}
            for i, (r, t) in enumerate(zip(BABY, _times(start, BABY)))]
    rows.append({"id": "99", "time": datetime(2024, 5, 11, 22, 0), "sender": "10002", "sender_name": "乐乐妈妈",
                 "text": "", "reply_to": ""})
    buf = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    _write("generic_parquet/宝妈交流群.parquet", buf.getvalue().to_pybytes())


def _kind_label(r: Rec) -> str:
    return {"media": "图片", "system": "系统通知", "recalled": "系统通知", "red_packet": "红包"}.get(r.kind, "文本")


def wechat_pywxdump_csv() -> None:
    """Skincare group, PyWxDump v3.1 header; one quote reply (49,57) and a revoke."""
    start = datetime(2024, 3, 5, 8, 0)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "msg", "src", "CreateTime"])
    for i, (r, t) in enumerate(zip(SKINCARE, _times(start, SKINCARE))):
        text, label = r.text, _kind_label(r)
        if r.quote:
            q = SKINCARE[r.reply]
            qt = (start + timedelta(minutes=q.minute)).strftime("%Y-%m-%d %H:%M:%S")
            text, label = f"{r.text}\n\n[引用]({qt}){q.name}:{q.text}", "引用回复"
        if r.kind == "recalled":
            text = f"<revokemsg>{r.text}</revokemsg>"
        if r.kind == "media":
            text = "图片" if r.text == "[图片]" else "表情"
        talker = "我" if r.uid == "wxid_mei01" else r.uid
        w.writerow([i + 1, 7300000000000000000 + i * 7919, label, int(talker == "我"), talker,
                    "20240305123@chatroom", text, "", t.strftime("%Y-%m-%d %H:%M:%S")])
    _write("wechat_pywxdump_csv/20240305123@chatroom_0_24.csv", buf.getvalue())


def wechat_pywxdump_csv_old() -> None:
    """Baby group, early-2024 PyWxDump header with a JSON ``content`` column, Excel-style times."""
    start = datetime(2024, 4, 2, 20, 5)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "content", "CreateTime"])
    for i, (r, t) in enumerate(zip(BABY, _times(start, BABY))):
        content = json.dumps({"src": "", "msg": r.text}, ensure_ascii=False)
        w.writerow([i + 1, 5100000000000000000 + i * 104729, _kind_label(r), 0, f"wxid_baby{r.uid}",
                    "baby_group@chatroom", content, f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}"])
    _write("wechat_pywxdump_csv/baby_group@chatroom_0_20.csv", buf.getvalue())


def qq_msgmgr_txt() -> None:
    """Running group in QQ 消息管理器 TXT: UTF-8 BOM, CRLF records, bare LF inside a message; plus
    the same export re-encoded to GBK."""
    start = datetime(2016, 8, 20, 6, 5, 3)
    out = ["消息记录（此消息记录为文本格式，不支持重新导入）", "", "=" * 64, "消息分组:我的QQ群", "=" * 64,
           "消息对象:晨跑打卡群", "=" * 64, ""]
    for i, (r, t) in enumerate(zip(RUNNING, _times(start, RUNNING))):
        qq = str(80000 + i % 7 * 1111 + int(r.uid[-1]))
        uid = "10000" if r.kind == "system" else str(820000000 + int(r.uid[-2:]))
        nick = "系统消息" if r.kind == "system" else r.name
        out.append(f"{t.year}-{t.month:02d}-{t.day:02d} {t.hour}:{t.minute:02d}:{t.second:02d} {nick}({uid})")
        text = r.text
        if i == 2:  # a multi-line message whose 2nd line looks like a header (pasted)
            text += "\n2016-08-20 6:00:00 这是我的跑步记录截图说明"
        out.append(text)
        out.append("")
        del qq
    out.insert(9 + 3 * 5, "2016-08-20 6:12:40 小林(820000002)")  # an empty body
    out.insert(10 + 3 * 5, "")
    data = "\r\n".join(out) + "\r\n"
    _write("qq_msgmgr_txt/晨跑打卡群.txt", b"\xef\xbb\xbf" + data.encode("utf-8"))
    _write("qq_msgmgr_txt/晨跑打卡群_gbk.txt", data.encode("gbk"))


def telegram_json() -> None:
    """Running group as a Telegram Desktop single-chat export, with a reply, a photo and a join."""
    start = datetime(2024, 6, 1, 6, 0, tzinfo=CN)
    msgs = []
    for i, (r, t) in enumerate(zip(RUNNING, _times(start, RUNNING))):
        m: dict = {"id": 100 + i, "type": "message", "date": t.strftime("%Y-%m-%dT%H:%M:%S"),
                   "date_unixtime": str(int(t.timestamp())), "from": r.name, "from_id": f"user{70000 + int(r.uid[-2:])}"}
        if r.kind == "system":
            m = {"id": 100 + i, "type": "service", "date": m["date"], "date_unixtime": m["date_unixtime"],
                 "actor": r.name, "actor_id": m["from_id"], "action": "join_group_by_link", "text": ""}
        elif r.kind == "media":
            m.update(photo="(File not included. Change data exporting settings to download.)", width=1280, height=960, text="")
        else:
            m["text"] = r.text
            m["text_entities"] = [{"type": "plain", "text": r.text}]
        if r.reply is not None:
            m["reply_to_message_id"] = 100 + r.reply
        msgs.append(m)
    msgs.insert(3, {"id": 99, "type": "message", "date": "2024-06-01T06:02:30", "date_unixtime": "1717192950",
                    "from": "小林", "from_id": "user70002", "text": "", "text_entities": []})
    root = {"name": "江边晨跑团", "type": "private_supergroup", "id": 1987654321, "messages": msgs}
    _write("telegram_json/result.json", json.dumps(root, ensure_ascii=False, indent=1))


def whatsapp_txt() -> None:
    """Skincare group: Android (dd/mm/yyyy, 24h) and iOS ([m/d/yy, h:mm:ss AM]) variants."""
    start = datetime(2023, 11, 18, 9, 0)
    android, ios = [], []
    for r, t in zip(SKINCARE, _times(start, SKINCARE)):
        text = {"media": "<Media omitted>", "recalled": "This message was deleted"}.get(r.kind, r.text)
        if r.kind == "system":
            android.append(f"{t:%d/%m/%Y}, {t:%H:%M} - {r.name} joined using this group's invite link")
            ios.append(f"[{t.month}/{t.day}/{t:%y}, {t.hour % 12 or 12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}] \u200e{r.name} joined using this group's invite link")
            continue
        ios_text = {"<Media omitted>": "\u200eimage omitted"}.get(text, text)
        android.append(f"{t:%d/%m/%Y}, {t:%H:%M} - {r.name}: {text}")
        ios.append(f"[{t.month}/{t.day}/{t:%y}, {t.hour % 12 or 12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}] {r.name}: {ios_text}")
    e2e = "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."
    android.insert(0, f"18/11/2023, 08:59 - {e2e}")
    android.insert(4, "补充一下：\n1. 要持妆\n2. 不要太厚重")
    android[3] += "\n补充一下：持妆、不厚重"
    del android[4]
    _write("whatsapp_txt/WhatsApp Chat with 护肤小分队.txt", "\n".join(android) + "\n")
    _write("whatsapp_txt/_chat.txt", "\r\n".join(ios) + "\r\n")


def discord_json() -> None:
    """Baby group as a DiscordChatExporter JSON export (UTC offsets, a reply, an attachment, a join)."""
    start = datetime(2024, 2, 10, 13, 0, tzinfo=timezone.utc)
    msgs = []
    for i, (r, t) in enumerate(zip(BABY, _times(start, BABY))):
        m = {"id": str(1200000000000000000 + i), "type": "Default", "timestamp": t.isoformat(timespec="milliseconds"),
             "timestampEdited": None, "isPinned": False, "content": r.text,
             "author": {"id": str(900000000000000000 + int(r.uid)), "name": f"user{r.uid}", "discriminator": "0000",
                        "nickname": r.name, "isBot": False}, "attachments": [], "embeds": [], "reactions": []}
        if r.kind == "system":
            m.update(type="GuildMemberJoin", content="Joined the server.")
        if r.kind == "media":
            m.update(content="", attachments=[{"id": str(i), "url": f"photo{i}.jpg", "fileName": f"photo{i}.jpg", "fileSizeBytes": 1024}])
        if r.reply is not None:
            m.update(type="Reply", reference={"messageId": str(1200000000000000000 + r.reply), "channelId": "1", "guildId": "2"})
        msgs.append(m)
    root = {"guild": {"id": "2", "name": "宝妈互助社区", "iconUrl": ""},
            "channel": {"id": "1", "type": "GuildTextChat", "categoryId": "3", "category": "交流", "name": "育儿吐槽", "topic": None},
            "dateRange": {"after": None, "before": None}, "exportedAt": "2024-02-11T00:00:00+00:00",
            "messages": msgs, "messageCount": len(msgs)}
    _write("discord_json/宝妈互助社区 - 育儿吐槽.json", json.dumps(root, ensure_ascii=False, indent=2))


def slack_export() -> None:
    """Running group as a Slack export zip: users/channels + per-day files, a thread, a join."""
    start = datetime(2024, 4, 6, 22, 30, tzinfo=timezone.utc)
    users = [{"id": f"U{r.uid[-2:]}RUN", "name": f"runner{r.uid[-2:]}", "real_name": r.name,
              "profile": {"display_name": r.name, "real_name": r.name}} for r in {r.uid: r for r in RUNNING}.values()]
    days: dict[str, list] = {}
    ts_of = {}
    for i, (r, t) in enumerate(zip(RUNNING, _times(start, RUNNING))):
        ts = f"{t.timestamp():.6f}"
        ts_of[i] = ts
        m = {"type": "message", "user": f"U{r.uid[-2:]}RUN", "text": r.text, "ts": ts}
        if r.kind == "system":
            m.update(subtype="channel_join", text=f"<@U{r.uid[-2:]}RUN> has joined the channel")
        if r.kind == "media":
            m.update(subtype="file_share", text="", files=[{"name": "IMG_0001.jpg"}])
        if r.reply is not None:
            m["thread_ts"] = ts_of[r.reply]
        days.setdefault(t.strftime("%Y-%m-%d"), []).append(m)
    path = ROOT / "slack_export" / "running_club_slack.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    def member(name: str) -> zipfile.ZipInfo:  # fixed timestamps: regenerating gives the same bytes
        return zipfile.ZipInfo(name, date_time=(2024, 4, 8, 0, 0, 0))

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member("users.json"), json.dumps(users, ensure_ascii=False, indent=1))
        zf.writestr(member("channels.json"),
                    json.dumps([{"id": "C0RUN", "name": "晨跑", "created": "1700000000"}], ensure_ascii=False))
        for day, items in days.items():
            zf.writestr(member(f"晨跑/{day}.json"), json.dumps(items, ensure_ascii=False, indent=1))


def line_txt() -> None:
    """Skincare group as a LINE zh-CN export: day headers, TAB lines, a quoted multi-line text."""
    start = datetime(2024, 1, 30, 23, 40)
    out = ["[LINE] 护肤闺蜜群的聊天记录", "保存日期：2024/02/01 10:00", ""]
    day = None
    for r, t in zip(SKINCARE, _times(start, SKINCARE)):
        if t.date() != day:
            day = t.date()
            out += ["", f"{t.year}/{t.month}/{t.day}{'一二三四五六日'[t.weekday()]}".replace(str(t.day) + "", f"{t.day}周", 1) if False else f"{t.year}/{t.month}/{t.day}周{'一二三四五六日'[t.weekday()]}"]
        text = {"media": "[照片]" if r.text == "[图片]" else "[贴图]", "recalled": f"{r.name}已收回讯息"}.get(r.kind, r.text)
        if r.kind == "system":
            out.append(f"{t:%H:%M}\t\t{r.name}加入了群聊")
            continue
        if r.kind == "recalled":
            out.append(f"{t:%H:%M}\t\t{r.name} unsent a message.")
            continue
        if r.minute == 15:
            text = f'"{text}\n\n另外眼周也干"'
        out.append(f"{t:%H:%M}\t{r.name}\t{text}")
    _write("line_txt/[LINE] 护肤闺蜜群的聊天记录.txt", "\r\n".join(out) + "\r\n")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import make_samples_qq
    import make_samples_wechat

    for fn in [v for k, v in dict(globals()).items() if callable(v) and k.startswith(("generic_", "wechat_", "qq_", "telegram", "whatsapp", "discord", "slack", "line", "chatlab"))]:
        fn()
    for mod in (make_samples_wechat, make_samples_qq):
        for k, v in vars(mod).items():
            if callable(v) and not k.startswith("_") and getattr(v, "__module__", "") == mod.__name__ and k != "Rec":
                v()
