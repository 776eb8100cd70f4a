"""Synthetic QQ-side fixtures (Sept–Oct 2026): QQChatExporter TXT / JSON / chunked JSONL,
ChatLab JSON / JSONL and DiscordChatExporter CSV / TXT, all from one invented 猫咪互助群 chat.
Called by ``make_samples.py``."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from make_samples import CN, Rec, _write  # noqa: E402  (run as a script from this folder)

PETS = [
    Rec(0, "2001", "橘子妈", "早～今天猫主子又把我五点叫醒了"),
    Rec(1, "2002", "团团", "哈哈哈同款闹钟"),
    Rec(3, "2003", "布丁", "猫砂一倒就起一层灰，我鼻炎都犯了，想找粉尘小点的"),
    Rec(5, "2004", "阿狸", "试试豆腐砂，不过结团后容易粘底", reply=2),
    Rec(6, "2002", "团团", "+1"),
    Rec(7, "2005", "咪咪", "[图片]", kind="media"),
    Rec(9, "2005", "咪咪", "出差三天，自动喂食器老是卡粮，回来猫都饿瘦了"),
    Rec(11, "2001", "橘子妈", "喂食器卡粮真的是通病", reply=6, quote=True),
    Rec(12, "2099", "宠物用品团购", "冻干买一送一，限时拼团"),
    Rec(13, "2003", "布丁", "别发广告啦"),
    Rec(15, "2004", "阿狸", "换季掉毛太夸张，沙发衣服上全是毛，粘毛器根本粘不过来"),
    Rec(16, "2002", "团团", "团团撤回了一条消息", kind="recalled"),
    Rec(18, "2006", "小黑", "小黑加入了群聊", kind="system"),
    Rec(19, "2006", "小黑", "大家好，刚领养了一只狸花"),
    Rec(20, "2001", "橘子妈", "[红包]", kind="red_packet"),
    Rec(22, "2006", "小黑", "驱虫和疫苗的时间总记不住，有没有能提醒的App？"),
    Rec(24, "2005", "咪咪", "带猫去医院，猫包太闷了它一路叫，想要透气又稳当的"),
    Rec(26, "2003", "布丁", "饮水机滤芯一个月就得换，贵还不好买"),
    Rec(28, "2004", "阿狸", "哈哈"),
    Rec(30, "2002", "团团", "晚安各位铲屎官"),
]

BANNER = "[QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter]"


def _at(start: datetime, r: Rec) -> datetime:
    return start + timedelta(minutes=r.minute)


def _ms(t: datetime) -> int:
    return int(t.replace(tzinfo=CN).timestamp() * 1000)


def qce_txt() -> None:
    start = datetime(2026, 9, 3, 7, 0)
    out = [BANNER, "=" * 50, "QQ聊天记录导出文件", "聊天名称: 猫咪互助群", "聊天类型: 群聊", "导出时间: 2026-09-04 10:00:00",
           f"消息总数: {len(PETS)}", "时间范围: 2026-09-03 07:00:00 - 2026-09-03 07:30:00", "=" * 50, ""]
    for r in PETS:
        t = _at(start, r)
        sender = "0" if r.kind == "system" else r.name
        block = [f"{sender}:", f"时间: {t:%Y-%m-%d %H:%M:%S}"]
        if r.kind == "media":
            block += [f"内容: [图片: {r.uid}_{t:%H%M}.jpg]", "资源: 1 个文件", f"  - image: {r.uid}_{t:%H%M}.jpg"]
        elif r.quote:
            q = PETS[r.reply]
            block += [f"内容: [回复 u_{q.uid}: {q.text}]", r.text, f"回复: u_{q.uid} - {q.text}"]
        elif r.minute == 9:
            block += [f"内容: {r.text}", "到家第一件事就是先喂它"]
        else:
            block.append(f"内容: {r.text}")
        out += block + [""]
    out += ["导出完成", f"总计导出 {len(PETS)} 条消息", ""]
    _write("qq_qce_txt/猫咪互助群.txt", "\n".join(out))


def _clean_messages(start: datetime, base: int) -> list[dict]:
    msgs = []
    for i, r in enumerate(PETS):
        t = _at(start, r)
        mid = str(base + i * 9973)
        text = "[图片]" if r.kind == "media" else r.text
        elements = [{"type": "text", "data": {"text": text}}]
        if r.reply is not None:
            q = PETS[r.reply]
            elements.insert(0, {"type": "reply", "data": {"messageId": str(base + r.reply * 9973),
                                                          "senderName": q.name, "content": q.text}})
        resources = [{"type": "image", "filename": f"{r.uid}.jpg", "size": 20480}] if r.kind == "media" else []
        system = r.kind == "system"
        sender = {"uid": "0" if system else f"u_{r.uid}", "uin": "" if system else f"88{r.uid}",
                  "name": "0" if system else r.name}
        msgs.append({"id": mid, "seq": str(1000 + i), "timestamp": _ms(t), "time": f"{t:%Y-%m-%d %H:%M:%S}",
                     "sender": sender, "type": "type_1",
                     "content": {"text": text, "html": text, "elements": elements, "resources": resources, "mentions": []},
                     "recalled": r.kind == "recalled", "system": system})
    return msgs


def qce_json() -> None:
    msgs = _clean_messages(datetime(2026, 9, 14, 7, 0), 7500000000000000000)
    msgs.insert(5, {"id": "7500000000000099999", "seq": "1099", "timestamp": msgs[4]["timestamp"] + 1000,
                    "time": "", "sender": {"uid": "u_2003", "uin": "882003", "name": "布丁"}, "type": "type_1",
                    "content": {"text": "", "elements": [], "resources": [], "mentions": []},
                    "recalled": False, "system": False})  # empty
    root = {"metadata": {"name": "QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter",
                         "copyright": "本软件是免费的开源项目", "version": "5.0.0"},
            "chatInfo": {"name": "猫咪互助群", "type": "group", "selfUid": "u_2001", "selfUin": "882001",
                         "selfName": "橘子妈", "participantCount": 6},
            "statistics": {"totalMessages": len(msgs)}, "messages": msgs,
            "exportOptions": {"includedFields": [], "filters": {}, "options": {"encoding": "utf-8"}}}
    _write("qq_qce_json/猫咪互助群.json", json.dumps(root, ensure_ascii=False, indent=2))


def qce_jsonl() -> None:
    msgs = _clean_messages(datetime(2026, 9, 24, 7, 0), 7600000000000000000)
    lines = [json.dumps(m, ensure_ascii=False) for m in msgs]
    lines.insert(10, '{"id": "broken", "sender": ')  # a cut line
    _write("qq_qce_jsonl/猫咪互助群_chunked_jsonl/chunks/chunk_0001.jsonl", "\n".join(lines) + "\n")


_CL_TYPE = {"text": 0, "media": 1, "system": 80, "recalled": 81, "red_packet": 20}


def _chatlab_msgs(start: datetime) -> list[dict]:
    out = []
    for r in PETS:
        t = _at(start, r)
        content = r.text
        typ = 25 if r.quote else _CL_TYPE[r.kind]
        if r.quote:
            q = PETS[r.reply]
            content = f"{r.text}[引用 {q.name}：{q.text}]"
        if r.kind == "media":
            content = None
        out.append({"sender": f"qq{r.uid}", "accountName": r.name, "timestamp": int(t.replace(tzinfo=CN).timestamp()),
                    "type": typ, "content": content})
    return out


def _chatlab_head() -> tuple[dict, dict, list[dict]]:
    head = {"version": "0.0.1", "exportedAt": 1791000000, "generator": "sample"}
    meta = {"name": "猫咪互助群", "platform": "qq", "type": "group", "groupId": "700000001"}
    members = [{"platformId": f"qq{r.uid}", "accountName": r.name} for r in {r.uid: r for r in PETS}.values()]
    return head, meta, members


def chatlab_json() -> None:
    head, meta, members = _chatlab_head()
    msgs = _chatlab_msgs(datetime(2026, 10, 1, 8, 0))
    msgs.insert(2, {"sender": "qq2002", "accountName": "团团", "timestamp": msgs[1]["timestamp"] + 30, "type": 0,
                    "content": ""})
    root = {"chatlab": head, "meta": meta, "members": members, "messages": msgs}
    _write("chatlab_json/猫咪互助群.json", json.dumps(root, ensure_ascii=False, indent=2))


def chatlab_jsonl() -> None:
    head, meta, members = _chatlab_head()
    lines = ["# ChatLab JSONL export (sample)",
             json.dumps({"_type": "header", "chatlab": head, "meta": meta}, ensure_ascii=False)]
    lines += [json.dumps({"_type": "member", **m}, ensure_ascii=False) for m in members]
    lines += [json.dumps({"_type": "message", **m}, ensure_ascii=False)
              for m in _chatlab_msgs(datetime(2026, 10, 6, 8, 0))]
    _write("chatlab_jsonl/猫咪互助群.jsonl", "\n".join(lines) + "\n")


def _dce_text(r: Rec) -> tuple[str, str]:
    if r.kind == "media":
        return "", f"https://cdn.discordapp.invalid/attachments/1/2/{r.uid}.jpg"
    if r.kind == "system":
        return "Joined the server.", ""
    return r.text, ""


def discord_csv() -> None:
    start = datetime(2026, 10, 12, 23, 45)
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"])
    for r in PETS:
        t = _at(start, r)
        text, files = _dce_text(r)
        w.writerow([f"90000000000000{r.uid}", r.name, t.strftime("%Y-%m-%dT%H:%M:%S.0000000+08:00"), text, files,
                    "👍 (2)" if r.minute == 3 else ""])
    w.writerow(["900000000000002004", "阿狸", "2026-10-13T00:20:00.0000000+08:00", "", "", ""])
    _write("discord_csv/猫咪互助群 - 日常.csv", buf.getvalue())


def discord_txt() -> None:
    start = datetime(2026, 10, 15, 23, 45)
    rule = "=" * 62
    out = [rule, "Guild: 猫咪互助群", "Channel: 交流 / 日常", "Topic: 养猫经验分享", rule, ""]
    for r in PETS:
        t = _at(start, r)
        text, files = _dce_text(r)
        stamp = f"{t.month}/{t.day}/{t.year} {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"
        out += [f"[{stamp}] {r.name}" + (" (pinned)" if r.minute == 22 else ""), text, ""]
        if files:
            out += ["{Attachments}", files, ""]
        if r.minute == 3:
            out += ["{Reactions}", "👍 (2)"]
        out.append("")
    out += [rule, f"Exported {len(PETS)} message(s)", rule, ""]
    _write("discord_txt/猫咪互助群 - 日常.txt", "\n".join(out))
