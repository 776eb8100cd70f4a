"""Shape the data that ``index.html`` embeds: compact, capped and display-ready.

The page gets what it shows and nothing else: quotes are cut to a window around the
highlighted span (sliced here, in code points, so emoji never shift the highlight in the
browser's UTF-16 strings), evidence is capped per need, chat names are interned, and only
whitelisted parts of the manifest (counts, config, versions) reach the footer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone, tzinfo
from pathlib import PurePath
from typing import Any

from needminer.report._i18n import curation_labels, factor_label, localize_formula, ui_strings
from needminer.report._payload import NEED_SIGNALS, clean_number, merged_factors, signal_mix
from needminer.types import BELOW_BAR

PAGE_QUOTES_PER_NEED = 200  # needs.json keeps every quote; the page embeds at most this many
PAGE_UNCLUSTERED = 200
QUOTE_BEFORE = 120  # characters of context kept before the highlighted span
QUOTE_MARK = 400
QUOTE_AFTER = 200
MAX_CONFIG_ROWS = 80
PERIOD_WINDOWS = (1, 4, 8)  # "last N periods" choices of the page's period filter
SIGNAL_SHARE_MIN = 0.25  # signal filter: the label's share of the need-bearing fragments (pain+wish+question)

MAX_HEALTH_CHATS = 200  # chats listed in the per-chat table
MAX_CHURN_ROWS = 200  # silent-churn members listed on the page
HEALTH_COLUMNS = (  # per-chat / overall metrics shown, with how the page formats them
    ("messages", "int"), ("active_speakers", "int"), ("active_members", "int"), ("silent_members", "int"),
    ("silent_churn", "int"), ("noise_share", "share"), ("ad_share", "share"), ("need_share", "share"),
    ("high_quality_interaction_share", "share"), ("reply_depth_mean", "float"), ("reply_depth_max", "int"),
)
WEEKLY_COLUMNS = (
    ("messages", "int"), ("active_speakers", "int"), ("new_speakers", "int"), ("noise_share", "share"),
    ("ad_share", "share"), ("high_quality_interaction_share", "share"), ("reply_depth_mean", "float"),
    ("silent_churn", "int"),
)
_HEALTH_ALIASES = {"high_quality_share": "high_quality_interaction_share",
                   "hq_interaction_share": "high_quality_interaction_share",
                   "speakers": "active_speakers", "per_chat": "per_chat", "chats": "h_chat"}


def health_label(key: str, lang: str) -> str:
    """Readable name of a health metric (unknown keys keep their own name)."""
    ui = ui_strings(lang)
    k = _HEALTH_ALIASES.get(key, key)
    return ui.get(k if k.startswith("h_") else f"h_{k}", key)


# ---------------------------------------------------------------- small helpers


def display_tz(manifest: Mapping[str, Any]) -> tzinfo:
    """The zone the run's exports were read in (config ``ingest.tz``), else UTC."""
    name = lookup(manifest, "config.ingest.tz", "tz")
    if isinstance(name, str) and name:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(name)
        except Exception:  # unknown zone or no tz database: show UTC rather than fail the report
            pass
    return timezone.utc


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from an ISO string (as written in needs.json), else None."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def show_time(t: datetime | None, tz: tzinfo) -> str:
    """``YYYY-MM-DD HH:MM`` in the display zone ("" when unknown)."""
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M") if t else ""


def lookup(mapping: Mapping[str, Any], *paths: str) -> Any:
    """The first value found at one of the dotted ``paths`` (None if none exists)."""
    for path in paths:
        node: Any = mapping
        for part in path.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                node = None
                break
        if node is not None:
            return node
    return None


