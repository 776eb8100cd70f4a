"""Synthetic WeChat-tool fixtures (Sept–Oct 2026): WeFlow, EchoTrace, MemoTrace, PyWxDump JSON and
chatlog exports. Called by ``make_samples.py``; the QQ / ChatLab / Discord ones are in ``make_samples_qq.py``.

Invented chats (露营 group, 合租 group, a private chat with 山野) with complaints, wishes, a reply, an inline quote,
media, a recall, a join, a red packet, an ad and small talk. Nothing is copied from real exports.
"""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import datetime, timedelta

from make_samples import CN, Rec, _write  # noqa: E402  (run as a script from this folder)

CAMP = [
    Rec(0, "wxid_camp01", "山野", "周末去哪露营？有人组队吗"),
    Rec(1, "wxid_camp02", "阿木", "我报名，刚入了新天幕"),
    Rec(3, "wxid_camp03", "小溪", "上次那顶帐篷搭了快一个小时，天黑了还没弄好，想要一个人几分钟就能撑开的"),
    Rec(5, "wxid_camp04", "老周", "速开帐篷挺多的，就是收起来特别难塞回袋子", reply=2),
    Rec(6, "wxid_camp02", "阿木", "+1"),
    Rec(7, "wxid_camp05", "Yuki", "[图片]", kind="media"),
    Rec(9, "wxid_camp05", "Yuki", "晚上地面返潮，防潮垫垫了两层还是冷，睡袋都潮了"),
    Rec(11, "wxid_camp03", "小溪", "返潮太真实了，后半夜直接冻醒", reply=6, quote=True),
    Rec(12, "wxid_ad88", "户外装备批发&零售", "【清仓】冲锋衣39元起，私聊拿货"),
    Rec(13, "wxid_camp01", "山野", "广告请出去哈"),
    Rec(15, "wxid_camp04", "老周", "卡式炉一有风就熄火，有没有防风好点的炉头推荐？"),
    Rec(16, "wxid_camp06", "桃子", "桃子撤回了一条消息", kind="recalled"),
    Rec(18, "wxid_camp07", "大熊", "\"大熊\"加入了群聊", kind="system"),
    Rec(19, "wxid_camp07", "大熊", "新人报道，第一次露营求一份装备清单"),
    Rec(20, "wxid_camp01", "山野", "[红包]新人红包", kind="red_packet"),
    Rec(22, "wxid_camp06", "桃子", "蚊子太多了，驱蚊液喷了也没用，孩子腿上全是包"),
    Rec(24, "wxid_camp02", "阿木", "营地厕所离得远，晚上打着手电走过去有点怕"),
    Rec(26, "wxid_camp05", "Yuki", "希望有个能挂在天幕下面、不招虫的暖光营地灯"),
    Rec(28, "wxid_camp03", "小溪", "哈哈哈我也想要"),
    Rec(30, "wxid_camp04", "老周", "装车时东西太多塞不下，折叠桌椅要是能再小一圈就好了"),
    Rec(33, "wxid_camp07", "大熊", "[表情]", kind="media"),
    Rec(35, "wxid_camp01", "山野", "那就周六早上8点集合"),
]

