"""Fixtures for the embed tests: sentences, a tiny E5S1 writer and a tiny HF folder.

``e5_models_dir`` (e5-small built once per session, or the one the user already built) comes
from ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from needminer.embed import HashingEmbedder

# the ARCHITECTURE.md example: A and B describe one need, C is unrelated
NEED_A = "早上化妆时间不够，希望底妆又快又服帖"
NEED_B = "赶时间时底妆总弄不均匀"
UNRELATED = "宝宝夜里总是哭闹怎么办"

SENTENCES = [
    NEED_A,
    NEED_B,
    UNRELATED,
    "最近加班多",
    "其实我想要的是“伪素颜”效果，看起来自然但又有气色",
    "这个充电宝太重了，出差带着好累",
    "有没有推荐的降噪耳机？地铁上太吵了",
    "+1",
    "",  # empty text must still give a unit vector
    "同求！" * 120,  # longer than max_length tokens: truncated
]


@pytest.fixture
def sentences() -> list[str]:
    return list(SENTENCES)


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


# -- a tiny E5S1 file (format in docs/MODELS.md) ------------------------------------------------
def q4_encode(nibbles: np.ndarray, scales: np.ndarray) -> bytes:
    """Q4_0 blocks: per block a float16 scale + 16 bytes (low nibble = weight i, high = i+16)."""
    nibbles = nibbles.reshape(-1, 32).astype(np.uint8)
    out = bytearray()
    for block, d in zip(nibbles, scales, strict=True):
        out += np.float16(d).tobytes()
        out += (block[:16] | (block[16:] << 4)).astype(np.uint8).tobytes()
    return bytes(out)


def write_e5s1(path: Path, *, hidden: int = 32, layers: int = 1, heads: int = 2, ffn: int = 64,
               vocab: int = 64, max_pos: int = 16, type_vocab: int = 2, seed: int = 0,
               magic: bytes = b"E5S1", dtype_override: int | None = None) -> dict[str, np.ndarray]:
    """Write a small random E5S1 model and return the float32 tensors it should decode to."""
    rng = np.random.default_rng(seed)
    shapes: dict[str, tuple[tuple[int, ...], int]] = {
        "emb.word": ((vocab, hidden), 1), "emb.pos": ((max_pos, hidden), 0),
        "emb.type": ((type_vocab, hidden), 0), "emb.ln.w": ((hidden,), 0), "emb.ln.b": ((hidden,), 0),
    }
    for layer in range(layers):
        for name in ("q", "k", "v", "ao"):
            shapes[f"l{layer}.{name}.w"] = ((hidden, hidden), 1)
            shapes[f"l{layer}.{name}.b"] = ((hidden,), 0)
        shapes[f"l{layer}.fi.w"] = ((ffn, hidden), 1)
        shapes[f"l{layer}.fi.b"] = ((ffn,), 0)
        shapes[f"l{layer}.fo.w"] = ((hidden, ffn), 1)
        shapes[f"l{layer}.fo.b"] = ((hidden,), 0)
        for name in ("aln", "oln"):
            shapes[f"l{layer}.{name}.w"] = ((hidden,), 0)
            shapes[f"l{layer}.{name}.b"] = ((hidden,), 0)
    expected: dict[str, np.ndarray] = {}
    payloads: list[tuple[str, int, int, bytes]] = []
    for name, (shape, dtype) in shapes.items():
        count = int(np.prod(shape))
        if dtype == 1:
            nib = rng.integers(0, 16, size=count)
            scales = rng.uniform(0.001, 0.05, size=count // 32).astype(np.float16)
            expected[name] = ((nib.reshape(-1, 32) - 8) * scales.astype(np.float32)[:, None]).reshape(-1)
            data = q4_encode(nib, scales)
        else:
            values = rng.normal(size=count).astype(np.float32)
            expected[name] = values
            data = values.tobytes()
        payloads.append((name, dtype_override if dtype_override is not None else dtype, count, data))
    head = bytearray(magic)
    head += struct.pack("<I7i", 1, hidden, layers, heads, ffn, vocab, max_pos, type_vocab)
    head += struct.pack("<fii", 1e-12, 32, 0)  # eps, Q-block size, no vocabulary pieces
    head += struct.pack("<4i", 0, 2, 1, 3)
    head += struct.pack("<Q", 0) + struct.pack("<i", 0)  # empty piece blob, one offset
    head += struct.pack("<iI", 0, 0)  # empty normalisation map
    head += struct.pack("<i", len(payloads))
    dir_size = sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    offset = len(head) + dir_size
    directory, blobs = bytearray(), bytearray()
    for name, dtype, count, data in payloads:
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<B", dtype)
        directory += struct.pack("<IQQ", count, offset + len(blobs), len(data))
        blobs += data
    path.write_bytes(bytes(head + directory + blobs))
    return expected


@pytest.fixture
def tiny_e5s1(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    path = tmp_path / "tiny-q4.bin"
    return path, write_e5s1(path)


# -- a tiny random BERT folder with a character-level tokenizer ----------------------------------
def write_tiny_bert(folder: Path, texts, max_length: int = 512) -> Path:
    """A random 2-layer BERT (hidden 32) with a character tokenizer covering ``texts``, saved to ``folder``."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizers = pytest.importorskip("tokenizers")
    chars = sorted(set("".join(texts)) | set("abcdefghijklmnopqrstuvwxyz0123456789"))
    vocab = {tok: i for i, tok in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *chars])}
    tk = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    tk.pre_tokenizer = tokenizers.pre_tokenizers.Split(tokenizers.Regex("."), behavior="isolated")
    tk.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="[PAD]", unk_token="[UNK]",
                                                cls_token="[CLS]", sep_token="[SEP]", model_max_length=max_length)
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=max_length)
    transformers.BertModel(config, add_pooling_layer=False).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_hf_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), SENTENCES)
    assert json.loads((folder / "config.json").read_text())["hidden_size"] == 32
    return folder
