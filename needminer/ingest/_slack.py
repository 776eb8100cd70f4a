"""Slack workspace export (folder or .zip): ``channels.json``, ``users.json``, ``<channel>/<day>.json``.

One export is one source. Message ids are ``slack:{channel}:{ts}``; a reply in a thread
(``thread_ts`` ≠ ``ts``) points at its parent. Join/leave/topic/bot-add subtypes are ``system``,
``tombstone`` (deleted parent) is ``recalled``; mrkdwn escapes and ``<@U…>`` mentions are resolved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import ReadContext, Reader, SourceFile, register
from needminer.ingest._encoding import decode_all
from needminer.ingest._jsonutil import as_str, require
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

_INDEX = ("channels.json", "groups.json", "dms.json", "mpims.json")
_DAY = re.compile(r"^(?P<chan>[^/]+)/\d{4}-\d{2}-\d{2}\.json$")
_LINK = re.compile(r"<([@#!])?([^>|]+)(?:\|([^>]*))?>")
_SYSTEM = {"channel_join", "channel_leave", "group_join", "group_leave", "bot_add", "bot_remove", "channel_topic",
           "channel_purpose", "channel_name", "channel_archive", "channel_unarchive", "pinned_item", "unpinned_item",
           "group_topic", "group_purpose", "group_name", "reminder_add", "sh_room_created", "huddle_thread"}


def _load(src: SourceFile | None) -> Any:
    if src is None:
        return None
    try:
        return json.loads(decode_all(src.read_bytes()))
    except (ValueError, RecursionError):
        return None


def _names(users: Any) -> dict[str, str]:
    out = {}
    for u in users if isinstance(users, list) else []:
        if isinstance(u, dict) and u.get("id"):
            prof = u.get("profile") if isinstance(u.get("profile"), dict) else {}
            out[as_str(u["id"])] = (as_str(prof.get("display_name")) or as_str(u.get("real_name"))
                                    or as_str(prof.get("real_name")) or as_str(u.get("name")))
    return out


def render(text: str, names: dict[str, str]) -> str:
    """Slack mrkdwn → plain text: ``<@U1>`` → ``@name``, ``<url|label>`` → label, unescape."""

    def sub(m: re.Match) -> str:
        sigil, target, label = m.groups()
        if sigil == "@":
            return "@" + (label or names.get(target, target))
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":
            return "@" + (label or target.split("^")[0])
        return label or target

    return _LINK.sub(sub, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@register("slack")
class SlackExportReader(Reader):
    """Slack export folder or zip (official or slackdump)."""

    name = "slack.export.v1"
    description = "Slack workspace export: folder or .zip with channels.json, users.json, <channel>/<day>.json"
    patterns = ("*.zip", "channels.json", "users.json")
    container = True

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        files = src.members
        require(bool(files) and "users.json" in files, "Slack export", "no users.json in the folder/zip")
        names = _names(_load(files.get("users.json")))
        chan_ids: dict[str, str] = {}
        for idx in _INDEX:
            for c in _load(files.get(idx)) or []:
                if isinstance(c, dict) and c.get("name"):
                    chan_ids[as_str(c["name"])] = as_str(c.get("id")) or as_str(c["name"])
        days = sorted(p for p in files if _DAY.match(p))
        for path in days:
            chan = _DAY.match(path)["chan"]
            data = _load(files[path])
            if not isinstance(data, list):
                ctx.skip("unparseable")  # one damaged day file does not lose the export
                continue
            for m in data:
                msg = self._one(ctx, m, chan, chan_ids.get(chan, chan), names)
                if msg is not None:
                    yield msg

    def _one(self, ctx: ReadContext, m: Any, chan: str, cid: str, names: dict[str, str]) -> Message | None:
        if not isinstance(m, dict):
            ctx.skip("unparseable")
            return None
        ts = as_str(m.get("ts"))
        try:
            time = from_epoch(float(ts))
        except (ValueError, OverflowError):
            ctx.skip("bad_time")
            return None
        sub = as_str(m.get("subtype"))
        text = render(as_str(m.get("text")), names)
        if sub in _SYSTEM:
            kind = MessageKind.system
        elif sub == "tombstone":
            kind = MessageKind.recalled
        elif not text.strip() and m.get("files"):
            kind = MessageKind.media
            text = "[" + ", ".join(as_str(f.get("name") or f.get("title")) for f in m["files"] if isinstance(f, dict)) + "]"
        elif not text.strip() and m.get("attachments"):
            kind = MessageKind.other  # bot cards: keep their fallback text as context
            text = "\n".join(as_str(a.get("fallback") or a.get("title") or a.get("text"))
                              for a in m["attachments"] if isinstance(a, dict))
        else:
            kind = MessageKind.text
        if not text.strip():
            ctx.skip("empty")
            return None
        user = as_str(m.get("user")) or as_str(m.get("bot_id")) or as_str(m.get("username")) or "unknown"
        prof = m.get("user_profile") if isinstance(m.get("user_profile"), dict) else {}
        name = (names.get(user) or as_str(prof.get("display_name")) or as_str(prof.get("real_name"))
                or as_str(m.get("username")))
        thread = as_str(m.get("thread_ts"))
        return ctx.message(
            chat=chan, sender=user, sender_name=name, text=text, time=time, kind=kind,
            native_id=f"slack:{cid}:{ts}", reply_to=f"slack:{cid}:{thread}" if thread and thread != ts else None,
        )
