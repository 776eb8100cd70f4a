"""No hidden buckets: a scattered group gives up its needs and its close fragments, and stays small."""

from __future__ import annotations

import numpy as np

from needminer.discover import focus
from needminer.discover._bertopic import cluster_keywords
from needminer.discover._scattered import resolve_scattered

FOCUSED = ["底妆不服帖", "喂奶太累", "跑鞋磨脚"]
HIDDEN = "校车几点发车"  # a real need said by several people, first lumped in with odds and ends
JUNK = ["今天天气", "哈哈哈哈", "晚饭吃啥", "周末加班", "电影好看", "快递到了", "群主好", "作业写完", "考试加油", "红包来了",
        "下雨了吗", "刚下班", "睡不着", "早安各位", "新年快乐", "谁在线", "太热了", "明天见", "好困啊", "真的假的"]


def corpus(rng: np.random.Generator, d: int = 32):
    centres = rng.normal(size=(5, d))
    texts, vecs, speakers, gold, labels = [], [], [], [], []
    for k, word in enumerate(FOCUSED):  # three focused needs of 40
        for i in range(40):
            texts.append(f"{word}，第{i}回")
            vecs.append(centres[k] + 0.3 * rng.normal(size=d))
            speakers.append(f"s{i % 9}")
            gold.append(word)
            labels.append(k)
    for i in range(8):  # the hidden need: 8 fragments by 4 people, inside the mixed group
        texts.append(f"{HIDDEN}？{i}")
        vecs.append(centres[3] + 0.2 * rng.normal(size=d))
        speakers.append(f"h{i % 4}")
        gold.append(HIDDEN)
        labels.append(3)
    for i in range(40):  # odds and ends, a few close to the first need
        close = i < 6
        texts.append(f"{JUNK[i % len(JUNK)]}{i}" if not close else f"{FOCUSED[0]}吗{i}")
        vecs.append((centres[0] + 0.3 * rng.normal(size=d)) if close else 3.0 * rng.normal(size=d))
        speakers.append(f"j{i}")
        gold.append(FOCUSED[0] if close else "junk")
        labels.append(3)
    v = np.asarray(vecs, dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return texts, v, speakers, gold, np.asarray(labels)


def test_hidden_need_and_close_fragments_leave_the_bucket():
    texts, vecs, speakers, gold, labels = corpus(np.random.default_rng(0))
    mixed = np.flatnonzero(labels == 3)
    assert focus(cluster_keywords(texts, labels)[3], [texts[r] for r in mixed]) < 0.3  # it is a scattered group
    out, scattered = resolve_scattered(vecs, labels, texts, speakers, lambda labs: cluster_keywords(texts, labs), focus, min_size=5)
    assert scattered >= 0
    hidden_rows = [i for i, g in enumerate(gold) if g == HIDDEN]
    hidden_labels = {int(out[i]) for i in hidden_rows}
    assert len(hidden_labels) == 1 and scattered not in hidden_labels  # one need of its own
    assert (out == next(iter(hidden_labels))).sum() <= len(hidden_rows) + 2
    close_rows = [i for i, g in enumerate(gold) if g == FOCUSED[0] and labels[i] == 3]
    assert sum(out[i] == out[0] for i in close_rows) >= len(close_rows) - 1  # as close as members: join the need
    sizes = np.bincount(out[out >= 0])
    assert sizes[scattered] <= max(s for c, s in enumerate(sizes) if c != scattered)
    assert scattered == out.max()  # the scattered group is numbered last


def test_remainder_never_outgrows_the_largest_need():
    rng = np.random.default_rng(1)
    texts, vecs, speakers, _, labels = corpus(rng)
    # a big pool of pure noise: 300 junk rows against needs of 30
    extra = 300
    noise = rng.normal(size=(extra, vecs.shape[1])).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    texts = texts + [f"{JUNK[i % len(JUNK)]}{i}" for i in range(extra)]
    vecs = np.vstack([vecs, noise])
    speakers = speakers + [f"n{i}" for i in range(extra)]
    labels = np.concatenate([labels, np.full(extra, 3)])
    out, scattered = resolve_scattered(vecs, labels, texts, speakers, lambda labs: cluster_keywords(texts, labs), focus, min_size=5)
    sizes = np.bincount(out[out >= 0])
    assert scattered >= 0
    assert sizes[scattered] <= max(s for c, s in enumerate(sizes) if c != scattered)
    assert (out >= 0).all()  # nothing is dropped


def test_focused_clusters_are_left_alone():
    texts, vecs, speakers, _, labels = corpus(np.random.default_rng(2))
    keep = labels < 3
    out, scattered = resolve_scattered(
        vecs[keep], labels[keep], [t for t, k in zip(texts, keep) if k], [s for s, k in zip(speakers, keep) if k],
        lambda labs: cluster_keywords([t for t, k in zip(texts, keep) if k], labs), focus, min_size=5,
    )
    assert scattered == -1
    assert (out == labels[keep]).all()


def test_a_pool_of_one_repeated_text_and_a_large_pool_do_not_break():
    from needminer.discover._scattered import MAX_DENSE_POOL, _subgroups

    same = np.tile(np.eye(8, dtype=np.float32)[0], (40, 1))
    groups = _subgroups(same, 5)
    assert [len(g) for g in groups] == [40]
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 16))
    big = np.vstack([c + 0.1 * rng.normal(size=(MAX_DENSE_POOL // 3 + 10, 16)) for c in centres]).astype(np.float32)
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    groups = _subgroups(big, 20)
    assert len(groups) == 3 and sum(len(g) for g in groups) == len(big)
