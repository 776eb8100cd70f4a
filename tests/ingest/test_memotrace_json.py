"""MemoTrace (留痕) JSON fine-tune set: one record per turn, no times, turns linked by reply_to."""

from __future__ import annotations

import json

from needminer.ingest import ingest_to_workspace, iter_sources
from needminer.types import MessageKind

from .conftest import SAMPLES, read_one

FMT = "wechat.memotrace_json.v1"
TRAIN = SAMPLES / "wechat_memotrace_json" / "山野_train.json"
DEV = SAMPLES / "wechat_memotrace_json" / "山野_dev.json"


def _write(path, convs):
    data = [{"conversations": c} if isinstance(c, list) else c for c in convs]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=4), encoding="utf-8")
    return path


def _turns(*pairs):
    return [{"role": r, "content": c} for r, c in pairs]


def test_train_sample_counts_senders_and_links():
    ledger, msgs = read_one(TRAIN)
    assert ledger.format == FMT
    assert (ledger.records, ledger.messages, ledger.skipped) == (21, 15, {"system": 5, "empty": 1})
    assert {m.kind for m in msgs} == {MessageKind.text, MessageKind.media}
    assert sum(m.kind is MessageKind.media for m in msgs) == 1  # "[图片]"
    assert all(m.time is None and m.chat == "山野" and m.source == FMT for m in msgs)
    assert {m.sender for m in msgs} == {"山野", "我"}  # user = the contact, assistant = the exporting user
    assert all(m.sender_name == ("山野" if m.sender == "山野" else "") for m in msgs)
    assert len({m.id for m in msgs}) == len(msgs)
    by = {m.text: m for m in msgs}
    first = by["最近周末有空吗？想去山里露营"]
    assert first.reply_to is None  # a conversation's first turn answers nothing
    assert by["有空，不过我那顶帐篷太难搭了，上次天黑了还没撑起来"].reply_to == first.id
    # the empty turn is skipped; the next turn answers the last one that was kept
    assert by["好的"].reply_to == by["风一大就灭，想找个防风好点的炉头"].id
    assert by["哈哈哈"].reply_to is None
    assert [m.ordinal for m in msgs] == sorted(m.ordinal for m in msgs)


def test_dev_sample_counts_and_chat_from_stem():
    ledger, msgs = read_one(DEV)
    assert (ledger.format, ledger.records, ledger.messages, ledger.skipped) == (FMT, 7, 5, {"system": 2})
    assert {m.chat for m in msgs} == {"山野"}  # "_dev" stripped like "_train"
    assert [m.kind for m in msgs] == [MessageKind.text] * 5


def test_detected_without_format_and_dry_run_cli():
    from typer.testing import CliRunner

    from needminer.cli import app

    result = CliRunner().invoke(app, ["ingest", str(TRAIN), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)["inputs"]
    assert item["format"] == FMT and item["records"] == 21 and item["messages"] == 15
    assert item["skipped"] == {"empty": 1, "system": 5}


def test_ids_are_stable_across_files_and_distinct_for_repeats(tmp_path):
    conv = _turns(("system", "提示"), ("user", "在吗"), ("assistant", "在"))
    other = _turns(("user", "在吗"), ("assistant", "不在"))
    a = _write(tmp_path / "小林_train.json", [conv, other, conv])
    b = _write(tmp_path / "小林_dev.json", [other, conv])
    _, ma = read_one(a)
    _, mb = read_one(b)
    assert len(ma) == 6 and len({m.id for m in ma}) == 6  # the repeated conversation keeps its own ids
    assert {m.id for m in mb} <= {m.id for m in ma}  # same chat, same conversation → same ids
    # the same conversation with another contact is another chat: other ids
    c = _write(tmp_path / "小周_train.json", [conv])
    _, mc = read_one(c)
    assert not {m.id for m in mc} & {m.id for m in ma}
    summary = ingest_to_workspace([a, b], None)
    assert summary.new == 6 and summary.duplicates == 4


def test_malformed_records_are_counted(tmp_path):
    path = _write(tmp_path / "x_train.json", [
        _turns(("user", "正常的一句"), ("tool", "未知角色"), ("assistant", 42)),
        {"no_conversations": []},
        "not an object",
        [{"role": "user", "content": {"nested": 1}}, {"role": "assistant", "content": None}, 5],
        [],
    ])
    (src,) = iter_sources([path])
    assert src.format == FMT
    msgs = list(src.messages())
    led = src.ledger
    assert led.error is None and led.balanced
    assert [m.text for m in msgs] == ["正常的一句", "42"]
    assert (led.records, led.messages) == (8, 2)
    assert led.skipped == {"unparseable": 5, "empty": 1}


def test_truncated_file_is_an_ingest_error_after_the_complete_conversations(tmp_path):
    data = TRAIN.read_text("utf-8")
    path = tmp_path / "山野_train.json"
    path.write_text(data[: len(data) // 2], encoding="utf-8")
    (src,) = iter_sources([path], format=FMT)
    msgs = list(src.messages())
    assert src.ledger.error and "invalid JSON" in src.ledger.error
    assert src.ledger.balanced and 0 < len(msgs) < 15


def test_not_claimed_by_other_json_readers():
    from needminer.ingest import detect_format

    assert detect_format(TRAIN) == FMT
    assert detect_format(SAMPLES / "chatlab_json" / "猫咪互助群.json") == "chatlab.json.v1"
