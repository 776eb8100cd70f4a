"""Deterministic synthetic group-chat generator with planted scenario needs.

The generator writes what a community chat export looks like after it has been
converted to needminer's generic JSONL: several group chats, a few very active
members and many quiet ones, greetings, stickers, red packets, ads with (fake)
contact data, chit-chat, "+1"s and answers — and, hidden in all that, a set of
:class:`~bench._needs.PlantedNeed` scenario needs voiced as *fragments*: one
speaker describes the scene, another the pain, a third what she wishes for,
spread over several days and sometimes split over consecutive messages.

Library use::

    from bench.synth import generate, write_jsonl, truth
    records = generate(10_000, 5, seed=1)
    write_jsonl(records, "bench/out/chats")          # strips the private "_need"/"_kind" keys
    json.dumps(truth(records))                       # need key -> message ids

CLI::

    python -m bench.synth --messages 10000 --groups 5 --out DIR [--seed N] [--truth FILE]

Everything is driven by one ``random.Random(seed)``, so the same arguments always
give byte-identical output. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import _noise as nz
from bench._needs import BABY, BEAUTY, DOMAINS, FACETS, NEEDS, NEEDS_BY_KEY, RUN, PlantedNeed

__all__ = [
    "CST", "DEFAULT_START", "NEEDS", "NEEDS_BY_KEY", "ChatSpec", "PlantedNeed", "ScriptedMessage",
    "default_chats", "generate", "truth", "write_jsonl", "main",
]

CST = timezone(timedelta(hours=8))
DEFAULT_START = datetime(2026, 9, 1, tzinfo=CST)

#: Relative chat activity per local hour (0..23): quiet nights, lunch and evening peaks.
_HOURS = (1.2, 0.6, 0.25, 0.12, 0.1, 0.3, 1.0, 2.6, 3.6, 3.8, 3.2, 3.0, 4.6, 3.8, 3.0, 3.0, 3.0, 3.2, 4.0, 5.0, 6.6, 7.4, 6.6, 3.6)
_HOURS_CUM = tuple(itertools.accumulate(_HOURS))

# Standalone noise kinds and their weights (endorse / answer / thanks come from need episodes).
_NOISE_KINDS = ("chat", "thread", "sticker", "greeting", "praise", "checkin", "ad", "red_packet", "personal")
_NOISE_WEIGHTS = (0.24, 0.16, 0.17, 0.14, 0.07, 0.08, 0.06, 0.035, 0.015)

# Facet sequences for the first and the later speakers of an episode.
_FIRST = (("specific",), ("pain",), ("pain", "wish"), ("specific", "wish"), ("question",), ("specific", "question"), ("wish",), ("pain", "question"))
_FIRST_W = (0.22, 0.12, 0.16, 0.12, 0.14, 0.08, 0.08, 0.08)
_LATER = (("agree",), ("specific",), ("wish",), ("pain",), ("question",), ("agree", "wish"), ("specific", "wish"))
_LATER_W = (0.24, 0.22, 0.14, 0.12, 0.1, 0.1, 0.08)

_PREFIX = ("说真的，", "唉，", "话说", "讲真，", "emmm ", "啊啊啊", "哎，", "真心求助，", "吐槽一下，")
_SUFFIX = ("", "", "", "", "。", "！", "～", "…", "[捂脸]", "[流泪]", "[裂开]", "[苦涩]", "呜呜", "😭", "啊", "。。")


@dataclass(frozen=True)
class ChatSpec:
    """One generated group chat.

    Attributes:
        name: Display name written to the ``chat`` field (Chinese).
        slug: ASCII file stem used by :func:`write_jsonl`.
        prefix: Message-id prefix (``bg`` → ``bg-000001``).
        domain: Topic domain of the group; its needs are voiced mostly here.
    """

    name: str
    slug: str
    prefix: str
    domain: str


@dataclass(frozen=True)
class ScriptedMessage:
    """A message placed verbatim at a fixed time (used for the curated demo seed).

    Attributes:
        chat: Name of the target chat (a :class:`ChatSpec` ``name``).
        time: Aware send time; must fall inside the generated period.
        speaker: Label; equal labels are the same person, different labels different people.
        text: Message text, verbatim.
        need: Planted need key the message voices, or None for noise.
        reply_to: Index (into the script) of the message this one replies to.
        kind: Noise kind for the truth file (``need`` when ``need`` is set).
    """

    chat: str
    time: datetime
    speaker: str
    text: str
    need: str | None = None
    reply_to: int | None = None
    kind: str = "chat"


_CHAT_BASE = {
    BEAUTY: ("美妆护肤交流群", "beauty_group", "bg"),
    BABY: ("新手妈妈互助群", "baby_group", "mb"),
    RUN: ("跑步健身打卡群", "running_group", "rn"),
}


def default_chats(n_groups: int) -> list[ChatSpec]:
    """Return ``n_groups`` chat specs cycling over the three domains.

    Args:
        n_groups: Number of group chats (>= 1).

    Returns:
        Specs such as 美妆护肤交流群 / beauty_group / bg, then 美妆护肤交流2群 / beauty_group_2 / bg2.
    """
    chats = []
    for i in range(n_groups):
        domain = DOMAINS[i % len(DOMAINS)]
        name, slug, prefix = _CHAT_BASE[domain]
        rnd = i // len(DOMAINS) + 1
        if rnd > 1:
            name, slug, prefix = name.replace("群", f"{rnd}群"), f"{slug}_{rnd}", f"{prefix}{rnd}"
        chats.append(ChatSpec(name, slug, prefix, domain))
    return chats


@dataclass(frozen=True, slots=True)
class _Person:
    id: str
    name: str


@dataclass(slots=True)
class _Msg:
    chat: int
    t: float
    seq: int
    sender: _Person
    text: str
    kind: str
    need: str | None = None
    reply: _Msg | None = None


class _Members:
    """A chat's members with skewed activity (Zipf) and a flatter need-voicing distribution."""

    def __init__(self, people: list[_Person], spammers: list[_Person], rng: random.Random) -> None:
        self.people, self.spammers = people, spammers
        weights = [1.0 / (rank + 1) ** 0.95 for rank in range(len(people))]
        rng.shuffle(weights)
        self.cum = list(itertools.accumulate(weights))
        self.cum_flat = list(itertools.accumulate(w**0.45 for w in weights))

    def pick(self, rng: random.Random, *, flat: bool = False, exclude: Sequence[_Person] = ()) -> _Person:
        cum = self.cum_flat if flat else self.cum
        for _ in range(20):
            person = self.people[bisect.bisect_left(cum, rng.random() * cum[-1])]
            if person not in exclude:
                return person
        return person


