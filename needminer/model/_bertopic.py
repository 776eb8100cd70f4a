"""Export fitted needs to a ``bertopic.BERTopic`` object, so BERTopic's ``visualize_*`` work on them."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from needminer.errors import missing_dependency


def to_bertopic(texts: Sequence[str], embeddings: np.ndarray, labels: Sequence[int], titles: Sequence[str], *,
                seed: int = 42):
    """A BERTopic model whose topics are the given needs (BERTopic's manual topic modelling).

    No UMAP or HDBSCAN runs: ``BaseDimensionalityReduction`` and ``BaseCluster`` pass the labels
    through, BERTopic computes the c-TF-IDF (with needminer's jieba vectorizer) and the topic
    embeddings (member means), and each topic's custom label is the need's title.

    Args:
        texts: The fragments' texts.
        embeddings: Their embeddings, (n, d).
        labels: Need index per text (``-1`` for none: BERTopic's outlier topic).
        titles: Title per need index.
        seed: Not used for fitting; kept so the export records the estimator's seed.

    Raises:
        MissingDependencyError: BERTopic is not installed.
    """
    try:
        from bertopic import BERTopic
        from bertopic.cluster import BaseCluster
        from bertopic.dimensionality import BaseDimensionalityReduction
    except ImportError:
        raise missing_dependency("bertopic", "the BERTopic export") from None
    from needminer.text import make_vectorizer

    model = BERTopic(
        embedding_model=None,
        language="multilingual",
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=make_vectorizer(),
        calculate_probabilities=False,
        verbose=False,
    )
    y = np.asarray(labels, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(list(texts), embeddings=np.asarray(embeddings, dtype=np.float32), y=y)
    present = sorted(t for t in set(model.topics_) if t >= 0)
    model.set_topic_labels({t: titles[t] for t in present if t < len(titles)})
    model.needminer_seed_ = seed
    return model
