"""End to end: hostile chat text stays inert and planted personal data reaches no output file."""

from __future__ import annotations

import json
import re

from needminer.config import load_config
from needminer.pipeline import run

PII = ["13812345678", "138-1234-5678", "110101199003074514", "6222021234567890128", "zhang.san@example.com",
       "wxid_k9x8c7v6", "北京市朝阳区建国路88号", "京A12345", "SF1234567890123"]
PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "</script><script>alert(2)</script>"]


def _records():
    rows = []
    texts = [
        "底妆总是卡粉，太难用了" + PAYLOADS[0],
        PAYLOADS[1] + "希望有不卡粉的粉底，早上赶时间",
        "粉底一出油就卡粉，烦死了 " + PAYLOADS[2],
        "有没有不卡粉的粉底推荐？" + PAYLOADS[3],
        "我电话13812345678，微信wxid_k9x8c7v6，底妆卡粉的问题谁能帮忙",
        "快递单号SF1234567890123到了，粉底还是卡粉，退货寄到北京市朝阳区建国路88号",
        "身份证110101199003074514办卡送的粉底，一上脸就卡粉",
        "卡号6222021234567890128付的款，结果粉底卡粉严重，邮箱zhang.san@example.com联系我",
        "车牌京A12345的车主说他老婆的粉底也卡粉，电话138-1234-5678",
        "底妆卡粉真的太烦了，求推荐",
    ]
    for i, text in enumerate(texts):
        rows.append({"id": f"x{i}", "chat": "美妆群" + PAYLOADS[1], "sender": f"u{i % 5}",
                     "sender_name": f"<b onmouseover=alert({i})>小美{i}</b>", "time": f"2026-10-0{1 + i % 3}T08:0{i}:00+08:00",
                     "text": text})
    return rows


def test_hostile_and_personal_data_never_reach_outputs(tmp_path):
    src = tmp_path / "hostile.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _records()) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    cfg = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws")})
    result = run([src], out, cfg)
    assert result.needs  # the complaints made it into the report
    files = {p.name: p.read_text("utf-8") for p in out.iterdir() if p.is_file()}
    assert {"index.html", "needs.json", "briefs.md", "manifest.json", "needs.csv"} <= set(files)
    for name, content in files.items():
        for secret in PII:
            assert secret not in content, f"{secret} leaked into {name}"
        assert "小美" not in content, f"a display name leaked into {name}"
    html = files["index.html"]
    # payloads may only appear escaped (\u003c… inside the JSON data block), never as markup
    assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert not re.search(r"<[^>]*\bon(error|mouseover)\s*=", html)
    assert html.count("<script") == html.count("</script>")  # no payload opened or closed a script block


# Issue 14: the misses of the old redaction, and a contact (not a sender) named in the file name.
MISSES = ["6222 0212 3456 7890 123", "tony_wang88", "138.0013.8000", "138 001 38000", "110101-1990-0307-4514",
          "zhangwei＠example.com", "zhangwei@example.com", "京a12345", "赵敏", "Bob Jones", "13800138000"]


def test_contact_in_file_name_and_redaction_misses_reach_no_output(tmp_path):
    texts = [
        "底妆总是卡粉，太难用了，找赵敏要发票",
        "希望有不卡粉的粉底，加我V tony_wang88",
        "粉底一出油就卡粉，烦死了，电话138.0013.8000",
        "有没有不卡粉的粉底推荐？打138 001 38000",
        "身份证110101-1990-0307-4514办卡送的粉底，一上脸就卡粉",
        "退款打到6222 0212 3456 7890 123，粉底卡粉严重",
        "邮箱zhangwei＠example.com，底妆卡粉的问题谁能帮忙",
        "京a12345的车主说粉底也卡粉，Bob Jones也说卡粉",
        "婴儿推车太重了，底妆卡粉真的太烦了",
    ]
    rows = [{"sender": f"u{i % 4}", "sender_name": ["推车", "小雨", "宝宝", "群友"][i % 4],
             "time": f"2026-10-0{1 + i % 3}T08:0{i}:00+08:00", "text": t} for i, t in enumerate(texts)]
    src = tmp_path / "与赵敏的聊天记录_13800138000.jsonl"  # no "chat" field: the chat is named after the file
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    cfg = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws")})
    result = run([src], out, cfg)
    assert result.needs
    files = {str(p.relative_to(out)): p.read_text("utf-8") for p in out.rglob("*") if p.is_file()}
    assert "index.html" in files and "manifest.json" in files
    for name, content in files.items():
        for secret in MISSES:
            assert secret not in content, f"{secret} leaked into {name}"
    manifest = json.loads(files["manifest.json"])
    assert [i["path"] for i in manifest["inputs"]] == ["input-1.jsonl"]
    assert '"inputNames":["input-1.jsonl"]' in files["index.html"]
    assert "婴儿推车" in files["needs.json"] or "婴儿推车" not in files["index.html"]  # never 婴儿成员
    assert "婴儿成员" not in "".join(files.values())