class _Generator:
    """Holds the state of one :func:`generate` call (budgets, members, emitted messages)."""

    def __init__(self, rng: random.Random, chats: list[ChatSpec], needs: Sequence[PlantedNeed],
                 n_messages: int, seconds: float) -> None:
        self.rng, self.chats, self.needs, self.seconds = rng, chats, list(needs), seconds
        self.msgs: list[_Msg] = []
        self.used: set[str] = set()
        self.scripted: set[int] = set()
        self.need_left = self.noise_left = 0
        weights = [1.0 / (1 + 0.18 * i) for i in range(len(chats))]
        self.chat_cum = list(itertools.accumulate(weights))
        self.by_domain = {d: [i for i, c in enumerate(chats) if c.domain == d] for d in DOMAINS}
        self.day_cum = list(itertools.accumulate(rng.lognormvariate(0, 0.35) for _ in range(max(1, math.ceil(seconds / 86400)))))
        self.members = self._make_members(n_messages, weights)

    # ------------------------------------------------------------------ setup
    def _make_members(self, n_messages: int, chat_weights: list[float]) -> list[_Members]:
        rng, names, pool = self.rng, set(), []

        def person(make) -> _Person:
            name = make(rng)
            while name in names:
                name = make(rng) + str(rng.randint(2, 99))
            names.add(name)
            return _Person(f"u_{rng.getrandbits(32):08x}", name)

        members = []
        for w in chat_weights:
            expected = n_messages * w / sum(chat_weights)
            size = int(min(400, max(12, 8 + 2.2 * math.sqrt(expected))))
            people = [rng.choice(pool) if pool and rng.random() < 0.08 else person(nz.nickname) for _ in range(size)]
            people = list(dict.fromkeys(people))  # a shared member may be drawn twice
            pool.extend(people)
            members.append(_Members(people, [person(nz.spam_name) for _ in range(rng.randint(2, 4))], rng))
        return members

    # ------------------------------------------------------------------ helpers
    def _time(self, hours: tuple[int, int] | None = None) -> float:
        rng = self.rng
        day = bisect.bisect_left(self.day_cum, rng.random() * self.day_cum[-1])
        if hours is None:
            hour = bisect.bisect_left(_HOURS_CUM, rng.random() * _HOURS_CUM[-1])
        else:
            hour = rng.randint(*hours)
        return min(day * 86400 + hour * 3600 + rng.random() * 3600, self.seconds - 1)

    def _emit(self, chat: int, t: float, sender: _Person, text: str, kind: str,
              need: str | None = None, reply: _Msg | None = None) -> _Msg:
        msg = _Msg(chat, min(t, self.seconds - 1), len(self.msgs), sender, text, kind, need, reply)
        self.msgs.append(msg)
        if need is None:
            self.noise_left -= 1
        else:
            self.need_left -= 1
        return msg

    def _chat_for(self, domain: str) -> int:
        home = self.by_domain.get(domain) or []
        if home and self.rng.random() < 0.95:
            return self.rng.choice(home)
        return bisect.bisect_left(self.chat_cum, self.rng.random() * self.chat_cum[-1])

    def _need_text(self, need: PlantedNeed, facet: str) -> str:
        rng, slots = self.rng, need.slot_values()
        text = ""
        for _ in range(6):  # re-roll exact duplicates: real people rarely repeat each other verbatim
            template = rng.choice(need.templates if facet == "specific" else FACETS[facet])
            text = template.format_map({k: rng.choice(v) for k, v in slots.items()})
            if facet != "agree" and "求助" not in text and rng.random() < 0.2:
                text = rng.choice(_PREFIX) + text
            if not text.endswith(("？", "]", "吗")):
                text += rng.choice(_SUFFIX)
            elif text.endswith("？") and rng.random() < 0.2:
                text += "？"
            if text not in self.used:
                break
        self.used.add(text)
        return text

    # ------------------------------------------------------------------ need episodes
    def episode(self, need: PlantedNeed) -> None:
        """Voice one need as fragments by 1-4 speakers, with replies, +1s and answers around them."""
        rng = self.rng
        chat = self._chat_for(need.domain)
        members = self.members[chat]
        t = self._time()
        n_speakers = rng.choices((1, 2, 3, 4), (0.3, 0.35, 0.25, 0.1))[0]
        speakers: list[_Person] = []
        voiced: list[_Msg] = []
        for i in range(n_speakers):
            speaker = members.pick(rng, flat=True, exclude=speakers)
            speakers.append(speaker)
            facets = rng.choices(_FIRST, _FIRST_W)[0] if i == 0 else rng.choices(_LATER, _LATER_W)[0]
            reply = rng.choice(voiced) if voiced and rng.random() < 0.45 else None
            t += rng.uniform(60, 1800) if i else 0
            for j, facet in enumerate(facets):
                if self.need_left <= 0:
                    return
                t += rng.uniform(5, 90) if j else 0
                for part in self._split(self._need_text(need, facet)):
                    msg = self._emit(chat, t, speaker, part, "need", need.key, reply if j == 0 else None)
                    voiced.append(msg)
                    t += rng.uniform(3, 40)
                self._reactions(chat, msg, facet, need.domain, speakers)

    def _split(self, text: str) -> list[str]:
        """Sometimes send one thought as two consecutive messages, split at the first comma."""
        head, sep, tail = text.partition("，")
        if sep and len(head) >= 6 and len(tail) >= 4 and not head.startswith("问下") and self.need_left >= 2 and self.rng.random() < 0.14:
            return [head, tail]
        return [text]

    def _reactions(self, chat: int, msg: _Msg, facet: str, domain: str, speakers: list[_Person]) -> None:
        rng, members = self.rng, self.members[chat]
        if self.noise_left > 0 and rng.random() < 0.2:
            who = members.pick(rng, exclude=[msg.sender])
            self._emit(chat, msg.t + rng.uniform(20, 3600), who, rng.choice(nz.ENDORSE), "endorse", reply=msg)
        if facet == "question" and self.noise_left > 0 and rng.random() < 0.6:
            who = members.pick(rng, exclude=speakers)
            answer = self._emit(chat, msg.t + rng.uniform(60, 2400), who, rng.choice(nz.ANSWERS[domain]), "answer", reply=msg)
            if self.noise_left > 0 and rng.random() < 0.5:
                self._emit(chat, answer.t + rng.uniform(30, 900), msg.sender, rng.choice(nz.THANKS), "thanks", reply=answer)

    # ------------------------------------------------------------------ standalone noise
    def noise_event(self) -> None:
        """Emit one noise event (a message, a short chit-chat thread or a red packet with thanks)."""
        rng = self.rng
        kind = rng.choices(_NOISE_KINDS, _NOISE_WEIGHTS)[0]
        chat = bisect.bisect_left(self.chat_cum, rng.random() * self.chat_cum[-1])
        domain, members = self.chats[chat].domain, self.members[chat]
        if kind == "greeting":
            bank, hours = rng.choices(((nz.MORNING, (6, 9)), (nz.NIGHT, (22, 23)), (nz.NOON, (11, 12)), (nz.ANYTIME, None)), (5, 4, 1.2, 1))[0]
            self._emit(chat, self._time(hours), members.pick(rng), rng.choice(bank), "greeting")
        elif kind == "thread":
            self._thread(chat, domain)
        elif kind == "red_packet":
            boss = members.pick(rng)
            packet = self._emit(chat, self._time(), boss, rng.choice(nz.RED_PACKET), "red_packet")
            t = packet.t
            for _ in range(rng.randint(0, 3)):
                if self.noise_left <= 0:
                    break
                t += rng.uniform(5, 240)
                self._emit(chat, t, members.pick(rng, exclude=[boss]), rng.choice(nz.RED_PACKET_THANKS), "thanks", reply=packet if rng.random() < 0.5 else None)
        elif kind == "ad":
            text = rng.choice(nz.ADS).format_map(nz.personal_fields(rng, domain))
            self._emit(chat, self._time(), rng.choice(members.spammers), text, "ad")
        elif kind == "personal":
            text = rng.choice(nz.PERSONAL).format_map(nz.personal_fields(rng, domain))
            self._emit(chat, self._time(), members.pick(rng), text, "personal")
        else:
            self._emit(chat, self._time(), members.pick(rng), self._noise_text(kind, domain), kind)

    def _noise_text(self, kind: str, domain: str) -> str:
        rng = self.rng
        if kind == "sticker":
            return rng.choice(nz.STICKERS)
        if kind == "praise":
            return rng.choice(nz.PRAISE[domain])
        if kind == "checkin":
            return nz.checkin(rng, domain)
        bank = nz.DOMAIN_CHAT[domain] if rng.random() < 0.45 else nz.GENERAL_CHAT
        return rng.choice(bank) + (rng.choice(_SUFFIX) if rng.random() < 0.25 else "")

    def _thread(self, chat: int, domain: str) -> None:
        rng, members = self.rng, self.members[chat]
        people = [members.pick(rng)]
        people.append(members.pick(rng, exclude=people))
        t, prev = self._time(), None
        for i in range(rng.randint(2, 5)):
            if self.noise_left <= 0:
                return
            kind = "sticker" if rng.random() < 0.2 else "chat"
            reply = prev if prev is not None and rng.random() < 0.3 else None
            prev = self._emit(chat, t, people[i % 2] if rng.random() < 0.8 else members.pick(rng), self._noise_text(kind, domain), kind, reply=reply)
            t += rng.uniform(10, 300)

    # ------------------------------------------------------------------ scripted messages
    def script(self, script: Sequence[ScriptedMessage], start: datetime) -> None:
        """Place scripted messages verbatim; labels map to distinct members of each chat."""
        by_name = {c.name: i for i, c in enumerate(self.chats)}
        people: dict[tuple[int, str], _Person] = {}
        placed: list[_Msg] = []
        for k, item in enumerate(script):
            if item.chat not in by_name:
                raise ValueError(f"ScriptedMessage {k}: unknown chat {item.chat!r}; expected one of {sorted(by_name)}")
            chat = by_name[item.chat]
            t = (item.time - start).total_seconds()
            if not 0 <= t < self.seconds:
                raise ValueError(f"ScriptedMessage {k}: time {item.time.isoformat()} is outside the generated period")
            if (chat, item.speaker) not in people:
                taken = [p for (c, _), p in people.items() if c == chat]
                people[chat, item.speaker] = self.members[chat].pick(self.rng, flat=True, exclude=taken)
            reply = placed[item.reply_to] if item.reply_to is not None else None
            kind = "need" if item.need else item.kind
            placed.append(self._emit(chat, t, people[chat, item.speaker], item.text, kind, item.need, reply))
            self.scripted.add(placed[-1].seq)
            self.used.add(item.text)


