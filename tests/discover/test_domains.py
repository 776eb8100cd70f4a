"""Domains: needs are grouped into coarser areas named after what their members say."""

from __future__ import annotations

import numpy as np
import pytest

from needminer.config import DiscoverConfig
from needminer.discover import discover_needs, group_domains, name_domains
from needminer.discover._domains import MAX_DOMAIN_NAME, NAME_SEP

BEAUTY = ["油皮底妆总是卡粉", "油皮底妆下午就脱妆", "粉底液卡粉怎么办", "油皮底妆求推荐"]
RUN = ["跑步膝盖疼", "新跑鞋磨脚", "跑步膝盖疼怎么办", "夜跑看不清路"]
BABY = ["宝宝夜里喂奶", "冲奶粉太慢", "宝宝湿疹", "宝宝夜里哭"]
CAR = ["烧机油太严重", "机油消耗快", "变速箱顿挫", "变速箱异响"]


def _layout(*domains: list[str]) -> tuple[list[str], dict[int, list[int]], dict[int, int]]:
    """Texts, two needs per domain (first and second half of its texts), need → domain."""
    texts, members, domain_of = [], {}, {}
    for d, group in enumerate(domains):
        half = len(group) // 2
        for part in (group[:half], group[half:]):
            lab = len(members)
            members[lab] = list(range(len(texts), len(texts) + len(part)))
            domain_of[lab] = d
            texts += part
    return texts, members, domain_of


def _check(names: dict[int, str], texts: list[str], members: dict[int, list[int]], domain_of: dict[int, int]) -> None:
    assert all(names.values()), names
    assert len(set(names.values())) == len(names), names  # distinct across domains
    for d, name in names.items():
        assert len(name) <= MAX_DOMAIN_NAME
        said = "".join(texts[r] for lab, rows in members.items() if domain_of[lab] == d for r in rows).lower()
        for part in name.split(NAME_SEP):
            assert part in said, (name, part)  # drawn from the domain's own fragments


@pytest.mark.parametrize(
    "domains, expected",
    [
        ((BEAUTY, RUN, BABY), ["油皮底妆·粉底液", "跑步·夜跑", "宝宝·冲奶粉"]),
        ((BEAUTY, CAR), ["油皮底妆·粉底液", "变速箱·机油"]),
        ((RUN + BABY, BEAUTY), None),  # a mixed domain still gets a name of its own
        ((BEAUTY,), ["油皮底妆·粉底液"]),  # one domain
    ],
)
def test_domain_names(domains, expected):
    texts, members, domain_of = _layout(*domains)
    names = name_domains(texts, members, domain_of)
    assert sorted(names) == list(range(len(domains)))
    _check(names, texts, members, domain_of)
    if expected is not None:
        assert [names[d] for d in range(len(domains))] == expected


def test_domains_sharing_their_top_word_get_distinct_names():
    a = ["宝宝湿疹反复", "宝宝湿疹擦什么", "宝宝皮肤干", "宝宝湿疹好了又起"]
    b = ["宝宝夜里喂奶", "宝宝冲奶粉太慢", "宝宝夜奶好累", "宝宝夜里哭"]
    texts, members, domain_of = _layout(a, b)
    names = name_domains(texts, members, domain_of)
    _check(names, texts, members, domain_of)


def test_domain_without_words_falls_back_to_its_number():
    texts, members, domain_of = _layout(["[图片]", "哈哈"], BEAUTY)
    names = name_domains(texts, members, domain_of)
    assert names[0] == "D1" and names[1] != "D1"


@pytest.mark.parametrize("n_needs, n_domains", [(1, 1), (3, 1), (4, 2), (9, 3), (16, 4)])
def test_group_domains_counts(n_needs, n_domains):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(n_needs * 5, 8)).astype(np.float32)
    members = {lab: list(range(lab * 5, lab * 5 + 5)) for lab in range(n_needs)}
    domain_of = group_domains(vecs, members)
    assert set(domain_of) == set(members)
    assert sorted(set(domain_of.values())) == list(range(n_domains))
    assert domain_of[0] == 0  # numbered in the order of their first need


def test_discovered_needs_carry_domain_names():
    from tests.discover.test_discover import planted

    frags, vecs, _ = planted(160)
    disc = discover_needs(frags, vecs, DiscoverConfig(), seed=3)
    text = {f.id: f.text for f in frags}
    by_domain: dict[str, list[str]] = {}
    for c in disc.clusters:
        assert c.domain and len(c.domain) <= MAX_DOMAIN_NAME
        by_domain.setdefault(c.domain, []).extend(text[fid] for fid in c.fragment_ids)
    assert len(by_domain) >= 2
    for name, said in by_domain.items():
        assert all(part in "".join(said) for part in name.split(NAME_SEP))
