"""Any Hugging Face encoder (local folder or hub id) with attention-masked mean pooling."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import re
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import numpy as np

from needminer.embed._base import Embedder
from needminer.errors import MissingDependencyError, ModelError
from needminer.registry import embedders

# "org/name" or "name": what a hub id looks like (a path that exists is always taken as a path)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                 "pytorch_model.bin.index.json")
_TORCH_HINT = ("Install them, the CPU torch first (else pip takes a CUDA build): "
               "pip install torch --index-url https://download.pytorch.org/whl/cpu && pip install 'needminer[ml]'.")


def import_torch_stack(purpose: str) -> tuple[ModuleType, ModuleType]:
    """Import torch and transformers, or raise ``MissingDependencyError`` with the install command."""
    check_torch_stack(purpose)
    return importlib.import_module("torch"), importlib.import_module("transformers")


def check_torch_stack(purpose: str) -> None:
    """Cheap check (no import) that torch and transformers are installed."""
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingDependencyError(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} needed for {purpose} "
            f"but not installed. {_TORCH_HINT}"
        )


def available_threads() -> int:
    """CPU cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:  # containers: "200000 100000" = 2 cores' worth of time; "max 100000" = no quota
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, -(-int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cores)


@contextmanager
def quiet_transformers(transformers: ModuleType) -> Iterator[None]:
    """Silence transformers' progress bars and load reports for a block, then restore them.

    Our own messages go through ``progress``/``log`` callbacks; a CLI run should not print
    "Loading weights" bars or a missing-pooler report for a pooler we never use.
    """
    tlog = transformers.utils.logging
    verbosity, bars = tlog.get_verbosity(), tlog.is_progress_bar_enabled()
    tlog.set_verbosity_error()
    tlog.disable_progress_bar()
    try:
        yield
    finally:
        tlog.set_verbosity(verbosity)
        if bars:
            tlog.enable_progress_bar()


def _fingerprint(folder: Path) -> str:
    """Short hash of a model folder's config and weight files (name, size, mtime).

    Part of the cache key, so that vectors of a model replaced in place are never reused.
    """
    h = hashlib.sha1()
    config = folder / "config.json"
    if config.is_file():
        h.update(config.read_bytes())
    for name in _WEIGHT_FILES:
        path = folder / name
        if path.is_file():
            st = path.stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:10]