def generate(n_messages: int, n_groups: int = 3, *, seed: int = 0, noise_rate: float = 0.75,
             start: datetime | None = None, days: int = 28, needs: Sequence[PlantedNeed] | None = None,
             script: Sequence[ScriptedMessage] = ()) -> list[dict]:
    """Generate a synthetic multi-group chat corpus with planted scenario needs.

    Args:
        n_messages: Exact number of messages to produce.
        n_groups: Number of group chats (domains cycle 美妆/护肤, 母婴, 跑步/健身).
        seed: Seed of the single random generator; equal arguments give equal output.
        noise_rate: Share of messages that voice no planted need (greetings, stickers, ads,
            chit-chat, +1s, answers …). The need share is ``round(n * (1 - noise_rate))`` exactly.
        start: Aware start of the period (default 2026-09-01 00:00 +08:00).
        days: Length of the period in days.
        needs: Planted needs to voice (default: the full catalogue :data:`NEEDS`).
        script: Messages to place verbatim (they count towards ``n_messages``).

    Returns:
        Generic-JSONL records grouped by chat and sorted by time within a chat:
        ``id, chat, sender, sender_name, time, text`` and optional ``reply_to``, plus the
        private keys ``_need`` (planted need key or None), ``_kind`` and ``_slug`` that
        :func:`write_jsonl` strips.

    Raises:
        ValueError: On out-of-range arguments or an invalid script.
    """
    start = DEFAULT_START if start is None else start
    needs = NEEDS if needs is None else tuple(needs)
    _validate(n_messages, n_groups, noise_rate, start, days, needs, script)
    rng = random.Random(seed)
    chats = default_chats(n_groups)
    gen = _Generator(rng, chats, needs, n_messages, days * 86400.0)
    gen.need_left = round(n_messages * (1.0 - noise_rate))
    gen.noise_left = n_messages - gen.need_left
    gen.script(script, start)
    popularity = [need.popularity for need in needs]
    queue = list(needs)  # one episode per need first, so that small corpora still cover every need
    while gen.need_left > 0:
        gen.episode(queue.pop(0) if queue else rng.choices(needs, popularity)[0])
    while gen.noise_left > 0:
        gen.noise_event()
    while gen.noise_left < 0 or gen.need_left < 0:  # a script larger than its budget: trim generated noise
        _drop_one(gen, need=gen.need_left < 0)
    return _records(gen.msgs, chats, start)


