"""The chunked QQ 消息管理器 / LINE readers equal their plain line-by-line definitions.

``record_chunks`` must group lines exactly as ``blocks(open_lines(src), …, crlf_records=…)`` sees
them (CRLF / LF / lone CR mixes, BOMs, any chunk size), and the QQ reader's header shortcuts must
read every header as ``_QQ_READ`` does; the reference reader below is the QQ reader's definition.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needminer.ingest import _lines
from needminer.ingest._base import ReadContext, SourceFile
from needminer.ingest._kinds import classify, split_quote
from needminer.ingest._lines import blocks, open_lines, record_chunks
from needminer.ingest._qq import _QQ_READ, _SYSTEM_IDS, QQMsgMgrTxtReader
from needminer.types import IngestLedger, MessageKind

from .conftest import read_one

FIELDS = ("id", "chat", "sender", "text", "time", "sender_name", "kind", "reply_to", "quote", "source", "ordinal")
RULE = "=" * 64
QQ_TRICKY = (
    "\ufeff消息记录（此消息记录为文本格式，不支持重新导入）\r\n\r\n" + RULE + "\r\n消息分组:我的QQ群\r\n" + RULE
    + "\r\n消息对象:测试群\r\n" + RULE + "\r\n\r\n"
    "2016-07-19 15:27:15 小明(12345)\r\n你好\r\n\r\n"
    "2016-07-19 15:27:15 小明(12345)\r\n你好\r\n\r\n"
    "2016-07-19 15:27:20 小 红 (abc)\r\n第一行\n2016-07-19 15:27:21 假头(1)\n第三行\r\n\r\n"
    "2016-07-19 15:28:20 下一分(2)\r\nA\rB\r2016-07-19 15:28:49 CR后(20)\rC\r\n\r\n"
    "2016-07-19 3:27:22 PM 下午君(777)\r\n下午好\r\n\r\n"
    "2016-07-19 3:27:23 AMY(778)\r\nAMY\r\n\r\n"
    "2016-07-19 3:27:24 AM (779)\r\n空昵称\r\n\r\n"
    "2016-07-19 15:27:25 邮件人<someone@example.com>\r\n[图片]\r\n\r\n"
    "2016-07-19 15:27:26 括号(里)(面)(888)\r\n[回复 888: 原话]\r\n我的回复\r\n\r\n"
    "2016-07-19 15:27:27 系统消息(10000)\r\n某某加入本群\r\n\r\n"
    "2016-07-19 15:27:28 普通(10000)\r\n普通文本\r\n\r\n"
    "2016-07-19 15:27:75 秒错(1)\r\n七十五秒\r\n\r\n"
    "2016-02-30 15:27:05 日错(1)\r\n二月三十\r\n\r\n"
    "2016-07-19 15:27:31 空的(2)\r\n\r\n \n \r\n\r\n"
    "2016-07-19 15:27:33 引用者(4)\r\n回答\n引用:某人:原文\r\n\r\n"
    "2016-07-19 15:27:37 尾空格(7)   \r\n尾巴\r\n\r\n"
    "2016-07-19 15:27:38\t制表(8)\r\n制表符\r\n\r\n"
    "２０１６-０７-１９ １５:２７:４０ 全角(10)\r\n全角数字\r\n\r\n"
    "2016-07-19 15:27:4１ 半全(11)\r\n混合\r\n\r\n"
    "\ufeff2016-07-19 15:27:42 带BOM(12)\r\n有BOM\r\n\r\n"
    "1900-01-01 08:00:07 古人(13)\r\n一九零零\r\n\r\n"
    "0001-01-01 00:00:05 太古(14)\r\n公元元年\r\n\r\n"
    "2016-07-19 15:27:53 tail(24)x\r\n不是头\r\n\r\n"
    "2016-07-19 15:27:55 lf(26)\n紧接LF\r\n\r\n"
    + RULE + "\r\n消息对象:第二个群\r\n" + RULE + "\r\n杂项文字\r\n\r\n"
    "2016-07-19 15:27:47 二群(18)\r\n第二个群的消息\r\n\r\n"
    "2016-07-19 15:27:59 x(29) \r\n"
)


def _src(data: bytes, name: str = "t.txt") -> SourceFile:
    return SourceFile(name, name, lambda: io.BufferedReader(io.BytesIO(data)))


def _reference_lines(data: bytes, crlf_records: bool) -> list[tuple[str, bool]]:
    """(line, may be a header) for each line of ``open_lines``, as ``blocks`` sees them."""
    out, prev_bare = [], False
    for raw in open_lines(_src(data)):
        out.append((raw.rstrip("\r\n"), not (crlf_records and prev_bare)))
        prev_bare = raw.endswith("\n") and not raw.endswith("\r\n")
    return out


def _chunked_lines(data: bytes, crlf_records: bool, size: int) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for items, cont in record_chunks(_src(data), crlf_records, size):
        for i, item in enumerate(items):
            first, *rest = item.split("\n")
            if i == 0 and cont:  # continuation lines of the previous list's last item
                out.append((first, False))
            else:
                out.append((first, True))
            out.extend((line, False) for line in rest)
    return out


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["a", "头", "\r", "\n", "\r\n", "\ufeff", " ", "\n\n", "\r\r"]),
                  max_size=40).map("".join),
    size=st.integers(1, 9),
    crlf_records=st.booleans(),
    enc=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_record_chunks_group_lines_like_blocks(text, size, crlf_records, enc):
    data = text.encode(enc)
    assert _chunked_lines(data, crlf_records, size) == _reference_lines(data, crlf_records)


def _reference_qq(src: SourceFile, tz: str = "Asia/Shanghai") -> tuple[list, IngestLedger]:
    """The QQ 消息管理器 reader written plainly on ``blocks``."""
    ledger = IngestLedger(path=src.display)
    ctx = ReadContext(src, ledger, tz, {}, QQMsgMgrTxtReader.name)
    crlf = b"\r\n" in src.head(65536)
    out = []
    for b in blocks(open_lines(src), _QQ_READ.match, crlf_records=crlf):
        if b.match is None:
            ctx.skip("header")
            continue
        furn, obj, y, mo, d, h, mi, sec, ap, nick, uid, mail = b.match.groups()
        if furn is not None:
            if obj is not None and obj.strip():
                ctx.chat = obj.strip()
            if any(x.strip() for x in b.body):
                ctx.skip("unparseable")
            continue
        hour = int(h) % 12 + (12 if ap == "PM" else 0) if ap else int(h)
        try:
            time = ctx.local(int(y), int(mo), int(d), hour, int(mi), int(sec))
        except ValueError:
            ctx.skip("bad_time")
            continue
        nick = (nick or "").strip()
        uid = uid or mail or nick
        text = b.text().strip()
        kind = classify(text)
        if kind is MessageKind.text and (uid in _SYSTEM_IDS or nick == "系统消息"):
            kind = MessageKind.system
        if not text:
            ctx.skip("empty")
            continue
        quote = None
        if kind is MessageKind.text:
            text, quote = split_quote(text)
        out.append(ctx.message(sender=uid or "unknown", sender_name=nick or uid, text=text, time=time, kind=kind,
                               quote=quote))
    return out, ledger


def _rows(msgs) -> list[tuple]:
    return [tuple(getattr(m, f) for f in FIELDS) for m in msgs]


@pytest.mark.parametrize("size", [8192, 1, 3, 64])
@pytest.mark.parametrize("variant", ["crlf", "lf", "cr", "gbk", "lf_records"])
def test_qq_reader_equals_reference(monkeypatch, tmp_path, size, variant):
    data = {
        "crlf": QQ_TRICKY.encode("utf-8"),
        "lf": QQ_TRICKY.replace("\r\n", "\n").encode("utf-8"),
        "cr": QQ_TRICKY.replace("\r\n", "\r").encode("utf-8"),
        "gbk": QQ_TRICKY.encode("gb18030"),
        "lf_records": re.sub("\r\n(?=\r\n|2016)", "\n", QQ_TRICKY).encode("utf-8"),
    }[variant]
    path = tmp_path / "全部消息记录.txt"
    path.write_bytes(data)
    monkeypatch.setattr(_lines.record_chunks, "__defaults__", (size,))
    ledger, msgs = read_one(path, format="qq")
    ref, ref_ledger = _reference_qq(_src(data, str(path)))
    assert _rows(msgs) == [r[:9] + ("qq.msgmgr_txt.v1", r[10]) for r in _rows(ref)]
    assert (ledger.records, ledger.messages, ledger.skipped) == (ref_ledger.records, ref_ledger.messages,
                                                                ref_ledger.skipped)
    assert len(msgs) > (3 if variant == "lf_records" else 20)


def test_line_day_order_decided_by_a_later_day_header(tmp_path):
    days = [f"Fri, {m}/{d}/2026" for m in (1, 2) for d in range(1, 12)] + ["Sat, 2/13/2026"]
    lines = ["[LINE] Chat history with Bob", "Saved on: 2026/02/14 10:00", ""]
    for day in days:
        lines += ["", "\u200e" + day, "09:30\tBob\t到了吗", "09:31\tAmy\t快了"]
    path = tmp_path / "[LINE] Bob.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    _, msgs = read_one(path)
    # month first (2/13 decides it): 2/1/2026 is 1 February, 09:30 in Asia/Shanghai
    assert msgs[22].time.isoformat() == "2026-02-01T01:30:00+00:00"


@pytest.mark.parametrize("name, text", [
    ("全部消息记录.txt", "2016-07-19 15:27:15 小明(12345)\r\n你好\r\n\r\n"
                       "0001-01-01 00:00:05 太古(14)\r\n公元元年\r\n\r\n"
                       "2016-07-19 15:27:16 小明(12345)\r\n再见\r\n"),
    ("[LINE] Bob.txt", "[LINE] Chat history with Bob\r\n\r\nFri, 1/2/2026\r\n09:30\tBob\t到了吗\r\n"
                       "Mon, 1/1/0001\r\n00:05\tBob\t公元元年\r\nSat, 1/3/2026\r\n09:31\tAmy\t快了\r\n"),
])
def test_a_time_before_the_calendar_in_utc_is_a_bad_time_skip(tmp_path, name, text):
    # 0001-01-01 00:05 in Asia/Shanghai is before 0001-01-01 UTC: one bad_time skip, the rest read
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    ledger, msgs = read_one(path)
    assert "公元元年" not in [m.text for m in msgs] and len(msgs) == 2
    assert ledger.skipped.get("bad_time") == 1
