"""Message → CleanMessage: normalise, redact (names included), pseudonymise speakers and @mentions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from needminer.config import TextConfig
from needminer.text._names import _CJK_RE, _COMPOUND_SURNAMES, _name_shaped, is_common_word, is_whole_word
from needminer.text._normalize import normalize
from needminer.text._pseudonym import Pseudonymizer
from needminer.text._redact import NAME, redact
from needminer.types import CleanMessage, Message

UNKNOWN_MENTION = "@某成员"
# A known member @mentioned in a text: one constant word, never the pseudonym. The pseudonym hangs
# on a per-workspace secret, and a hash inside the text would change the embeddings and so the
# needs from one workspace to the next (``CleanMessage.mentions`` keeps who).
MEMBER_IN_TEXT = "成员"
# "@所有人" addresses the whole group, not a member: kept as it is.
_BROADCAST = frozenset({"所有人", "全体成员", "全体", "all", "All", "ALL", "everyone", "here", "channel"})
# Characters that end an unresolved "@name" (WeChat puts U+2005 after a mention; normalize makes it " ").
_MENTION_END = frozenset(" \n\t@[]【】，。！？：；、,.!?:;()（）\"'“”‘’<>《》~～…")
_MAX_MENTION = 16
# Characters before "@" that make it part of an e-mail address or handle, not a mention.
_EMAIL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
# Placeholders and emoticon codes ("[手机号]", "[捂脸]"): a member called "手机" must not touch them.
_BRACKET_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
_CACHE_MAX = 50_000


_CARD_SEP_RE = re.compile(r"[-－—_|｜/／·・•\s()（）【】\[\]<>《》]+")


def display_name_parts(display: str) -> list[str]:
    """The person names inside a group card: QQ and WeChat groups ask members to set their card to
    "专业-姓名" or "城市 姓名", and the group then calls them by the name alone ("找贾志远", "晓亮，你也来").

    Returns the name-shaped parts (a surname and one or two ideographs) and, for a surname with two
    more ideographs, the given name after it; never the whole card, never an ordinary word.

        >>> display_name_parts("大数据-贾志远")
        ['贾志远', '志远']
        >>> display_name_parts("小美")
        []
    """
    parts = [p for p in _CARD_SEP_RE.split(display) if p]
    if len(parts) < 2:
        return []
    out: list[str] = []
    for part in parts:
        if not _CJK_RE.fullmatch(part) or not _name_shaped(part) or is_common_word(part):
            continue
        out.append(part)
        surname = 2 if part[:2] in _COMPOUND_SURNAMES else 1
        given = part[surname:]
        if len(given) == 2 and not is_common_word(given):
            out.append(given)
    return out


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class _NameIndex:
    """Known display names (and sender keys, for @mentions) → sender key."""

    def __init__(self, mention_names: dict[str, str], plain_names: dict[str, str]) -> None:
        self.mention = mention_names
        self.plain = plain_names
        # Distinct name lengths, longest first: a match is a few dict look-ups however many members.
        self.mention_lengths = sorted({len(n) for n in mention_names}, reverse=True)
        self.plain_lengths = sorted({len(n) for n in plain_names}, reverse=True)
        # A display name that is an ordinary word (推车, 宝宝, 小雨) is never taken out of a text.
        self.distinct = {n for n in plain_names if not is_common_word(n)}
        chars = "".join(sorted({n[0] for n in plain_names}))
        self.candidates = re.compile("[@" + re.escape(chars) + "]") if chars else re.compile("@")

    @classmethod
    def build(cls, messages: Iterable[Message], normal: Callable[[str], str],
              redacted: Callable[[str], str]) -> _NameIndex:
        mention: dict[str, str] = {}
        plain: dict[str, str] = {}
        seen: set[tuple[str, str]] = set()
        for m in messages:
            if (m.sender, m.sender_name) in seen:
                continue
            seen.add((m.sender, m.sender_name))
            key = m.sender.strip()
            if key and not any(c.isspace() for c in key):
                mention.setdefault(key, m.sender)  # "@wxid_…" / Telegram "@username"
            # Without a display name the key is the name (ingesters fall back to it); a numeric
            # key (QQ number) is not, and replacing "1001" in text would eat prices.
            raw = m.sender_name.strip() or ("" if key.isdigit() else key)
            if not raw:
                continue
            # As written, as normalised, and as redacted ("小美13800001234" is "小美[手机号]" in a
            # redacted text) unless redaction took the whole name as a person's.
            for name in {raw, normal(raw), redacted(raw)}:
                if name and NAME not in name:  # first sender seen with a display name keeps it
                    mention.setdefault(name, m.sender)
                    if len(name) >= 2:
                        plain.setdefault(name, m.sender)
            # "大数据-贾志远": the group calls them 贾志远 or 志远 in plain text
            for name in display_name_parts(normal(raw)):
                plain.setdefault(name, m.sender)
        return cls(mention, plain)

    @staticmethod
    def _match(text: str, pos: int, names: dict[str, str], lengths: list[int]) -> str | None:
        for n in lengths:
            end = pos + n
            if end > len(text):
                continue
            name = text[pos:end]
            if name in names and not (
                _is_ascii_alnum(name[-1]) and end < len(text) and _is_ascii_alnum(text[end])
            ):
                return name
        return None

    def rewrite(self, text: str, alias: Callable[[str], str], replace: bool,
                constant: bool = True) -> tuple[str, tuple[str, ...]]:
        """Resolve @mentions and names in ``text``.

        Returns the text with @mentions of known members as ``@成员`` and unknown @names as
        ``@某成员`` (unchanged when ``replace`` is false), and the aliases of the resolved
        @mentions. A known display name met in plain text becomes ``[姓名]`` only where it is
        whole words of the text and not an ordinary word, so a member called 推车 leaves
        ``婴儿推车太重了`` alone. When ``constant`` is false (chat names, which must stay apart)
        every known name becomes its member's alias.
        """
        pos = i = 0
        out: list[str] = []
        mentions: list[str] = []
        protected = [m.span() for m in _BRACKET_RE.finditer(text)] if "[" in text else []
        while (m := self.candidates.search(text, i)) is not None:
            j = m.start()
            i = j + 1
            if any(s <= j < e for s, e in protected):
                continue
            if text[j] == "@":
                if j and text[j - 1] in _EMAIL_CHARS:
                    continue
                name = self._match(text, j + 1, self.mention, self.mention_lengths)
                if name is not None:
                    who = alias(self.mention[name])
                    mentions.append(who)
                    token, end = "@" + (MEMBER_IN_TEXT if replace and constant else who), j + 1 + len(name)
                else:
                    end = j + 1
                    while end < len(text) and end - j <= _MAX_MENTION and text[end] not in _MENTION_END:
                        end += 1
                    if end == j + 1 or text[j + 1 : end] in _BROADCAST:
                        i = end
                        continue
                    token = UNKNOWN_MENTION
            else:
                if j and _is_ascii_alnum(text[j]) and _is_ascii_alnum(text[j - 1]):
                    continue
                name = self._match(text, j, self.plain, self.plain_lengths)
                if name is None:
                    continue
                end = j + len(name)
                if constant and (name not in self.distinct or not (name.isascii() or is_whole_word(text, j, end))):
                    continue
                token = NAME if constant else alias(self.plain[name])
            out.append(text[pos:j])
            out.append(token)
            pos = i = end
        if not replace or not out:
            return text, tuple(dict.fromkeys(mentions))
        out.append(text[pos:])
        return "".join(out), tuple(dict.fromkeys(mentions))


def clean_messages(
    messages: Iterable[Message], *, secret: bytes, config: TextConfig | None = None
) -> list[CleanMessage]:
    """Run the text stage on a batch of messages.

    Each text (and quote) becomes ``redact(normalize(text))``, which turns person names that the
    name recogniser finds into ``[姓名]``; then @mentions of a display name or sender key seen in
    the same batch become ``@成员`` (their pseudonym goes to ``mentions``), other @names become
    ``@某成员`` (``@所有人`` is kept), and display names of >= 2 characters met in plain text
    become ``[姓名]`` where they are whole words and not ordinary words (a member called 推车 does
    not change ``婴儿推车太重了``). No pseudonym is written into a text, so the text does not
    depend on the workspace's pseudonym secret. The chat name is redacted the same way, and a
    known member's name in it becomes that member's pseudonym (a private chat).

    Args:
        messages: Messages of one or more chats; names are resolved across the whole batch.
        secret: Per-workspace pseudonym secret (non-empty bytes).
        config: Text options (``redact``, ``pseudonymise``, ``traditional_to_simplified``);
            None for the defaults. With ``pseudonymise=False`` speakers and mentions are sender
            keys and names stay in the text.

    Returns:
        One ``CleanMessage`` per input message, in input order.

    Raises:
        ConfigError: ``secret`` is not non-empty bytes.
        MissingDependencyError: Traditional → simplified conversion is on and OpenCC is missing.
    """
    msgs = list(messages)
    return TextCleaner(msgs, secret=secret, config=config)(msgs)


class TextCleaner:
    """The text stage split in two: names are gathered from all the run's messages once, then any
    batch of them is cleaned on its own (``cleaner(batch)``), in any process, with the same result
    as ``clean_messages`` on the whole run. It pickles (the Ray backend sends it to its workers)."""

    def __init__(self, messages: Iterable[Message], *, secret: bytes, config: TextConfig | None = None) -> None:
        self.cfg = config if config is not None else TextConfig()
        self.pseudonym = Pseudonymizer(secret)
        self.names = _NameIndex.build(messages, self._normal, self._base)  # one pass, nothing kept
        self._cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._chats: dict[str, str] = {}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_cache": {}, "_chats": {}}

    def _alias(self, sender: str) -> str:
        return self.pseudonym(sender) if self.cfg.pseudonymise else sender

    def _normal(self, text: str) -> str:
        return normalize(text, t2s=self.cfg.traditional_to_simplified)

    def _base(self, text: str) -> str:
        text = self._normal(text)
        return redact(text) if self.cfg.redact else text

    def _clean(self, text: str) -> tuple[str, tuple[str, ...]]:
        hit = self._cache.get(text)
        if hit is None:  # "+1", "同求", "[捂脸]" … repeat a lot
            hit = self.names.rewrite(self._base(text), self._alias, self.cfg.pseudonymise)
            if len(self._cache) < _CACHE_MAX:
                self._cache[text] = hit
        return hit

    def _chat_name(self, name: str) -> str:  # a private chat named after a member: that member's alias
        if name not in self._chats:
            aliased = self.names.rewrite(self._normal(name), self._alias, self.cfg.pseudonymise, constant=False)[0]
            self._chats[name] = redact(aliased) if self.cfg.redact else aliased
        return self._chats[name]

    def __call__(self, messages: Iterable[Message]) -> list[CleanMessage]:
        out: list[CleanMessage] = []
        for m in messages:
            text, mentions = self._clean(m.text)
            out.append(
                CleanMessage(
                    id=m.id,
                    chat=self._chat_name(m.chat),
                    speaker=self._alias(m.sender),
                    text=text,
                    time=m.time,
                    kind=m.kind,
                    reply_to=m.reply_to,
                    quote=None if m.quote is None else self._clean(m.quote)[0],
                    mentions=mentions,
                )
            )
        return out