def _validate(n_messages: int, n_groups: int, noise_rate: float, start: datetime, days: int,
              needs: Sequence[PlantedNeed], script: Sequence[ScriptedMessage]) -> None:
    if not isinstance(n_messages, int) or n_messages < 0:
        raise ValueError(f"n_messages must be an int >= 0. Got {n_messages!r} instead.")
    if not isinstance(n_groups, int) or n_groups < 1:
        raise ValueError(f"n_groups must be an int >= 1. Got {n_groups!r} instead.")
    if not 0.0 <= noise_rate <= 1.0:
        raise ValueError(f"noise_rate must be in [0, 1]. Got {noise_rate!r} instead.")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware, e.g. datetime(2026, 9, 1, tzinfo=bench.synth.CST)")
    if days < 1:
        raise ValueError(f"days must be >= 1. Got {days!r} instead.")
    if not needs and round(n_messages * (1.0 - noise_rate)) > 0:
        raise ValueError("needs is empty but noise_rate < 1 asks for need messages; pass needs or noise_rate=1.0")
    if len(script) > n_messages:
        raise ValueError(f"script has {len(script)} messages, more than n_messages={n_messages}")
    for item in script:
        if item.need is not None and item.need not in {n.key for n in needs}:
            raise ValueError(f"ScriptedMessage need {item.need!r} is not among the planted needs")


