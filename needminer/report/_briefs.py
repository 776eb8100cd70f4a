"""Write ``briefs.md``: one product-direction brief per need, best first.

Chat text is escaped for Markdown and HTML so a hostile message renders as text in any
viewer: no raw tags, no links, no headings or tables smuggled in through a quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from needminer.report._i18n import brief_strings, curation_labels, factor_label, localize_formula, ui_strings
from needminer.report._engage import co_creators
from needminer.report._page import display_tz, lookup, parse_time, show_time
from needminer.report._payload import merged_factors
from needminer.types import BELOW_BAR, SLOT_NAMES

MAX_BRIEF_QUOTES = 8  # default when the manifest has no config.report.max_quotes
MAX_LISTED = 12  # personas / chats listed by name before "…"
SLOT_CHARS = 60  # slot text quoted inside a direction question

# Every line we write starts with our own prefix ("- ", "> ", "## "), so chat text never opens a
# line; only inline syntax needs escaping.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: Any) -> str:
    """Inline Markdown text that renders literally (one line, specials escaped, no HTML)."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def code(text: Any) -> str:
    """An id as inline code (backticks in it cannot close the span)."""
    s = " ".join(str(text).split()).replace("`", "'")
    return f"`{s}`"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SLOT_CHARS else text[:SLOT_CHARS] + "…"


def confidence(need: Mapping[str, Any]) -> str:
    """``high`` with ≥5 speakers in ≥2 chats, ``medium`` with ≥3 speakers, else ``low``."""
    speakers, chats = int(need.get("speakers") or 0), len(need.get("chats") or [])
    if speakers >= 5 and chats >= 2:
        return "high"
    if speakers >= 3:
        return "medium"
    return "low"


def caveats(need: Mapping[str, Any], lang: str) -> list[str]:
    """Why a reader should be careful with this need (empty when evidence is solid)."""
    b, ui = brief_strings(lang), ui_strings(lang)
    out = []
    if need.get("below_bar") in BELOW_BAR:
        out.append(b["cav_below_" + need["below_bar"]])
    speakers = int(need.get("speakers") or 0)
    if speakers < 3:
        out.append(b["cav_speakers"].format(n=speakers))
    if len(need.get("chats") or []) <= 1:
        out.append(b["cav_one_chat"])
    if len(need.get("evidence") or []) < 3:
        out.append(b["cav_quotes"])
    filled = need.get("slots") or {}
    # what members ask stands in for a pain, and a need that is no question has none to ask
    missing = [ui[s] for s in SLOT_NAMES if s not in filled and s != "question" and not (s == "pain" and "question" in filled)]
    if missing:
        out.append(b["cav_slots"].format(slots=ui["sep"].join(missing)))
    if need.get("emerging"):
        out.append(b["cav_emerging"])
    people, _ = co_creators(need)
    if len(people) < 3:
        out.append(b["cav_few_people"])
    return out


def directions(need: Mapping[str, Any], lang: str) -> list[str]:
    """Questions for the team (build / test / pre-sell), derived from the filled slots."""
    b = brief_strings(lang)
    slots = {k: _short(v.get("text", "")) for k, v in (need.get("slots") or {}).items()}
    out = []
    if "question" in slots:
        out.append(b["q_answer"].format(question=slots["question"]))
    if "expectation" in slots:
        out.append(b["q_build"].format(expectation=slots["expectation"]))
    elif "pain" in slots and "question" not in slots:
        out.append(b["q_build_pain"].format(pain=slots["pain"]))
    if "persona" in slots and "scene" in slots:
        out.append(b["q_test"].format(persona=slots["persona"], scene=slots["scene"]))
    elif "persona" in slots:
        out.append(b["q_test_persona"].format(persona=slots["persona"]))
    elif "scene" in slots:
        out.append(b["q_test_scene"].format(scene=slots["scene"]))
    if "pain" in slots and "expectation" in slots:
        out.append(b["q_pain"].format(pain=slots["pain"]))
    if "task" in slots:
        out.append(b["q_task"].format(task=slots["task"]))
    endorsements = int(need.get("endorsements") or 0)
    out.append(b["q_presell"].format(endorsements=endorsements) if endorsements else b["q_presell_plain"])
    return out


def _listed(items: Sequence[str], sep: str) -> str:
    shown = sep.join(md(x) for x in items[:MAX_LISTED])
    return shown + (f"{sep}… (+{len(items) - MAX_LISTED})" if len(items) > MAX_LISTED else "")


def _num(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.3g}"
    return "–" if x is None else str(x)


def max_quotes(manifest: Mapping[str, Any]) -> int:
    """Quotes per brief: the run's ``config.report.max_quotes`` when set, else ``MAX_BRIEF_QUOTES``."""
    value = lookup(manifest, "config.report.max_quotes")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return MAX_BRIEF_QUOTES


def co_creation_lines(need: Mapping[str, Any], lang: str) -> list[str]:
    """The co-creation candidates section (empty when nobody engaged)."""
    b = brief_strings(lang)
    people, from_run = co_creators(need)
    if not people:
        return []
    line = b["co_line"] if from_run else b["co_line_quotes"]
    out = [f"### {b['co_title']}", "", b["co_intro"] if from_run else b["co_intro_quotes"], ""]
    for p in people:
        out.append("- " + line.format(speaker=md(p.get("speaker", "")), fragments=p.get("fragments", 0),
                                      endorsements=p.get("endorsements", 0), replies=p.get("replies", 0)))
    return out + [""]


