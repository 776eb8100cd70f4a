"""Expanding input paths into files and telling which format each file is in (content sniffing)."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from needminer.errors import IngestError
from needminer.ingest._base import Probe, Reader, SourceFile, disk_file, zip_member
from needminer.ingest._encoding import HEAD_BYTES, clean, detect_encoding
from needminer.ingest._limits import DEFAULT_LIMITS, IngestLimits, check_zip_members, check_zip_size
from needminer.registry import ingesters

# Files that sit next to exports but are never chat logs (media folders, docs, databases).
SKIP_SUFFIXES = frozenset(
    ".jpg .jpeg .png .gif .webp .bmp .heic .ico .svg .tgs .mp4 .mov .avi .mkv .webm .mp3 .opus .ogg "
    ".m4a .amr .silk .wav .aac .pdf .doc .docx .xls .xlsx .ppt .pptx .dat .db .sqlite .exe .dll .ttf "
    ".woff .woff2 .css .js .md .py .pyc .vcf .7z .rar .gz .tar .lock".split()
)
SLACK_INDEX = ("channels.json", "groups.json", "dms.json", "mpims.json")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _skip_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    if not base or base.startswith(".") or base.startswith("__MACOSX"):
        return True
    return os.path.splitext(base)[1].lower() in SKIP_SUFFIXES


def _is_slack_dir(path: Path) -> bool:
    return any((path / n).is_file() for n in SLACK_INDEX) and (path / "users.json").is_file()


def _zip_name(info: zipfile.ZipInfo) -> str:
    # Windows zip tools store GBK names without the UTF-8 flag; zipfile then decodes as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _slack_container(display: str, files: dict[str, SourceFile]) -> SourceFile:
    first = next(iter(files.values()))
    return SourceFile(display, display.rstrip("/\\").rsplit("/", 1)[-1], first.opener, members=files)


def _expand_zip(path: str, limits: IngestLimits = DEFAULT_LIMITS) -> Iterator[SourceFile]:
    check_zip_members(path, limits)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(
            f"'{path}' is not a readable zip archive ({type(exc).__name__}). "
            "Re-download or re-zip the export, or pass the extracted folder."
        ) from exc
    names = {_zip_name(i): i.filename for i in infos}
    # only what would be read counts towards the size limit (media next to the export does not)
    check_zip_size(path, [i for i in infos if not _skip_name(_zip_name(i))], limits)
    roots = sorted({n.rsplit("/", 1)[0] + "/" if "/" in n else "" for n in names if n.rsplit("/", 1)[-1] in SLACK_INDEX})
    slack_roots = [r for r in roots if f"{r}users.json" in names]
    for root in slack_roots:
        files = {n[len(root):]: zip_member(path, names[n], n) for n in sorted(names) if n.startswith(root) and n.endswith(".json")}
        yield _slack_container(f"{path}!{root}" if root else path, files)
    for shown in sorted(names):
        if any(shown.startswith(r) for r in slack_roots) or _skip_name(shown):
            continue
        if shown.lower().endswith(".zip"):
            continue  # nested archives are not opened (zip bombs); extract them first
        yield zip_member(path, names[shown], shown)


def _dir_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_dev, st.st_ino)


def _expand_dir(path: Path, limits: IngestLimits, seen: set[tuple[int, int]],
                notes: list[tuple[str, str]] | None) -> Iterator[SourceFile]:
    # ``seen`` holds every folder entered (device, inode): a link back to one (``a -> .``) or a
    # second link to the same folder is skipped and noted instead of walked again, forever
    seen.add(_dir_key(path))
    if _is_slack_dir(path):
        files = {
            str(p.relative_to(path)).replace(os.sep, "/"): disk_file(str(p))
            for p in sorted(path.rglob("*.json"))  # rglob does not follow links to folders
        }
        yield _slack_container(str(path), files)
        return
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            try:
                key = _dir_key(entry)
            except OSError:
                key = None
            if key is None or key in seen:
                if notes is not None:
                    notes.append((str(entry), "a link back to a folder already read (symlink loop); skipped"))
                continue
            yield from _expand_dir(entry, limits, seen, notes)
        elif entry.suffix.lower() == ".zip":
            yield from expand_one(entry, limits=limits)
        elif entry.is_file() and not _skip_name(entry.name):
            yield disk_file(str(entry))


def expand_one(path: Path, *, limits: IngestLimits = DEFAULT_LIMITS,
               notes: list[tuple[str, str]] | None = None) -> Iterator[SourceFile]:
    """Expand one input path (file, folder or .zip) into readable files.

    Args:
        path: The input.
        limits: Zip size and member limits.
        notes: Gets ``(path, reason)`` for folders skipped as symlink loops.

    Raises:
        IngestError: When the zip archive itself cannot be opened.
        LimitError: When a zip exceeds ``limits``.
    """
    if path.is_dir():
        yield from _expand_dir(path, limits, set(), notes)
    elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        yield from _expand_zip(str(path), limits)
    else:
        yield disk_file(str(path))


PARQUET_MAGIC = b"PAR1"


def make_probe(src: SourceFile) -> Probe:
    """Read the head of ``src`` and build the ``Probe`` sniffers look at.

    Raises:
        IngestError: When the file is empty or binary.
    """
    try:
        head = src.head(HEAD_BYTES)
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise IngestError(f"cannot read the file ({type(exc).__name__}); check that it exists and is readable") from exc
    if not head.strip():
        raise IngestError("the file is empty; expected a chat export with at least one message")
    enc = detect_encoding(head)
    text = head.decode(enc, errors="replace")
    if len(head) == HEAD_BYTES and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # drop a line cut by the head limit
    crlf = "\r\n" in text[:4096]
    text = clean(text)
    # only real line breaks: str.splitlines() also breaks at U+2028/U+2029/U+0085, which JSON text may hold
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # as splitlines(): no empty line after the final break
    return Probe(src.name.lower(), src.suffix, text, lines[:200], crlf)


def detect(src: SourceFile) -> str:
    """Return the registry name of the reader for ``src`` (highest sniff score wins).

    Raises:
        IngestError: When the file is empty, binary or matches no known format.
    """
    if src.members:
        return "slack.export.v1"
    if src.suffix == ".parquet" and src.head(4) == PARQUET_MAGIC:  # binary: no text probe
        return "generic.parquet.v1"
    probe = make_probe(src)
    best, score = "", 0.0
    for name, reader in ingesters.items():
        if reader.container:
            continue
        s = reader.sniff(probe)
        if s > score:
            best, score = name, s
    if not best:
        tried = ", ".join(n for n, r in ingesters.items() if not r.container)
        raise IngestError(
            f"unknown format: the content matches none of the known exports (tried {tried}). "
            "Pass --format NAME if you know it, or convert the file to generic JSONL/CSV "
            "with 'text' and 'sender' fields."
        )
    return best


def reader_for(name: str) -> Reader:
    """The registered reader called ``name`` (aliases allowed)."""
    return ingesters.get(name)
