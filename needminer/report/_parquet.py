"""``needs.parquet`` and ``evidence.parquet``: the report's needs for a Spark, Ray or pandas pipeline.

Written when ``report.parquet`` is on (``needminer run --parquet``); needs pyarrow (``pip install
'needminer[ray]'``). The columns are needs.json's (SCHEMA.md), typed: lists stay lists, slots and
factors become ``slot_<name>`` and ``factor_<name>`` columns, and every quote is one row of
``evidence.parquet`` keyed by ``need_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from needminer.parquet import pyarrow_modules
from needminer.types import SLOT_NAMES

NEED_COLUMNS = ("rank", "id", "title", "statement", "score", "speakers", "speaker_ids", "chats", "endorsements",
                "emerging", "below_bar", "domain", "keywords", "message_ids", "fragment_ids", "trend")
EVIDENCE_COLUMNS = ("need_id", "need_rank", "message_id", "fragment_id", "chat", "sender", "time", "text",
                    "span_start", "span_end")


def write_parquet(doc: Mapping[str, Any], out: Path) -> tuple[Path, Path]:
    """Write ``needs.parquet`` and ``evidence.parquet`` for the needs document ``doc`` into ``out``."""
    pa, pq = pyarrow_modules()
    needs = list(doc.get("needs") or [])
    factor_names: dict[str, None] = {}
    for n in needs:
        factor_names.update(dict.fromkeys(n.get("factors") or {}))
    rows = []
    for n in needs:
        row = {c: n.get(c) for c in NEED_COLUMNS}
        row["below_bar"] = n.get("below_bar") or ""
        slots = n.get("slots") or {}
        row.update({f"slot_{s}": (slots.get(s) or {}).get("text", "") for s in SLOT_NAMES})
        factors = n.get("factors") or {}
        row.update({f"factor_{f}": factors.get(f) for f in factor_names})
        rows.append(row)
    evidence = [
        {"need_id": n.get("id"), "need_rank": n.get("rank"), "message_id": e.get("message_id"),
         "fragment_id": e.get("fragment_id") or "", "chat": e.get("chat"), "sender": e.get("sender"),
         "time": e.get("time"), "text": e.get("text"), "span_start": (e.get("span") or [0, 0])[0],
         "span_end": (e.get("span") or [0, 0])[1]}
        for n in needs for e in n.get("evidence") or []
    ]
    need_schema = pa.schema(
        [("rank", pa.int32()), ("id", pa.string()), ("title", pa.string()), ("statement", pa.string()),
         ("score", pa.float64()), ("speakers", pa.int32()), ("speaker_ids", pa.list_(pa.string())),
         ("chats", pa.list_(pa.string())), ("endorsements", pa.int32()), ("emerging", pa.bool_()),
         ("below_bar", pa.string()), ("domain", pa.string()), ("keywords", pa.list_(pa.string())),
         ("message_ids", pa.list_(pa.string())), ("fragment_ids", pa.list_(pa.string())),
         ("trend", pa.list_(pa.int32()))]
        + [(f"slot_{s}", pa.string()) for s in SLOT_NAMES] + [(f"factor_{f}", pa.float64()) for f in factor_names]
    )
    evidence_schema = pa.schema(
        [("need_id", pa.string()), ("need_rank", pa.int32()), ("message_id", pa.string()),
         ("fragment_id", pa.string()), ("chat", pa.string()), ("sender", pa.string()), ("time", pa.string()),
         ("text", pa.string()), ("span_start", pa.int32()), ("span_end", pa.int32())]
    )
    paths = (out / "needs.parquet", out / "evidence.parquet")
    for path, data, schema in ((paths[0], rows, need_schema), (paths[1], evidence, evidence_schema)):
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(pa.Table.from_pylist(data, schema=schema), tmp)
        tmp.replace(path)
    return paths
