"""Write a run's report folder: index.html, needs.json, briefs.md, needs.csv, manifest.json."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Any

from needminer.report._briefs import render_briefs
from needminer.report._html import render_html
from needminer.report._i18n import check_lang
from needminer.report._payload import evidence_to_dict, needs_document
from needminer.report._parquet import write_parquet
from needminer.types import SLOT_NAMES, Evidence, RankedNeed, ReportFiles

# Spreadsheet apps run cells that start with these as formulas (CSV injection); chat text may.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_SUFFIX_RE = re.compile(r"\.[A-Za-z0-9]{1,8}")


def public_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as the report folder may show it: input paths become ``input-1.jsonl`` ….

    A file name is often the contact's name or number (``与赵敏的聊天记录_13800138000.jsonl``)
    and a path holds the user's; the SHA-256 and size beside each input still identify it. The
    same path gets the same label wherever it occurs (``inputs`` and ``ingest.inputs``), numbered
    in order of first occurrence.

    Args:
        manifest: The run manifest.

    Returns:
        A copy with every ``"path"`` string inside an ``inputs`` list replaced.
    """
    labels: dict[str, str] = {}

    def label(path: str) -> str:
        if path not in labels:
            suffix = PurePath(path).suffix
            labels[path] = f"input-{len(labels) + 1}" + (suffix if _SUFFIX_RE.fullmatch(suffix) else "")
        return labels[path]

    def walk(value: Any, in_inputs: bool = False) -> Any:
        if isinstance(value, Mapping):
            return {
                k: label(v) if in_inputs and k == "path" and isinstance(v, str) else walk(v, k == "inputs")
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [walk(v, in_inputs) for v in value]
        return value

    return walk(manifest)


def render_csv(doc: Mapping[str, Any]) -> str:
    """One row per need: rank, ids, text, slots, counts and every factor (for spreadsheets)."""
    needs = doc.get("needs") or []
    factor_names: dict[str, None] = {}
    for n in needs:
        factor_names.update(dict.fromkeys(n.get("factors") or {}))
    header = (["rank", "id", "title", "statement", "score", "speakers", "chats", "endorsements", "emerging",
               "messages"] + list(SLOT_NAMES) + ["keywords", "domain", "below_bar", "chat_names"]
              + [f"factor_{f}" for f in factor_names] + ["message_ids"])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for n in needs:
        slots = n.get("slots") or {}
        factors = n.get("factors") or {}
        row = [n.get("rank"), n.get("id"), n.get("title"), n.get("statement"), n.get("score"),
               n.get("speakers"), len(n.get("chats") or []), n.get("endorsements"), n.get("emerging"),
               len(n.get("message_ids") or [])]
        row += [slots.get(s, {}).get("text", "") for s in SLOT_NAMES]
        row += [" ".join(n.get("keywords") or []), n.get("domain"), n.get("below_bar") or "", " | ".join(n.get("chats") or [])]
        row += [factors.get(f) for f in factor_names]
        row += [" ".join(n.get("message_ids") or [])]
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write atomically (temp file + rename) so a reader never sees half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding=encoding, newline="")
    os.replace(tmp, path)
    return path


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"


def _compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "), default=str)


def dump_needs_document(doc: Mapping[str, Any]) -> str:
    """needs.json text: one field per line and one evidence quote per line.

    ``json.dumps(indent=...)`` falls back to the pure-Python encoder, which takes ~10 s on
    50k quotes; encoding each value compactly keeps the C encoder and a readable, diffable file.
    """
    out = ["{"]
    out += [f"  {_compact(k)}: {_compact(v)}," for k, v in doc.items() if k != "needs"]
    needs = doc.get("needs") or []
    out.append('  "needs": [' + ("" if needs else "]"))
    for i, need in enumerate(needs):
        fields = []
        for key, value in need.items():
            if key == "evidence" and value:
                quotes = ",\n".join(f"        {_compact(e)}" for e in value)
                fields.append(f'      "evidence": [\n{quotes}\n      ]')
            else:
                fields.append(f"      {_compact(key)}: {_compact(value)}")
        out.append("    {\n" + ",\n".join(fields) + "\n    }" + ("," if i < len(needs) - 1 else ""))
    if needs:
        out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"


def write_report(
    needs: Sequence[RankedNeed],
    out_dir: str | Path,
    *,
    manifest: dict,
    health: dict | None = None,
    unclustered: Sequence[Evidence] = (),
    lang: str = "zh",
    formula: str = "",
    engagement: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    curation: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    parquet: bool = False,
) -> ReportFiles:
    """Write the report of one run into ``out_dir`` (created if missing).

    Files: ``index.html`` (self-contained page), ``needs.json`` (schema 1, see SCHEMA.md),
    ``briefs.md`` (one brief per need), ``needs.csv`` (one row per need, for spreadsheets)
    and ``manifest.json`` (``manifest`` as given).

    Args:
        needs: Ranked needs, best first; their order is kept.
        out_dir: Folder to write into.
        manifest: Run manifest (inputs, counts, config, versions …); written to manifest.json
            with input paths as ``input-1.jsonl`` … (``public_manifest``); the page shows only
            its counts, ``config`` and ``versions``.
        health: Community health metrics (any nesting of dicts/lists of scalars), shown as tables.
        unclustered: Intense quotes that joined no need.
        lang: ``"zh"`` or ``"en"`` for the page and the briefs.
        formula: The scoring formula, shown in the page footer and the briefs.
        engagement: Co-creation candidates per need id, as ``need_engagement`` returns them;
            written to needs.json as ``co_creators`` and shown in the page and the briefs.
            Without it both fall back to counting each speaker's quotes.
        curation: What the taxonomy overrides did, per need id (``{"op": "pin"}`` …); written to
            needs.json as ``curation`` on those needs and shown as badges and in the briefs.
        parquet: Also write ``needs.parquet`` and ``evidence.parquet`` (needs pyarrow).

    Returns:
        The paths written (``extra`` holds needs.csv, and the Parquet files when asked for).

    Raises:
        ConfigError: ``lang`` is not supported.
        TypeError: ``needs`` holds something other than ``RankedNeed``.
    """
    check_lang(lang)
    for i, need in enumerate(needs):
        if not isinstance(need, RankedNeed):
            raise TypeError(f"write_report expects RankedNeed items; item {i} is {type(need).__name__}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = public_manifest(manifest)
    doc = needs_document(needs, datetime.now(timezone.utc))
    if engagement is not None:
        for need in doc["needs"]:
            need["co_creators"] = [dict(c) for c in engagement.get(need["id"], ())]
    for need in doc["needs"]:
        if (curation or {}).get(need["id"]):
            need["curation"] = [dict(r) for r in curation[need["id"]]]
    extras = {
        "manifest": manifest,
        "health": health,
        "unclustered": [evidence_to_dict(e) for e in unclustered],
        "formula": formula,
    }
    page = {**doc, **extras}
    files = ReportFiles(
        out_dir=out,
        needs_json=_write(out / "needs.json", dump_needs_document(doc)),
        manifest=_write(out / "manifest.json", _dumps(manifest)),
        briefs_md=_write(out / "briefs.md", render_briefs(page, lang)),
        html=_write(out / "index.html", render_html(page, lang)),
        extra=(_write(out / "needs.csv", render_csv(doc), encoding="utf-8-sig"),
               *(write_parquet(doc, out) if parquet else ())),
    )
    return files