HOME = [
    Rec(0, "wxid_home01", "阿宁", "早，楼下快递柜又满了"),
    Rec(2, "wxid_home02", "小北", "出租屋隔音太差了，隔壁打电话我都听得一清二楚，晚上根本睡不好"),
    Rec(4, "wxid_home03", "大鹏", "可以试试隔音棉，不过租的房子不好往墙上贴", reply=1),
    Rec(5, "wxid_home04", "Mia", "+1"),
    Rec(6, "wxid_home01", "阿宁", "[图片]", kind="media"),
    Rec(8, "wxid_home05", "老陈", "合租的冰箱谁的东西都混在一起，经常被拿错，想要能分区上锁的"),
    Rec(9, "wxid_home02", "小北", "冰箱分区太需要了", reply=5, quote=True),
    Rec(11, "wxid_home99", "搬家小哥", "同城搬家99元起，电话联系"),
    Rec(12, "wxid_home04", "Mia", "扫地机器人老是卡在地毯边上，回来一看电量耗光了原地不动"),
    Rec(14, "wxid_home03", "大鹏", "大鹏撤回了一条消息", kind="recalled"),
    Rec(15, "wxid_home06", "豆子", "\"豆子\"加入了群聊", kind="system"),
    Rec(16, "wxid_home06", "豆子", "新来的，请问这边物业电话多少？"),
    Rec(18, "wxid_home01", "阿宁", "[红包]", kind="red_packet"),
    Rec(20, "wxid_home05", "老陈", "阳台晾衣服太挤了，被子根本晒不开，有没有能折叠收起来的晾衣架"),
    Rec(22, "wxid_home06", "豆子", "房东给的洗衣机太小，一次只能洗两件外套"),
    Rec(24, "wxid_home04", "Mia", "哈哈哈"),
    Rec(26, "wxid_home02", "小北", "水电费每个月都要手动算分摊，好麻烦，求一个自动记账的小程序"),
    Rec(28, "wxid_home03", "大鹏", "晚安"),
]

def _at(start: datetime, r: Rec) -> datetime:
    return start + timedelta(minutes=r.minute)


def _ts(t: datetime) -> int:
    return int(t.replace(tzinfo=CN).timestamp())


def _wx_label(r: Rec) -> str:
    return {"media": "图片", "system": "系统", "recalled": "系统", "red_packet": "红包"}.get(r.kind, "文本")


# --- WeChat: WeFlow / EchoTrace / MemoTrace / PyWxDump (camping group) ---------------------------------


def weflow_txt() -> None:
    start = datetime(2026, 9, 5, 20, 0)
    out = []
    for r in CAMP:
        text = r.text
        if r.quote:
            q = CAMP[r.reply]
            text = f"{r.text}[引用 {q.name}：{q.text}]"
        sender = "系统消息" if r.kind == "system" else r.name
        out.append(f"{_at(start, r):%Y-%m-%d %H:%M:%S} '{sender}'\n{text}\n")
    out.insert(9, f"{start + timedelta(minutes=11, seconds=30):%Y-%m-%d %H:%M:%S} 'Yuki'\n   \n")  # empty body
    _write("wechat_weflow_txt/露营搭子群.txt", "\n".join(out))


def _weflow_messages(start: datetime, with_ids: bool) -> list[dict]:
    msgs = []
    for i, r in enumerate(CAMP):
        t = _at(start, r)
        m = {"localId": i + 1, "createTime": _ts(t), "formattedTime": f"{t:%Y-%m-%d %H:%M:%S}",
             "type": _wx_label(r) + "消息", "localType": 1, "content": r.text, "isSend": int(r.uid == "wxid_camp01"),
             "senderUsername": r.uid, "senderDisplayName": r.name, "source": "", "senderAvatarKey": r.uid}
        if r.kind == "media":
            m["content"] = ""
        if with_ids:
            m["platformMessageId"] = str(6100000000000000000 + i * 7919)
            if r.reply is not None and not r.quote:
                m["replyToMessageId"] = str(6100000000000000000 + r.reply * 7919)
        if r.quote:
            q = CAMP[r.reply]
            m.update(type="引用消息", quotedSender=q.name, quotedContent=q.text)
        msgs.append(m)
    return msgs


def weflow_json() -> None:
    start = datetime(2026, 9, 12, 19, 30)
    msgs = _weflow_messages(start, True)
    root = {"weflow": {"version": "5.0.0", "exportedAt": "2026-09-13 10:00:00", "format": "json"},
            "session": {"wxid": "48000000001@chatroom", "nickname": "露营搭子群", "remark": "", "displayName": "露营搭子群",
                        "type": "群聊", "lastTimestamp": msgs[-1]["createTime"], "messageCount": len(msgs)},
            "messages": msgs}
    _write("wechat_weflow_json/露营搭子群.json", json.dumps(root, ensure_ascii=False, indent=2))


