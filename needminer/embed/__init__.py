"""Embed stage: texts → L2-normalised float32 vectors (n, d), cached per (model id, text hash).

Embedders are registered by versioned name in ``needminer.registry.embedders``:

=================  ===========  ==========================================================
name               alias        what
=================  ===========  ==========================================================
``e5-small-int8``  e5-small,    multilingual-e5-small (384 d) with int8 weights on ONNX
``.v2``            e5-small-    Runtime, activations per token row (default; faster on CPU,
                   int8         batch-independent, the quality gate in README "Speed")
``e5-small.v1``    e5-small-    the same model in fp32 via transformers: the exact path
                   fp32
``use-m3.v1``      lite         USE-multilingual-v3 in numpy (512 d, fast, no torch)
``hf.v1``          hf:<model>   any local HF folder (or a hub id, when named) + mean pooling
``hashing.v1``     hashing      char n-gram hashing (256 d), for unit tests only
=================  ===========  ==========================================================

Names joined with ``+`` (``"e5-small+lite"``) concatenate embedders (``ConcatEmbedder``).

torch and transformers are imported only when a torch model is loaded, so importing this
package is fast and ``lite`` / ``hashing`` work without torch.
"""

from __future__ import annotations

from pathlib import Path

from needminer.embed._base import Embedder
from needminer.embed._cache import embed_with_cache
from needminer.embed._concat import ConcatEmbedder
from needminer.embed._e5 import (E5Int8Embedder, E5SmallEmbedder, build_e5_small, build_e5_small_int8,
                                 resolve_models_dir)
from needminer.embed._hashing import HashingEmbedder
from needminer.embed._hf import HFEmbedder, available_threads, check_torch_stack, quiet_transformers
from needminer.embed._lite import LiteEmbedder
from needminer.errors import ConfigError, UnknownComponentError
from needminer.registry import embedders

DEFAULT_EMBEDDER = "e5-small"
HF_PREFIX = "hf:"


def available_embedders() -> list[str]:
    """Every accepted embedder name: versioned names, aliases and the ``hf:<model>`` form."""
    aliases = embedders.aliases()
    names = []
    for name in embedders.names():
        if embedders.get(name) is HFEmbedder:
            names.append(f"{name} ({HF_PREFIX}<local model folder or hub id>)")
            continue
        short = [a for a, target in aliases.items() if target == name]
        names.append(f"{name} ({', '.join(short)})" if short else name)
    return names


def get_embedder(name: str = DEFAULT_EMBEDDER, *, models_dir: str | Path | None = None,
                 batch_size: int = 32, threads: int = 0) -> Embedder:
    """Create the embedder called ``name`` and check (cheaply) that it can run.

    Nothing heavy happens here: weights are loaded (and e5-small is built into
    ``models_dir/e5-small`` on first use, once per user) by the first ``embed`` call or by ``load()``.

    Args:
        name: ``"e5-small"`` (default), ``"lite"``, ``"hashing"``, ``"hf:<folder or hub id>"``
            or a versioned registry name such as ``"e5-small.v1"``.
        models_dir: Folder that holds built model folders; None or "" (default) is the
            per-user ``$NEEDMINER_HOME/models`` (``needminer.store.models_home``).
        batch_size: Texts per forward pass (torch models).
        threads: CPU threads; 0 uses every core available to this process.

    Returns:
        An ``Embedder``.

    Raises:
        UnknownComponentError: ``name`` is not registered (the message lists what is).
        ConfigError: ``batch_size`` or ``threads`` is out of range, or ``hf:`` has no model.
        MissingDependencyError: A package the embedder needs is not installed.
        ModelError: An ``hf:`` folder does not exist or is not a model folder.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be an int >= 1. Got {batch_size!r} instead.")
    if not isinstance(threads, int) or threads < 0:
        raise ConfigError(f"threads must be an int >= 0 (0 = all cores). Got {threads!r} instead.")
    if "+" in name and not _one_hf_path(name):
        parts = [p.strip() for p in name.split("+")]
        if len(parts) < 2 or not all(parts):
            raise ConfigError(f"A combined embedder is written like e5-small+lite. Got {name!r} instead.")
        return ConcatEmbedder(
            [get_embedder(p, models_dir=models_dir, batch_size=batch_size, threads=threads) for p in parts]
        )
    if name.startswith(HF_PREFIX) or name in ("hf", "hf.v1"):
        model = name[len(HF_PREFIX):].strip() if name.startswith(HF_PREFIX) else ""
        if not model:
            raise ConfigError(f"The embedder '{name}' needs a model: use hf:<local model folder> "
                              "(or hf:<hub id>, which needs network).")
        embedder: Embedder = HFEmbedder(model, batch_size=batch_size, threads=threads)
    else:
        if name not in embedders:
            raise UnknownComponentError(f"Unknown embedder '{name}'. Available embedders: "
                                        f"{', '.join(available_embedders())}.")
        factory = embedders.get(name)
        embedder = factory(models_dir=models_dir, batch_size=batch_size, threads=threads)
    check = getattr(embedder, "check", None)
    if callable(check):
        check()
    return embedder


def _one_hf_path(name: str) -> bool:
    """``hf:`` + a folder whose own name holds a ``+`` (a single embedder, not ``hf:FOLDER+lite``)."""
    if not name.startswith(HF_PREFIX):
        return False
    from pathlib import Path

    return Path(name[len(HF_PREFIX):].strip()).expanduser().exists()


__all__ = [
    "available_threads",
    "DEFAULT_EMBEDDER",
    "ConcatEmbedder",
    "E5Int8Embedder",
    "E5SmallEmbedder",
    "Embedder",
    "HFEmbedder",
    "HashingEmbedder",
    "LiteEmbedder",
    "available_embedders",
    "build_e5_small",
    "build_e5_small_int8",
    "check_torch_stack",
    "embed_with_cache",
    "get_embedder",
    "quiet_transformers",
    "resolve_models_dir",
]