def _drop_one(gen: _Generator, *, need: bool) -> None:
    """Remove the last generated (non-scripted, unreferenced) message of the given class."""
    referenced = {id(m.reply) for m in gen.msgs if m.reply is not None}
    for i in range(len(gen.msgs) - 1, -1, -1):
        msg = gen.msgs[i]
        if (msg.need is not None) == need and id(msg) not in referenced and msg.seq not in gen.scripted:
            del gen.msgs[i]
            if need:
                gen.need_left += 1
            else:
                gen.noise_left += 1
            return
    raise ValueError("script does not fit the noise_rate budget")


def _records(msgs: list[_Msg], chats: list[ChatSpec], start: datetime) -> list[dict]:
    by_chat: dict[int, list[_Msg]] = defaultdict(list)
    for msg in msgs:
        by_chat[msg.chat].append(msg)
    ids: dict[int, str] = {}
    records: list[dict] = []
    for chat_index, chat in enumerate(chats):
        ordered = sorted(by_chat[chat_index], key=lambda m: (m.t, m.seq))
        for n, msg in enumerate(ordered, 1):
            ids[id(msg)] = f"{chat.prefix}-{n:06d}"
        for msg in ordered:
            record = {
                "id": ids[id(msg)],
                "chat": chat.name,
                "sender": msg.sender.id,
                "sender_name": msg.sender.name,
                "time": (start + timedelta(seconds=int(msg.t))).isoformat(timespec="seconds"),
                "text": msg.text,
            }
            if msg.reply is not None:
                record["reply_to"] = ids[id(msg.reply)]
            record.update(_need=msg.need, _kind=msg.kind, _slug=chat.slug)
            records.append(record)
    return records