def fmt_value(key: str, value: Any) -> str:
    """A table cell: shares as percentages, floats rounded, nested values as compact JSON."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if any(w in key.lower() for w in ("share", "ratio", "rate", "coverage")) and 0 <= value <= 1:
            return f"{value:.1%}"
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)[:300]
    return str(value)[:300]


def quote_parts(text: str, span: Sequence[int]) -> tuple[str, str, str]:
    """(before, highlighted, after) around ``span``, trimmed to a readable window."""
    n = len(text)
    start, end = (int(span[0]), int(span[1])) if len(span) == 2 else (0, 0)
    if not (0 <= start < end <= n):
        body = text[:QUOTE_MARK + QUOTE_AFTER]
        return "", "", body + ("…" if n > len(body) else "")
    before = text[max(0, start - QUOTE_BEFORE):start]
    if start > QUOTE_BEFORE:
        before = "…" + before
    mark = text[start:min(end, start + QUOTE_MARK)]
    if end > start + QUOTE_MARK:
        mark += "…"
    after = text[end:end + QUOTE_AFTER]
    if n > end + QUOTE_AFTER:
        after += "…"
    return before, mark, after


class _Interner:
    """Chat names stored once; quotes refer to them by index."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.items)
            self.items.append(value)
        return self._index[value]


def _quote_row(ev: Mapping[str, Any], chats: _Interner, tz: tzinfo) -> list[Any]:
    before, mark, after = quote_parts(str(ev.get("text") or ""), ev.get("span") or (0, 0))
    when = show_time(parse_time(ev.get("time")), tz)
    return [chats(str(ev.get("chat") or "")), str(ev.get("sender") or ""), when,
            before, mark, after, str(ev.get("message_id") or "")]


# ---------------------------------------------------------------- period and signal filters


def period_days_of(needs: Sequence[Mapping[str, Any]]) -> int:
    """The run's trend period length: the most common ``period_days`` of the needs (7 if none)."""
    counts: dict[int, int] = {}
    for n in needs:
        d = clean_number(n.get("period_days"))
        if d is not None and d >= 1:
            counts[int(d)] = counts.get(int(d), 0) + 1
    return max(counts, key=lambda d: (counts[d], -d)) if counts else 7