def echotrace_json() -> None:
    start = datetime(2026, 9, 19, 21, 0)
    msgs = _weflow_messages(start, False)
    msgs.insert(4, {"localId": 99, "createTime": "", "type": "文本消息", "content": "收到", "isSend": 0,
                    "senderUsername": "wxid_camp02", "senderDisplayName": "阿木"})  # bad time
    root = {"session": {"wxid": "48000000001@chatroom", "nickname": "露营搭子群", "displayName": "露营搭子群(备份)",
                        "type": "群聊", "messageCount": len(msgs)}, "messages": msgs}
    _write("wechat_echotrace_json/露营搭子群_echotrace.json", json.dumps(root, ensure_ascii=False, indent=2))


_MEMO_TYPE = {"text": (1, 0), "media": (3, 0), "system": (10000, 0), "recalled": (10000, 0), "red_packet": (49, 2000)}


def memotrace_csv() -> None:
    start = datetime(2026, 9, 26, 20, 0)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status", "StrContent", "StrTime",
                "Remark", "NickName", "Sender"])
    for i, r in enumerate(CAMP):
        t = _at(start, r)
        typ, sub = (49, 57) if r.quote else _MEMO_TYPE[r.kind]
        text = r.text
        if r.kind == "media":
            text = '<msg><img length="1024" cdnthumburl="x" /></msg>'
        elif r.kind == "recalled":
            text = f'<![CDATA[{r.text} <a href="weixin://revoke_edit_click">重新编辑</a>]]>'
        elif r.kind == "red_packet" or r.quote:
            text = ""
        system = r.kind in ("system", "recalled")
        w.writerow([i + 1, 3, typ, sub, int(r.uid == "wxid_camp01"), _ts(t), "" if i > 10 else 2, text,
                    f"{t:%Y-%m-%d %H:%M:%S}", "" if system else r.name, "" if system else r.name,
                    "" if system else r.uid])
    w.writerow([99, 3, 1, 0, 0, _ts(start) + 2000, "", "", f"{start + timedelta(seconds=2000):%Y-%m-%d %H:%M:%S}",
                "阿木", "阿木", "wxid_camp02"])  # empty text
    _write("wechat_memotrace_csv/露营搭子群_utf8.csv", "\ufeff" + buf.getvalue())


def _esc(s: str) -> str:
    """MemoTrace's escape_js_and_html: HTML-escape, then JS backslash escapes."""
    s = html.escape(s)
    return s.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def memotrace_txt() -> None:
    start = datetime(2026, 10, 3, 20, 0)
    out = []
    for r in CAMP:
        t = f"{_at(start, r):%Y-%m-%d %H:%M:%S}"
        if r.kind in ("system", "recalled"):
            out.append(f"{t} {r.text}\n")
            continue
        body = {"media": "[图片]" if r.text == "[图片]" else "[表情包]", "red_packet": "[转账]"}.get(r.kind, r.text)
        if r.quote:
            q = CAMP[r.reply]
            body = f"{r.text}\n引用:{q.name}:{q.text}"
        out.append(f"{t} {html.escape(r.name)}\n{body}\n")
    out.insert(6, f"{start + timedelta(minutes=8):%Y-%m-%d %H:%M:%S} 老周\n"
                  "            [链接]:露营装备清单\n            url:https://example.invalid/list\n")
    _write("wechat_memotrace_txt/露营搭子群.txt", "\n".join(out))