def brief(need: Mapping[str, Any], lang: str, tz: Any, quotes: int = MAX_BRIEF_QUOTES) -> list[str]:
    """The Markdown lines of one need's brief (at most ``quotes`` quotes)."""
    b, ui = brief_strings(lang), ui_strings(lang)
    badge = f" · {b['emerging']}" if need.get("emerging") else ""
    head = code(need.get("id", ""))
    if need.get("domain"):
        head += f" · {ui['domain_label']}{ui['colon']}{md(need['domain'])}"
    cur = curation_labels(need.get("curation"), lang)
    if cur:
        head += f" · {ui['curation']}{ui['colon']}{md(ui['sep'].join(cur))}"
    lines = [f"## {need.get('rank')}. {md(need.get('title', ''))}{badge}", "", head, ""]
    lines += [f"**{b['statement']}**{ui['colon']}{md(need.get('statement', ''))}", ""]
    slots = need.get("slots") or {}
    if slots:
        lines += [f"### {b['slots']}", ""]
        for name in SLOT_NAMES:
            if name in slots:
                refs = " ".join(code(f) for f in slots[name].get("fragment_ids", [])[:6])
                lines.append(f"- **{ui[name]}**{ui['colon']}{md(slots[name].get('text', ''))}" + (f" ({refs})" if refs else ""))
        lines.append("")
    lines += [f"### {b['who_where']}", "",
              f"- {b['personas']}{ui['colon']}{_listed(need.get('speaker_ids') or [], ui['sep']) or b['none']}",
              f"- {b['chats']}{ui['colon']}{_listed(need.get('chats') or [], ui['sep']) or b['none']}", ""]
    factors = need.get("factors") or {}
    lines += [f"### {b['metrics']}", "",
              "- " + b["m_line"].format(speakers=need.get("speakers", 0), chats=len(need.get("chats") or []),
                                        endorsements=need.get("endorsements", 0), score=_num(need.get("score")))]
    if factors:
        parts = ui["sep"].join(f"{md(factor_label(k, lang))} {_num(v)}" + (f" ({_num(raw)})" if raw is not None else "")
                          for k, v, raw in merged_factors(factors))
        lines.append(f"- {b['factors']}{ui['colon']}{parts}")
    if need.get("trend"):
        lines.append(f"- {ui['trend']}{ui['colon']}{' → '.join(str(x) for x in need['trend'])}")
    lines.append("")
    evidence = need.get("evidence") or []
    if evidence:
        lines += [f"### {b['evidence']}", ""]
        for ev in evidence[:quotes]:
            when = show_time(parse_time(ev.get("time")), tz)
            meta = " · ".join(x for x in (md(ev.get("sender", "")), when, md(ev.get("chat", ""))) if x)
            lines += [f"> {md(ev.get('text', ''))}", ">", f"> — {meta} · {code(ev.get('message_id', ''))}", ""]
        if len(evidence) > quotes:
            lines += [b["more_quotes"].format(n=len(evidence) - quotes), ""]
    lines += [f"### {b['directions']}", ""] + [f"- {md(q)}" for q in directions(need, lang)] + [""]
    lines += co_creation_lines(need, lang)
    conf = confidence(need)
    lines += [f"**{b['confidence']}**{ui['colon']}{b['conf_' + conf]}", ""]
    cav = caveats(need, lang)
    if cav:
        lines += [f"**{b['caveats']}**{ui['colon']}", ""] + [f"- {c}" for c in cav] + [""]
    return lines + ["---", ""]


def render_briefs(payload: Mapping[str, Any], lang: str) -> str:
    """The whole briefs.md for a needs.json document (plus optional ``manifest``, ``unclustered``)."""
    b, ui = brief_strings(lang), ui_strings(lang)
    manifest = payload.get("manifest") or {}
    tz = display_tz(manifest)
    quotes = max_quotes(manifest)
    needs = payload.get("needs") or []
    below = sum(1 for n in needs if n.get("below_bar"))
    intro = b["intro"].format(n=len(needs) - below) + (" " + b["intro_below"].format(k=below) if below else "")
    lines = [f"# {b['doc_title']}", "", intro, "",
             f"{b['generated']}{ui['colon']}{show_time(parse_time(payload.get('generated')), tz)} ({tz})", ""]
    if payload.get("formula"):
        lines += [f"{ui['footer_formula']}{ui['colon']}{code(localize_formula(str(payload['formula']), lang))}", ""]
    lines += ["---", ""]
    for need in needs:
        lines += brief(need, lang, tz, quotes)
    unclustered = list(payload.get("unclustered") or [])
    if unclustered:
        lines += [f"## {b['unclustered']}", ""]
        for ev in unclustered[:quotes * 3]:
            lines += [f"- {md(ev.get('text', ''))} — {md(ev.get('sender', ''))} · {md(ev.get('chat', ''))} · "
                      f"{code(ev.get('message_id', ''))}"]
        lines.append("")
    return "\n".join(lines)