def period_label(n: int, days: int, lang: str) -> str:
    """Name of the window "the last ``n`` periods of ``days`` days" (e.g. 最近 4 周 / Last 4 weeks)."""
    ui = ui_strings(lang)
    total = n * days
    if total % 7 == 0 and days % 7 == 0:
        text = ui["period_week1"] if total == 7 else fmt_text(ui["period_weeks"], n=total // 7)
    else:
        text = ui["period_day1"] if total == 1 else fmt_text(ui["period_days"], n=total)
    if days not in (1, 7):
        text += ui["period_count1"] if n == 1 else fmt_text(ui["period_count"], n=n)
    return text


def period_filter(needs: Sequence[Mapping[str, Any]], lang: str) -> dict[str, Any]:
    """Options of the period filter: "last N periods" for each N the trends cover (none when no
    need has a dated fragment), plus the period length and the help text."""
    days = period_days_of(needs)
    trends = [n.get("trend") or [] for n in needs]
    longest = max((len(t) for t in trends if any(clean_number(x) for x in t)), default=0)
    ui = ui_strings(lang)
    return {
        "days": days,
        "options": [[k, period_label(k, days, lang)] for k in PERIOD_WINDOWS if k <= longest],
        "help": fmt_text(ui["period_help"], days=days),
    }


# ---------------------------------------------------------------- page payload


def _factor_rows(factors: Mapping[str, Any], weights: Mapping[str, float], lang: str) -> list[list[Any]]:
    """[key, label, value, contribution, raw] per factor.

    With the run's weights the contribution is the factor's share of the score (``100·w·x / Σw``,
    the rank stage's formula), so the score bar adds up; factors without a weight get None and
    stay out of the bar. Without any weights the bar falls back to the factor values.
    """
    total = sum(w for w in weights.values() if isinstance(w, (int, float))) if weights else 0
    rows = []
    for key, value, raw in merged_factors(dict(factors)):
        x, w = clean_number(value), weights.get(key) if weights else None
        share = 100.0 * w * x / total if total and isinstance(w, (int, float)) and x is not None else None
        rows.append([str(key), factor_label(str(key), lang), x, clean_number(share), clean_number(raw)])
    return rows


def _page_need(need: Mapping[str, Any], chats: _Interner, tz: tzinfo, lang: str,
               weights: Mapping[str, float]) -> dict[str, Any]:
    evidence = need.get("evidence") or []
    times = [t for t in (parse_time(e.get("time")) for e in evidence) if t]
    last = max(times) if times else None
    slots = need.get("slots") or {}
    n_speakers = int(need.get("speakers") or 0)
    n_chats = len(need.get("chats") or [])
    return {
        "id": str(need.get("id", "")),
        "rank": need.get("rank"),
        "title": str(need.get("title", "")),
        "statement": str(need.get("statement", "")),
        "slots": [[name, str(s.get("text", ""))] for name, s in slots.items()],
        "score": clean_number(need.get("score")),
        "factors": _factor_rows(need.get("factors") or {}, weights, lang),
        "speakers": n_speakers,
        "chats": [chats(str(c)) for c in need.get("chats") or []],
        "endorsements": int(need.get("endorsements") or 0),
        "emerging": bool(need.get("emerging")),
        "cur": curation_labels(need.get("curation"), lang),
        "trend": [clean_number(x) or 0 for x in need.get("trend") or []],
        "mix": signal_mix(need.get("signal_mix")),
        "keywords": [str(k) for k in need.get("keywords") or []],
        "domain": str(need.get("domain") or ""),
        "last": last.timestamp() if last else 0,
        "lastShown": show_time(last, tz),
        "thin": n_speakers < 3 or n_chats < 2,
        "below": ui_strings(lang)["below_" + need["below_bar"]] if need.get("below_bar") in BELOW_BAR else "",
        "ev": [_quote_row(e, chats, tz) for e in evidence[:PAGE_QUOTES_PER_NEED]],
        "brief": _page_brief(need, lang),
        "evTotal": len(evidence),
        "msgTotal": len(need.get("message_ids") or []),
    }


def _page_brief(need: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The need's brief for its card: questions, confidence, caveats, co-creation candidates."""
    from needminer.report._briefs import caveats, confidence, directions  # lazy: _briefs imports this module
    from needminer.report._engage import co_creators

    people, from_run = co_creators(need)
    return {
        "q": directions(need, lang),
        "conf": confidence(need),
        "cav": caveats(need, lang),
        "co": [[str(p.get("speaker", "")), int(p.get("fragments") or 0), int(p.get("endorsements") or 0),
                int(p.get("replies") or 0), int(p.get("total") or 0)] for p in people],
        "coRun": from_run,
    }


def health_tables(health: Mapping[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    """Render any health dict as tables: scalars → one metric/value table; dict of dicts
    (e.g. per chat) → rows × metrics; list of dicts → rows × keys."""
    if not health:
        return []
    ui = ui_strings(lang)

    def label(k: Any) -> str:
        return health_label(str(k), lang)

    tables: list[dict[str, Any]] = []
    scalars = [[label(k), fmt_value(str(k), v)] for k, v in health.items() if not isinstance(v, (dict, list))]
    if scalars:
        tables.append({"title": "", "columns": [ui["metric"], ui["value"]], "rows": scalars})
    for key, value in health.items():
        if isinstance(value, Mapping):
            tables.append(_mapping_table(label(key), value, label, ui))
        elif isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
            cols = _union_keys(value)
            rows = [[fmt_value(c, r.get(c)) for c in cols] for r in value]
            tables.append({"title": label(key), "columns": [label(c) for c in cols], "rows": rows})
        elif isinstance(value, list):
            tables.append({"title": label(key), "columns": [ui["value"]],
                           "rows": [[fmt_value(str(key), v)] for v in value]})
    return tables


def _num_row(summary: Mapping[str, Any], columns: Sequence[tuple[str, str]]) -> list[Any]:
    return [clean_number(summary.get(k)) if isinstance(summary.get(k), (int, float)) else None for k, _ in columns]


def health_panel(health: Mapping[str, Any] | None, lang: str, tz: tzinfo) -> dict[str, Any] | None:
    """Display data for the community-health panel, from ``community_health``'s output.

    Returns None when ``health`` does not have that shape (``overall`` and ``chats`` mappings);
    the page then shows ``health_tables`` instead.
    """
    if not isinstance(health, Mapping):
        return None
    overall, chats = health.get("overall"), health.get("chats")
    if not isinstance(overall, Mapping) or not isinstance(chats, Mapping):
        return None
    ui = ui_strings(lang)
    params = health.get("params") if isinstance(health.get("params"), Mapping) else {}
    chat_items = sorted(((str(c), v) for c, v in chats.items() if isinstance(v, Mapping)),
                        key=lambda cv: (-(cv[1].get("messages") or 0), cv[0]))
    weekly = health.get("weekly") if isinstance(health.get("weekly"), Mapping) else {}
    scopes: list[list[Any]] = []

    def week_rows(rows: Any) -> list[list[Any]]:
        if not isinstance(rows, list):
            return []
        return [[str(r.get("period", "")), str(r.get("start", ""))] + _num_row(r, WEEKLY_COLUMNS)
                for r in rows if isinstance(r, Mapping)]

    if weekly.get("overall"):
        scopes.append(["", ui["h_overall"], week_rows(weekly["overall"])])
    per_chat_weeks = weekly.get("chats") if isinstance(weekly.get("chats"), Mapping) else {}
    for chat, _ in chat_items[:MAX_HEALTH_CHATS]:
        rows = week_rows(per_chat_weeks.get(chat))
        if rows:
            scopes.append([chat, chat, rows])
    churn_rows = []
    churn = health.get("silent_churn") if isinstance(health.get("silent_churn"), list) else []
    for c in churn[:MAX_CHURN_ROWS]:
        if not isinstance(c, Mapping):
            continue
        label = str(c.get("label") or "")
        churn_rows.append([str(c.get("speaker", "")), str(c.get("chat", "")),
                           show_time(parse_time(c.get("time")), tz), ui.get(f"label_{label}", label),
                           clean_number(c.get("days_silent")), bool(c.get("returned")), str(c.get("message_id", ""))])
    days = params.get("churn_days", 14)
    cols = [[k, health_label(k, lang), kind] for k, kind in HEALTH_COLUMNS]
    return {
        "columns": cols,
        "overall": _num_row(overall, HEALTH_COLUMNS),
        "period": [overall.get("first_period"), overall.get("last_period")],
        "chats": [[chat, _num_row(v, HEALTH_COLUMNS), v.get("last_period")] for chat, v in chat_items[:MAX_HEALTH_CHATS]],
        "chatsTotal": len(chat_items),
        "weekCols": [[k, health_label(k, lang), kind] for k, kind in WEEKLY_COLUMNS],
        "weekly": scopes,
        "weeksCap": params.get("max_weeks"),
        "churn": churn_rows,
        "churnTotal": int(overall.get("silent_churn") or len(churn)),
        "churnHint": fmt_text(ui["h_churn_hint"], days=days),
        "params": fmt_text(ui["h_params"], tz=params.get("tz", "UTC"), days=days),
    }


def fmt_text(template: str, **values: Any) -> str:
    """``str.format`` that leaves unknown or malformed placeholders alone."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _union_keys(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(str(k) for k in r))
    return list(cols)


def _mapping_table(title: str, value: Mapping[str, Any], label: Any, ui: Mapping[str, str]) -> dict[str, Any]:
    if value and all(isinstance(v, Mapping) for v in value.values()):
        cols = _union_keys(value.values())
        rows = [[str(k)] + [fmt_value(c, v.get(c)) for c in cols] for k, v in value.items()]
        return {"title": title, "columns": [""] + [label(c) for c in cols], "rows": rows}
    rows = [[label(k), fmt_value(str(k), v)] for k, v in value.items()]
    return {"title": title, "columns": [ui["metric"], ui["value"]], "rows": rows}


def _flatten(value: Any, prefix: str = "") -> list[list[str]]:
    if isinstance(value, Mapping):
        out: list[list[str]] = []
        for k, v in value.items():
            out.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return [[prefix, fmt_value(prefix, value)]]


def _period(value: Any) -> tuple[Any, Any]:
    if isinstance(value, Mapping):
        return value.get("start"), value.get("end")
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    return None, None


def _summary(doc: Mapping[str, Any], manifest: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    needs = doc.get("needs") or []
    inputs = lookup(manifest, "inputs", "ledgers")
    input_names: list[str] = []
    if isinstance(inputs, list):
        for item in inputs:
            path = item.get("path", "") if isinstance(item, Mapping) else item
            input_names.append(PurePath(str(path)).name or str(path))
    messages = lookup(manifest, "messages", "counts.messages", "stats.messages")
    if messages is None and isinstance(inputs, list):
        counted = [i.get("messages") for i in inputs if isinstance(i, Mapping)]
        messages = sum(c for c in counted if isinstance(c, int)) if counted else None
    coverage = lookup(manifest, "coverage", "counts.coverage", "stats.coverage", "discover.coverage")
    start, end = _period(manifest.get("period"))
    if start is None or end is None:
        times = [t for n in needs for t in (parse_time(e.get("time")) for e in n.get("evidence") or []) if t]
        if times:
            start, end = min(times), max(times)
    chats = {c for n in needs for c in n.get("chats") or []}
    speakers = {s for n in needs for s in n.get("speaker_ids") or []}
    return {
        "inputs": len(input_names) if isinstance(inputs, list) else None,
        "inputNames": input_names[:50],
        "messages": fmt_value("messages", messages) if messages is not None else None,
        "needs": sum(1 for n in needs if not n.get("below_bar")),
        "below": sum(1 for n in needs if n.get("below_bar")),
        "coverage": fmt_value("coverage", float(coverage)) if isinstance(coverage, (int, float)) else None,
        "period": [show_time(parse_time(start), tz)[:10], show_time(parse_time(end), tz)[:10]]
        if start is not None and end is not None else None,
        "chats": len(chats),
        "speakers": len(speakers),
        "generated": show_time(parse_time(doc.get("generated")), tz),
    }


def _config_rows(manifest: Mapping[str, Any], lang: str) -> list[list[str]]:
    """The footer's configuration table: the run's facts (named in ``lang``) above the config keys
    as the TOML spells them; a fact the config already lists with the same value (seed) is not repeated."""
    ui = ui_strings(lang)
    config = _flatten(manifest.get("config") or {})[:MAX_CONFIG_ROWS]
    listed = {tuple(row) for row in config}
    for key in ("seed", "embedder", "started", "run_id", "input_hash"):
        if key in manifest and not isinstance(manifest[key], (dict, list)):
            value = fmt_value(key, manifest[key])
            if (key, value) not in listed:
                config.insert(0, [ui.get(f"cfg_{key}", key), value])
    return config


def page_data(payload: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Everything the page script needs, from a needs.json document plus run extras.

    Args:
        payload: ``needs.json`` document with optional extra keys ``manifest``, ``health``,
            ``unclustered`` (evidence dicts) and ``formula``.
        lang: ``"zh"`` or ``"en"``.
    """
    manifest = payload.get("manifest") or {}
    tz = display_tz(manifest)
    chats = _Interner()
    weights = lookup(manifest, "config.rank.weights")
    weights = weights if isinstance(weights, Mapping) else {}
    needs = [_page_need(n, chats, tz, lang, weights) for n in payload.get("needs") or []]
    unclustered = [_quote_row(e, chats, tz) for e in list(payload.get("unclustered") or [])[:PAGE_UNCLUSTERED]]
    factor_names: dict[str, str] = {}
    for n in needs:
        for key, lab, *_ in n["factors"]:
            factor_names.setdefault(key, lab)
    panel = health_panel(payload.get("health"), lang, tz)
    config = _config_rows(manifest, lang)
    return {
        "lang": lang,
        "ui": ui_strings(lang),
        "summary": _summary(payload, manifest, tz),
        "tz": str(tz),
        "chats": chats.items,
        "factorNames": [[k, v] for k, v in factor_names.items()],
        "needs": needs,
        "health": [] if panel else health_tables(payload.get("health"), lang),
        "healthPanel": panel,
        "unclustered": unclustered,
        "unclusteredTotal": len(payload.get("unclustered") or []),
        "formula": localize_formula(str(payload.get("formula") or ""), lang),
        "config": config,
        "versions": _flatten(manifest.get("versions") or {}),
        "pageQuoteCap": PAGE_QUOTES_PER_NEED,
        "period": period_filter(payload.get("needs") or [], lang),
        "signals": {"labels": list(NEED_SIGNALS), "min": SIGNAL_SHARE_MIN,
                    "on": any(n["mix"].get(k) for n in needs for k in NEED_SIGNALS)},
    }