def memotrace_html() -> None:
    start = datetime(2026, 10, 10, 20, 0)
    objs = []
    for r in CAMP:
        ts = _ts(_at(start, r))
        base = f"is_send:{int(r.uid == 'wxid_camp01')},avatar_path:'./avatar/{r.uid}.png',timestamp:{ts},is_chatroom:1"
        name = _esc(r.name)
        if r.kind in ("system", "recalled"):
            objs.append(f"{{ type:0, text: '{_esc(r.text)}',is_send:0,avatar_path:'',timestamp:{ts},is_chatroom:1,displayname:''}},")
        elif r.kind == "media":
            objs.append(f"{{ type:3, text: './image/{r.uid}_{ts}.jpg',{base},displayname:'{name}'}},")
        elif r.kind == "red_packet":
            objs.append(f"{{ type:49,sub_type:2000,text:'发起转账',{base},displayname:'{name}',paysubtype:1,"
                        f"pay_memo:'',feedesc:'￥8.88',}},\n")
        elif r.quote:
            q = CAMP[r.reply]
            objs.append(f"{{ type:49, text: '{_esc(r.text)}',is_send:0,sub_type:57,refer_text: '{_esc(q.name)}：{_esc(q.text)}',"
                        f"avatar_path:'',timestamp:{ts},is_chatroom:1,displayname:'{name}'}},")
        else:
            text = r.text + ("\n（营地在山脚下，别走错了）" if r.minute == 35 else "")
            objs.append(f"{{ type:1, text: '{_esc(text)}',{base},displayname:'{name}'}},")
    head = ("<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"UTF-8\">\n<title>露营搭子群</title>\n"
            "<style>body{font-family:sans-serif}</style>\n</head>\n<body>\n<p id=\"title\">露营搭子群</p>\n"
            "<div id=\"chat-container\"></div>\n<script>\n    const chatMessages = [\n")
    tail = "\n    ];\n    function renderMessages(messages) { /* … */ }\n</script>\n</body>\n</html>\n"
    _write("wechat_memotrace_html/露营搭子群.html", head + "\n".join(objs) + tail)


# MemoTrace JSON (LLM fine-tune set): a private chat with 山野, turned into shuffled conversations.
# "user" = the contact, "assistant" = the exporting user; every conversation opens with the prompt.
_MT_PROMPT = "请你扮演一名人类，不要说你是人工智能"
MT_TRAIN = [
    [("user", "最近周末有空吗？想去山里露营"),
     ("assistant", "有空，不过我那顶帐篷太难搭了，上次天黑了还没撑起来"),
     ("user", "换个速开的呗，几分钟就能撑开"),
     ("assistant", "速开的收起来又很难塞回袋子，想要搭和收都省事的")],
    [("user", "晚上睡得怎么样"),
     ("assistant", "地面返潮，防潮垫垫了两层还是冷，后半夜冻醒了"),
     ("user", "[图片]"),
     ("assistant", "这款充气垫看着不错，就是打气太费劲了，希望能自动充气")],
    [("user", "卡式炉那天怎么老熄火"),
     ("assistant", "风一大就灭，想找个防风好点的炉头"),
     ("user", ""),
     ("assistant", "好的")],
    [("user", "孩子那天被蚊子咬惨了吧"),
     ("assistant", "腿上全是包，驱蚊液喷了也不管用")],
    [("user", "哈哈哈"),
     ("assistant", "哈哈")],
]
MT_DEV = [
    [("user", "营地厕所那么远，晚上你敢一个人去吗"),
     ("assistant", "不太敢，要是有个能挂在帐篷里、不招虫的暖光小灯就好了")],
    [("user", "下次装车还是塞不下怎么办"),
     ("assistant", "折叠桌椅太占地方了，希望能再小一圈"),
     ("user", "同感")],
]


def memotrace_json() -> None:
    """MemoTrace 山野_train.json / 山野_dev.json: 21 + 7 turns (7 prompts, 1 empty turn)."""
    for suffix, convs in (("train", MT_TRAIN), ("dev", MT_DEV)):
        data = [{"conversations": [{"role": "system", "content": _MT_PROMPT}]
                 + [{"role": role, "content": text} for role, text in conv]} for conv in convs]
        _write(f"wechat_memotrace_json/山野_{suffix}.json", json.dumps(data, ensure_ascii=False, indent=4))