@embedders.register("hf.v1", aliases=("hf",))
class HFEmbedder(Embedder):
    """A transformers encoder from a local folder (or, only when named, a hub id).

    Texts are tokenised once, sorted by length and run in batches of similar length (less
    padding), pooled by attention-masked mean and returned in input order.

    Args:
        model: A local model folder, or a hub id such as ``"intfloat/multilingual-e5-small"``
            (downloaded by transformers only when it is not cached; fails offline).
        batch_size: Texts per forward pass.
        threads: torch intra-op threads; 0 uses every core available to this process.
        prefix: Prepended to every text (e5 models want ``"query: "``); None = the prefix a folder
            made by ``needminer tune`` was trained with (its ``needminer-tune.json``), else none.
        max_length: Longer texts are truncated to this many tokens.

    Raises:
        ModelError: ``model`` names a path that does not exist or is not a model folder.
    """

    VERSION = "hf.v1"

    def __init__(self, model: str | Path, *, batch_size: int = 32, threads: int = 0,
                 prefix: str | None = None, max_length: int = 256) -> None:
        self.model = str(model)
        self.batch_size = batch_size
        self.threads = threads
        self.prefix = folder_prefix(Path(self.model).expanduser()) if prefix is None else prefix
        self.max_length = max_length
        self._model: Any = None
        self._tokenizer: Any = None
        self._torch: Any = None
        self._max_tokens = max_length
        self.model_id = f"{self.VERSION}:{self.model}{self._prefix_tag()}"
        self.dim = 0

    # -- locating and loading ---------------------------------------------------------
    def _locate(self) -> tuple[str, bool]:
        """Return (name for from_pretrained, local_files_only)."""
        path = Path(self.model).expanduser()
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise ModelError(f"'{path}' is a folder but not a Hugging Face model folder (no "
                                 "config.json). Pass a folder saved with save_pretrained.")
            return str(path.resolve()), True
        if path.exists():
            raise ModelError(f"'{path}' is a file; expected a Hugging Face model folder "
                             "(config.json, weights, tokenizer files).")
        if _HUB_ID.match(self.model) and ".." not in self.model:
            return self.model, False
        raise ModelError(f"Model folder '{path}' does not exist. Pass an existing local model "
                         "folder: --embedder hf:/path/to/model")

    def _prefix_tag(self) -> str:
        # the prefix changes every vector: an embedding cache or a need model must not mix the two
        return f"|prefix={self.prefix.strip()}" if self.prefix else ""

    def check(self) -> None:
        """Fail fast (no weights loaded): dependencies present, folder found; sets model_id, dim."""
        check_torch_stack(f"the embedder '{self.model_id}'")
        name, local = self._locate()
        if local:
            folder = Path(name)
            self.model_id = f"{self.VERSION}:{folder}#{_fingerprint(folder)}{self._prefix_tag()}"
            try:
                cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ModelError(f"Cannot read '{folder / 'config.json'}': {exc}.") from exc
            self.dim = int(cfg.get("hidden_size") or cfg.get("d_model") or cfg.get("dim") or 0)

    def load(self) -> HFEmbedder:
        """Load tokenizer and model (once). Returns self.

        Raises:
            MissingDependencyError: torch or transformers is missing.
            ModelError: The model cannot be found or loaded.
        """
        if self._model is not None:
            return self
        self.check()
        torch, transformers = import_torch_stack(f"the embedder '{self.model_id}'")
        name, local = self._locate()
        try:
            tokenizer, model = self._load_pair(transformers, name, local=True)
        except Exception as exc:  # transformers raises OSError, ValueError, HTTP errors …
            if local:
                raise ModelError(f"Failed while loading the model folder '{name}'.\n{exc}") from exc
            tokenizer, model = self._download(transformers, name)
        model.eval()
        self._torch, self._tokenizer, self._model = torch, tokenizer, model
        self.dim = int(getattr(model.config, "hidden_size", 0) or self.dim)
        # never feed more tokens than the model has positions for (huge = "no limit set")
        model_max = getattr(tokenizer, "model_max_length", None) or 10**9
        self._max_tokens = min(self.max_length, model_max) if model_max < 10**6 else self.max_length
        return self

    def _load_pair(self, transformers: ModuleType, name: str, *, local: bool) -> tuple[Any, Any]:
        with quiet_transformers(transformers):
            return (self._load_tokenizer(transformers, name, local),
                    self._load_model(transformers, name, local))

    def _download(self, transformers: ModuleType, name: str) -> tuple[Any, Any]:
        """Hub id not in the local cache: download it, failing fast when the hub is unreachable."""
        not_here = (f"Model '{name}' could not be found locally (it is not a folder here and not in "
                    "the Hugging Face cache)")
        fix = "Pass a local model folder instead: --embedder hf:/path/to/model"
        if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes", "on"}:
            raise ModelError(f"{not_here} and HF_HUB_OFFLINE is set. {fix}")
        host = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co").hostname or ""
        try:
            # one quick probe instead of huggingface_hub's ~25 s of retries per file when offline
            socket.create_connection((host, 443), timeout=5).close()
        except OSError as exc:
            raise ModelError(f"{not_here} and the hub ({host}) cannot be reached: {exc}. {fix}") from exc
        try:
            return self._load_pair(transformers, name, local=False)
        except Exception as exc:
            raise ModelError(f"{not_here} and could not be downloaded. {fix}\n"
                             f"{type(exc).__name__}: {exc}") from exc

    def _load_tokenizer(self, transformers: ModuleType, name: str, local: bool) -> Any:
        return transformers.AutoTokenizer.from_pretrained(name, local_files_only=local)

    def _load_model(self, transformers: ModuleType, name: str, local: bool) -> Any:
        return transformers.AutoModel.from_pretrained(name, local_files_only=local)

    # -- encoding -------------------------------------------------------------------------
    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        torch = self._torch
        torch.set_num_threads(self.threads or available_threads())
        enc = self._tokenizer([self.prefix + t for t in texts], truncation=True,
                              max_length=self._max_tokens, padding=False)
        ids: list[list[int]] = enc["input_ids"]
        pad = self._tokenizer.pad_token_id or 0
        order = np.argsort([len(x) for x in ids], kind="stable")
        out: np.ndarray | None = None
        with torch.inference_mode():
            for start in range(0, len(ids), self.batch_size):
                idx = order[start : start + self.batch_size]
                width = max(len(ids[i]) for i in idx)
                input_ids = np.full((len(idx), width), pad, dtype=np.int64)
                mask = np.zeros((len(idx), width), dtype=np.int64)
                for row, i in enumerate(idx):
                    input_ids[row, : len(ids[i])] = ids[i]
                    mask[row, : len(ids[i])] = 1
                pooled = self._forward(torch.from_numpy(input_ids), torch.from_numpy(mask))
                if out is None:
                    out = np.empty((len(ids), pooled.shape[1]), dtype=np.float32)
                out[idx] = pooled
        assert out is not None
        return out

    def _forward(self, input_ids: Any, mask: Any) -> np.ndarray:
        """Attention-masked mean of the last hidden states."""
        hidden = self._model(input_ids=input_ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
        return pooled.float().numpy()


TUNE_INFO = "needminer-tune.json"  # written by ``needminer tune`` into the folders it saves


def folder_prefix(folder: Path) -> str:
    """The text prefix a model folder made by ``needminer tune`` was trained with ("" otherwise)."""
    info = folder / TUNE_INFO
    if not info.is_file():
        return ""
    try:
        prefix = json.loads(info.read_text(encoding="utf-8")).get("prefix", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return prefix if isinstance(prefix, str) else ""
