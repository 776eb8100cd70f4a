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


@pytest.mark.parametrize(
    "keywords, texts, share",
    [
        (["膝盖", "护膝"], ["膝盖疼", "护膝闷", "跑鞋磨脚", "下雨"], 0.5),
        (["油皮 底妆"], ["油皮底妆卡粉", "粉底液"], 0.5),  # phrase keywords are matched without their separator
        (["a", "b", "c", "d", "e", "f"], ["f", "f"], 0.0),  # only the first five keywords count
        ([], ["随便"], 1.0),  # nothing to judge by: no mix shown
    ],
)
def test_focus(keywords, texts, share):
    from needminer.discover import focus

    assert focus(keywords, texts) == share


def test_a_scattered_group_joins_no_domain():
    from needminer.discover._domains import OTHER_DOMAIN
    from needminer.types import Fragment
    from tests.discover.test_discover import planted

    frags, vecs, _ = planted(160)
    # one more tight group of unrelated odds and ends (its keywords are each said by one or two members)
    odds = ["扫地机器人卡在地毯边", "水电费手动算分摊", "自动喂食器老是卡粮", "折叠桌椅再小一圈", "驱蚊液喷了没用",
            "又没抢到红包", "包裹好慢", "孩子腿上全是包", "冰箱分区不够", "楼上装修好吵", "打印机卡纸", "路由器掉线",
            "停车位被占", "电梯老坏", "外卖洒了", "空调漏水", "键盘进水", "雨伞被拿走", "钥匙找不到", "窗帘挡不住光"]
    centre = np.random.default_rng(7).normal(size=vecs.shape[1])
    rng = np.random.default_rng(8)
    extra = [Fragment(id=f"o{i}#0", message_id=f"o{i}", chat="c", speaker=f"o{i}", text=t, span=(0, len(t)))
             for i, t in enumerate(odds)]
    vecs = np.vstack([vecs, centre + 0.35 * rng.normal(size=(len(odds), vecs.shape[1]))]).astype(np.float32)
    disc = discover_needs(frags + extra, vecs, DiscoverConfig(), seed=3)
    odd_ids = {f.id for f in extra}
    holders = [c for c in disc.clusters if len(odd_ids & set(c.fragment_ids)) > len(odds) // 2]
    assert len(holders) == 1 and holders[0].domain == OTHER_DOMAIN
    assert all(c.domain != OTHER_DOMAIN for c in disc.clusters if c is not holders[0])