def _slugify(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name).strip("_") or "chat"


def write_jsonl(records: Sequence[dict], folder: str | Path) -> list[Path]:
    """Write records as generic JSONL, one ``<chat-slug>.jsonl`` file per chat.

    Private keys (starting with ``_``) are stripped; the truth belongs in a separate file
    (see :func:`truth`).

    Args:
        records: Output of :func:`generate` (or any generic-JSONL dicts with a ``chat`` key).
        folder: Output folder; created if missing. Existing files of the same name are overwritten.

    Returns:
        The written paths, in chat order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {}
    for record in records:
        slug = record.get("_slug") or _slugify(str(record.get("chat", "chat")))
        public = {k: v for k, v in record.items() if not k.startswith("_")}
        lines.setdefault(slug, []).append(json.dumps(public, ensure_ascii=False))
    paths = []
    for slug, chat_lines in lines.items():
        path = folder / f"{slug}.jsonl"
        path.write_text("\n".join(chat_lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def truth(records: Sequence[dict], needs: Sequence[PlantedNeed] | None = None) -> dict:
    """Build the ground-truth document for generated records.

    Args:
        records: Output of :func:`generate` (with the private ``_need`` / ``_kind`` keys).
        needs: Catalogue to take titles from (default :data:`NEEDS`).

    Returns:
        ``{"n_messages", "chats", "noise_share", "kinds", "needs": {key: {"title", "domain",
        "persona", "scene", "message_ids", "endorsement_ids", "speakers", "days", "chats"}}}``.
        ``endorsement_ids`` are the bare "+1"/同求 replies to the need's messages (noise, but
        evidence of how many people share it).
    """
    catalogue = {n.key: n for n in (NEEDS if needs is None else needs)}
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        if record.get("_need"):
            grouped[record["_need"]].append(record)
    out_needs = {}
    for key, items in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
        need, ids = catalogue.get(key), {r["id"] for r in items}
        endorse = [r["id"] for r in records if r.get("_kind") == "endorse" and r.get("reply_to") in ids]
        out_needs[key] = {
            "title": need.title if need else key,
            "domain": need.domain if need else "",
            "persona": need.persona if need else "",
            "scene": need.scene if need else "",
            "message_ids": [r["id"] for r in items],
            "endorsement_ids": endorse,
            "speakers": len({r["sender"] for r in items}),
            "days": len({r["time"][:10] for r in items}),
            "chats": sorted({r["chat"] for r in items}),
        }
    noise = sum(1 for r in records if not r.get("_need"))
    return {
        "n_messages": len(records),
        "chats": dict(Counter(r["chat"] for r in records)),
        "noise_share": round(noise / len(records), 4) if records else 0.0,
        "kinds": dict(Counter(r.get("_kind", "") for r in records).most_common()),
        "needs": out_needs,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000, help="exact number of messages (default 10000)")
    parser.add_argument("--groups", type=int, default=3, help="number of group chats (default 3)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the <chat>.jsonl files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise-rate", type=float, default=0.75)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--start", type=datetime.fromisoformat, default=None, help="ISO start, e.g. 2026-09-01T00:00:00+08:00")
    parser.add_argument("--truth", type=Path, default=None, help="truth file (default: <out>/../<out name>.truth.json)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    truth_path = (args.truth or out.parent / f"{out.name}.truth.json").resolve()
    if truth_path.is_relative_to(out):
        parser.error(f"--truth {truth_path} must not be inside the input folder {out}")
    start = args.start
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=CST)
    try:
        records = generate(args.messages, args.groups, seed=args.seed, noise_rate=args.noise_rate, start=start, days=args.days)
    except ValueError as exc:
        parser.error(str(exc))
    paths = write_jsonl(records, out)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps(truth(records), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} messages to {len(paths)} files in {out}; truth: {truth_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