def pywxdump_json() -> None:
    start = datetime(2026, 10, 17, 9, 0)
    rows = []
    for i, r in enumerate(CAMP):
        t = _at(start, r)
        text, label = r.text, {"media": "图片", "system": "系统通知", "recalled": "系统通知", "red_packet": "红包"}.get(r.kind, "文本")
        if r.quote:
            q = CAMP[r.reply]
            text, label = f"{r.text}\n\n[引用]({_at(start, q):%Y-%m-%d %H:%M:%S}){q.name}:{q.text}", "引用回复"
        if r.kind == "recalled":
            text = f"<revokemsg>{r.text}</revokemsg>"
        if r.kind == "media":
            text = "图片" if r.text == "[图片]" else "表情"
        talker = "我" if r.uid == "wxid_camp01" else r.uid
        rows.append({"id": i + 1, "MsgSvrID": str(8300000000000000000 + i * 104729), "type_name": label,
                     "is_sender": int(talker == "我"), "talker": talker, "room_name": "48000000001@chatroom",
                     "msg": text, "src": "", "CreateTime": f"{t:%Y-%m-%d %H:%M:%S}", "extra": {}})
    rows.insert(3, "not a record")
    _write("wechat_pywxdump_json/48000000001@chatroom_0_22.json", json.dumps(rows, ensure_ascii=False, indent=2))


# --- WeChat chatlog (sjzar): CSV / JSON / text (shared-flat group) --------------------------------------


def _chatlog_rows(start: datetime):
    for i, r in enumerate(HOME):
        t = _at(start, r)
        sender, name, text = r.uid, r.name, r.text
        if r.kind in ("system", "recalled"):
            sender, name = "系统消息", "系统消息"
        if r.kind == "media":
            text = f"![图片](http://127.0.0.1:5030/image/{i:04d}abcd)"
        if r.quote:
            q = HOME[r.reply]
            text = f"> {q.name}: {q.text}\n{r.text}"
        yield i, t, sender, name, text


def chatlog_csv() -> None:
    start = datetime(2026, 9, 8, 21, 0)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"])
    for _, t, sender, name, text in _chatlog_rows(start):
        w.writerow([f"{t:%Y-%m-%d %H:%M:%S}", name, sender, "幸福里合租群", "47000000002@chatroom", text])
    w.writerow(["2026-09-08 21:30:00", "Mia", "wxid_home04", "幸福里合租群", "47000000002@chatroom", ""])
    _write("wechat_chatlog_csv/chatlog_幸福里合租群.csv", buf.getvalue())


def chatlog_json() -> None:
    start = datetime(2026, 9, 22, 21, 0)
    out = []
    for i, t, sender, name, text in _chatlog_rows(start):
        out.append({"seq": 1758546000000 + i, "time": t.replace(tzinfo=CN).isoformat(), "talker": "47000000002@chatroom",
                    "talkerName": "幸福里合租群", "isChatRoom": True, "sender": sender, "senderName": name,
                    "isSelf": sender == "wxid_home01", "type": 3 if HOME[i].kind == "media" else 1, "subType": 0,
                    "content": text})
    out.insert(7, {"seq": 1758546000099, "time": "昨天", "talker": "47000000002@chatroom", "sender": "wxid_home02",
                   "content": "好"})  # bad time
    _write("wechat_chatlog_json/chatlog_幸福里合租群.json", json.dumps(out, ensure_ascii=False, indent=2))


def chatlog_text() -> None:
    start = datetime(2026, 10, 8, 21, 0)
    out = []
    for i, t, sender, name, text in _chatlog_rows(start):
        who = name if sender == "系统消息" else f"{name}({sender})"
        when = f"{t:%m-%d %H:%M:%S}" if i % 3 == 1 else f"{t:%Y-%m-%d %H:%M:%S}"  # chatlog drops the year
        out.append(f"{who} [幸福里合租群(47000000002@chatroom)] {when}\n{text}\n")
    _write("wechat_chatlog_text/chatlog_幸福里合租群_2026-10-08.txt", "\n".join(out))
