"""Generic JSONL / CSV readers: fields, mapping, aliases, times, encodings, skips."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from needminer.ingest import detect_format
from needminer.types import MessageKind

from .conftest import read_one

UTC = timezone.utc


def _jsonl(tmp_path, rows, name="chat.jsonl"):
    p = tmp_path / name
    p.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                 encoding="utf-8")
    return p


def test_jsonl_sample(samples):
    led, msgs = read_one(samples / "generic_jsonl" / "skincare_group.jsonl")
    assert (led.format, led.records, led.messages, led.skipped) == ("generic.jsonl.v1", 25, 24, {"empty": 1})
    assert {m.chat for m in msgs} == {"护肤交流群"}
    assert msgs[0].id == "m1" and msgs[0].sender == "wxid_mei01" and msgs[0].sender_name == "小美"
    # 07:30 +08:00 (ISO with offset), naive ISO in Asia/Shanghai, epoch s, epoch ms string
    assert [m.time for m in msgs[:4]] == [datetime(2024, 3, 3, 23, m, tzinfo=UTC) for m in (30, 31, 33, 35)]
    assert msgs[3].reply_to == "m3"  # native ids are kept as given
    kinds = {m.text: m.kind for m in msgs}
    assert kinds["[图片]"] is MessageKind.media
    assert kinds["兰兰撤回了一条消息"] is MessageKind.recalled
    assert kinds['"萍萍"加入了群聊'] is MessageKind.system
    assert kinds["[红包]欢迎新人"] is MessageKind.red_packet
    assert kinds["+1"] is MessageKind.text


def test_csv_sample_bom_chat_from_stem(samples):
    led, msgs = read_one(samples / "generic_csv" / "宝妈交流群.csv")
    assert (led.format, led.records, led.messages, led.skipped) == ("generic.csv.v1", 21, 20, {"empty": 1})
    assert msgs[0].chat == "宝妈交流群" and msgs[0].id == "1"
    assert msgs[0].time == datetime(2024, 5, 11, 13, 0, tzinfo=UTC)
    assert msgs[2].reply_to == "2"
    assert msgs[1].sender == "10002" and msgs[1].sender_name == "乐乐妈妈"


def test_mapping_and_gbk_csv(tmp_path):
    p = tmp_path / "export.csv"
    p.write_bytes("昵称,content,CreateTime\n小红,希望有便携的卸妆巾,1700000000\n小蓝,同求,1700000060\n".encode("gbk"))
    led, msgs = read_one(p, format="csv", mapping={"text": "content", "sender": "昵称", "time": "CreateTime"})
    assert led.messages == 2 and msgs[0].sender == "小红" and msgs[0].text == "希望有便携的卸妆巾"
    assert msgs[0].time == datetime.fromtimestamp(1700000000, UTC)


def test_aliases_without_mapping(tmp_path):
    p = _jsonl(tmp_path, [{"nickname": "阿花", "content": "跑步耳机老掉", "timestamp": 1700000000123}])
    led, msgs = read_one(p)
    assert msgs[0].sender == "阿花" and msgs[0].time == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02 11:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024/1/2 11:04", datetime(2024, 1, 2, 3, 4, tzinfo=UTC)),
        ("2024-01-02T03:04:05.5-05:00", datetime(2024, 1, 2, 8, 4, 5, 500000, tzinfo=UTC)),
        (1704164645, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("1704164645000", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (1704164645.25, datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)),
    ],
)
def test_time_values(tmp_path, value, expected):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "x", "time": value}])
    _, msgs = read_one(p)
    assert msgs[0].time == expected and msgs[0].time.tzinfo is UTC


def test_tz_option(tmp_path):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "x", "time": "2024-07-01 12:00:00"}])
    _, msgs = read_one(p, tz="Europe/Berlin")
    assert msgs[0].time == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)


def test_bad_times_all_fail_names_line(tmp_path):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "x", "time": "yesterday"}] * 2)
    led, msgs = read_one(p)
    assert msgs == [] and led.skipped == {"bad_time": 2}
    assert "line 1" in led.error and "'time'" in led.error and "yesterday" not in led.error


def test_some_bad_times_are_skips(tmp_path):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "x", "time": "2024-13-45 00:00"}, {"sender": "a", "text": "y"}])
    led, msgs = read_one(p)
    assert led.skipped == {"bad_time": 1} and led.error is None and msgs[0].time is None


def test_missing_field_error_names_field(tmp_path):
    p = _jsonl(tmp_path, [{"who": "a", "words": "保密内容"}], name="x.jsonl")
    led, msgs = read_one(p, format="jsonl")
    assert led.skipped == {"missing_field": 1}
    assert "'text'" in led.error and "保密内容" not in led.error


def test_unknown_mapping_field(tmp_path):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "x"}])
    led, _ = read_one(p, mapping={"body": "text"})
    assert "unknown field" in led.error


def test_duplicate_records_get_distinct_stable_ids(tmp_path):
    rows = [{"sender": "a", "text": "+1", "time": 1700000000}] * 2 + [{"sender": "b", "text": "好", "time": 1700000001}]
    _, first = read_one(_jsonl(tmp_path, rows, "a.jsonl"))
    _, second = read_one(_jsonl(tmp_path, rows[1:], "a2.jsonl"), )
    assert len({m.id for m in first}) == 3
    assert first[0].id != first[1].id
    # chat differs (file stem) → ids differ; same stem → same ids even when shifted
    (tmp_path / "sub").mkdir()
    _, shifted = read_one(_jsonl(tmp_path / "sub", rows[1:], "a.jsonl"))
    assert [m.id for m in shifted] == [first[0].id, first[2].id]


def test_quote_split_in_text(tmp_path):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "我也想要[引用 小美：希望底妆又快又服帖]"}])
    _, msgs = read_one(p)
    assert msgs[0].text == "我也想要" and msgs[0].quote == "小美：希望底妆又快又服帖"


def test_kind_column(tmp_path):
    p = _jsonl(tmp_path, [{"sender": "a", "text": "", "kind": "media"}, {"sender": "a", "text": "x", "kind": "weird"}])
    _, msgs = read_one(p)
    assert [m.kind for m in msgs] == [MessageKind.media, MessageKind.other]


def test_tsv_and_semicolon(tmp_path):
    for delim, name in (("\t", "a.tsv"), (";", "b.csv")):
        p = tmp_path / name
        p.write_text(delim.join(["sender", "text"]) + "\n" + delim.join(["x", "你好, 世界"]) + "\n", encoding="utf-8")
        _, msgs = read_one(p)
        assert msgs[0].text == "你好, 世界"


def test_csv_multiline_field_and_line_numbers(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text('sender,text,time\na,"第一行\n第二行",2024-01-01 08:00\nb,x,nope\n', encoding="utf-8")
    led, msgs = read_one(p)
    assert msgs[0].text == "第一行\n第二行"
    assert led.skipped == {"bad_time": 1}


def test_csv_nul_bytes_is_binary_error(tmp_path):
    p = tmp_path / "n.csv"
    p.write_bytes(b"sender,text\na,ok\nb,bad\x00x\n")
    led, msgs = read_one(p, format="csv")
    assert msgs == [] and "binary" in led.error


def test_detect_generic(tmp_path, samples):
    assert detect_format(samples / "generic_jsonl" / "skincare_group.jsonl") == "generic.jsonl.v1"
    assert detect_format(samples / "generic_csv" / "宝妈交流群.csv") == "generic.csv.v1"


def test_utf16_jsonl(tmp_path):
    p = tmp_path / "u.jsonl"
    p.write_bytes(json.dumps({"sender": "a", "text": "需要"}, ensure_ascii=False).encode("utf-16"))
    _, msgs = read_one(p)
    assert msgs[0].text == "需要"


def test_jsonl_with_a_broken_line_is_a_file_error_but_counts_everything(tmp_path):
    p = tmp_path / "broken.jsonl"
    p.write_text('{"text": "底妆卡粉", "sender": "a"}\n{"id": "x", "text": "没写完\n{"text": "好", "sender": "b"}\n', encoding="utf-8")
    led, msgs = read_one(p)
    assert len(msgs) == 2 and led.messages == 2 and led.skipped == {"unparseable": 1} and led.balanced
    assert led.error and "line 2" in led.error and "没写完" not in led.error
