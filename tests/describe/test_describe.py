"""Describe: slots cite fragments, empty slots stay empty, titles are short and built from slots."""

from __future__ import annotations

import pytest

from needminer.describe import ExtractiveDescriber, ctfidf_keywords, faithfulness, make_title, pick_quotes
from needminer.describe import _said_slot, _tokenizer
from needminer.describe._slots import SCENE_WORDS, persona_candidates, scene_candidates
from needminer.types import Fragment, NeedCluster, Signal, SignalLabel

SEED = (
    "最近加班多，早上化妆时间不够，希望底妆又快又服帖",
    "我用了XX产品，虽然遮瑕好但需要打湿美妆蛋，赶时间时总弄不均匀",
    "其实我想要的是'伪素颜'效果，看起来自然但又有气色",
)


def frag(i: int, text: str, speaker: str | None = None) -> Fragment:
    return Fragment(id=f"f{i}", message_id=f"m{i}", chat="c", speaker=speaker or f"s{i}", text=text, span=(0, len(text)))


MINED = "mined"  # persona candidates mined from the texts themselves


@pytest.mark.parametrize(
    "words, texts, expected",
    [
        # a persona is how members name themselves, said by at least two of them
        (MINED, ["我是新手妈妈，夜奶太累", "新手妈妈+1，喂奶好累"], "新手妈妈"),
        (MINED, ["宝妈们有没有推荐", "作为宝妈真的累"], "宝妈"),
        (MINED, ["最近加班多，好累", "熬夜后脸色差"], None),  # 加班 hints, nobody says 熬夜党
        (MINED, ["周末晨跑膝盖疼", "跑步好累"], None),
        (MINED, ["我是跑友", "膝盖疼", "跑完腿酸", "配速上不去"], None),  # one of four speakers is not enough
        (MINED, ["[手机号]联系我", "加我[微信号]"], None),
        (MINED, ["苹果用户表示电池不行", "苹果用户+1，续航太差"], "苹果用户"),  # no list holds 苹果用户
        (MINED, ["学生党求平价的", "学生党预算有限"], "学生党"),
        (MINED, ["我妈妈说太贵了", "我妈妈也嫌贵"], None),  # somebody's mother is no group of members
        (SCENE_WORDS, ["早上出门前来不及化妆", "早上赶时间"], "早上"),
        (SCENE_WORDS, ["夏天一出汗就脱妆", "夏天太热了"], "夏天"),
        (SCENE_WORDS, ["这个颜色好看", "颜色不错"], None),
        ("situations", ["每次打球都崴脚", "每次打球膝盖疼"], "打球"),  # a situation they spell out
    ],
)
def test_slots_are_words_members_said(words, texts, expected):
    if words == MINED:
        words = persona_candidates(texts, _tokenizer())
    elif words == "situations":
        words = scene_candidates(texts, _tokenizer())
    slot = _said_slot(words, [frag(i, t) for i, t in enumerate(texts)], None)
    if expected is None:
        assert slot is None
    else:
        assert slot.text == expected and slot.fragment_ids  # cites where it came from
        assert all(expected in texts[int(fid[1:])] for fid in slot.fragment_ids)


@pytest.mark.parametrize(
    "persona, mods, noun, expected",
    [
        ("熬夜党", ["快速", "伪素颜"], "底妆", "熬夜党快速伪素颜底妆"),
        ("", ["透气"], "跑鞋", "透气跑鞋"),
        ("新手妈妈", [], "", "新手妈妈吸奶器"),
        ("", [], "", "未命名需求"),
        ("学生", [], "学生证", "学生证"),  # a persona inside the noun is not said twice
        ("熬夜党", ["快速", "自然", "持久", "服帖"], "持妆粉底液", "熬夜党快速自然持妆粉底液"),
    ],
)
def test_make_title(persona, mods, noun, expected):
    fallback = ["吸奶器"] if persona == "新手妈妈" else []
    title = make_title(persona, mods, noun, fallback=fallback)
    assert title == expected and len(title) <= 16


def test_seed_example_statement():
    frags = [frag(i, t) for i, t in enumerate(SEED)]
    sigs = {
        "f0": Signal("f0", SignalLabel.wish, True, 0.4, explicit=True),
        "f1": Signal("f1", SignalLabel.pain, True, 0.5),
        "f2": Signal("f2", SignalLabel.wish, True, 0.3, explicit=True),
    }
    cluster = NeedCluster(id="N1", fragment_ids=("f0", "f1", "f2"), keywords=("底妆", "美妆蛋", "伪素颜", "服帖"))
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)
    quotes = [SEED[int(q[1:])] for q in st.quote_fragment_ids]
    assert "伪素颜" in st.title and st.title.endswith("底妆") and faithfulness(st.title, quotes) == 1.0
    assert "persona" not in st.slots  # nobody says 熬夜党: 加班多 hints at one, a title must not invent it
    for name in ("scene", "task"):  # a word slot is said by every fragment it cites
        slot = st.slots[name]
        assert slot.fragment_ids and all(slot.text in SEED[int(f[1:])] for f in slot.fragment_ids), name
    assert st.slots["expectation"].text in SEED[int(st.slots["expectation"].fragment_ids[0][1:])]
    assert st.slots["scene"].text in ("早上", "赶时间", "时间不够")
    assert st.slots["task"].text == "底妆"
    assert st.slots["pain"].fragment_ids == ("f1",)
    assert st.slots["expectation"].text.startswith("底妆又快又服帖")
    assert set(st.quote_fragment_ids) == {"f0", "f1", "f2"}


def test_empty_slots_stay_empty():
    frags = [frag(0, "这个好用吗"), frag(1, "这个真的好用吗")]
    st = ExtractiveDescriber().describe(NeedCluster(id="N2", fragment_ids=("f0", "f1")), {f.id: f for f in frags}, {})
    assert "persona" not in st.slots and "scene" not in st.slots and "pain" not in st.slots
    assert st.title


def test_quotes_prefer_distinct_speakers():
    frags = [frag(0, "底妆卡粉", "a"), frag(1, "底妆又卡粉了", "a"), frag(2, "底妆不服帖", "b")]
    cluster = NeedCluster(id="N3", fragment_ids=("f0", "f1", "f2"), confidence=(0.9, 0.8, 0.7))
    assert pick_quotes(cluster, {f.id: f for f in frags}, {}, k=2) == ("f0", "f2")


KEYWORD_TEXTS = ["油皮底妆总是卡粉", "油皮底妆下午就脱妆", "油皮底妆求推荐", "底妆好难选", "跑步膝盖疼", "新跑鞋磨脚", "跑步膝盖疼怎么办", "夜跑看不清路"]


@pytest.mark.parametrize(
    "share, present, absent",
    [
        (0.5, ["油皮底妆"], ["油皮", "底妆"]),  # the phrase carries 3 of 4 uses of 底妆: it takes its place
        (0.9, ["油皮底妆"], ["油皮"]),  # …but not at 90 %: 底妆 stays a candidate of its own
        (2.0, ["油皮", "底妆"], []),  # phrase preference off: words first
    ],
)
def test_phrase_keywords_replace_their_words(share, present, absent):
    import numpy as np

    kw = ctfidf_keywords(KEYWORD_TEXTS, np.array([0, 0, 0, 0, 1, 1, 1, 1]), top_n=4, phrase_share=share)
    assert set(present) <= set(kw[0]) and not set(absent) & set(kw[0])
    assert "膝盖疼" in kw[1]


@pytest.mark.parametrize(
    "keywords, noun",
    [
        (["婴儿面霜", "宝宝"], "婴儿面霜"),  # noun + noun phrase
        (["恒温水壶", "宝宝", "调奶器"], "恒温水壶"),
        (["空间小", "后排"], "后排"),  # noun + adjective is a judgement, not an object
        (["冲奶粉", "奶瓶"], "奶瓶"),  # verb + noun is a task, not an object
        (["油皮底妆", "粉底"], "粉底"),  # a phrase holding a persona cue (油皮) never names the object
        (["粉底", "底妆"], "底妆"),  # domain words first
        (["下雨", "跑步", "跑鞋", "湿透", "眼镜"], "跑鞋"),  # a persona cue that names a product may be the object
        (["跑步", "跑友", "宝宝", "眼镜"], "眼镜"),  # other cue words never are (跑步, 跑友, 宝宝)
    ],
)
def test_noun_from_keywords_and_phrases(keywords, noun):
    from needminer.describe import _noun

    assert _noun(keywords, []) == noun


def test_seed_example_statement_reads_as_one_line():
    frags = [frag(i, t) for i, t in enumerate(SEED)]
    cluster = NeedCluster(id="N1", fragment_ids=("f0", "f1", "f2"), keywords=("底妆", "美妆蛋", "伪素颜", "服帖"))
    line = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, {}).statement
    assert line.startswith("用户在") and "时关注底妆（想要" in line and "伪素颜）" in line  # no invented persona


@pytest.mark.parametrize(
    "texts, keywords, mixed",
    [
        # an ad-and-odds-and-ends cluster (discovery marks it scattered: its keywords are said by few)
        (["别发广告了", "扫地机器人老卡在地毯边", "水电费要手动算分摊", "自动喂食器老是卡粮", "折叠桌椅能再小一圈",
          "蚊子太多驱蚊液没用", "又没抢到", "包裹好慢", "孩子腿上全是包"], ("别发", "快递", "自动", "广告", "不好"), True),
        # one need: most fragments say one of its keywords
        (["膝盖外侧疼", "不想因为膝盖放弃跑步", "要是有不伤膝盖的跑鞋", "护膝闷热", "跑到8公里就不行了"],
         ("膝盖", "护膝", "跑步", "伤膝盖", "外侧"), False),
    ],
)
def test_a_cluster_of_unrelated_topics_is_titled_as_such(texts, keywords, mixed):
    frags = [frag(i, t) for i, t in enumerate(texts)]
    cluster = NeedCluster(id="N3", fragment_ids=tuple(f.id for f in frags), keywords=keywords, scattered=mixed)
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, {})
    assert st.title.startswith("零散需求·") is mixed and len(st.title) <= 16
    assert st.statement.startswith("话题分散") is mixed


@pytest.mark.parametrize(
    "text, expected",
    [
        ("其实我想要的就是不伤膝盖。", "不伤膝盖"),  # the longest marker, not 想要 → "的就是…"
        ("希望底妆又快又服帖！", "底妆又快又服帖"),
        ("求一个自动记账的小程序", "一个自动记账的小程序"),
        ("求助，宝宝小脸红红的一片，是湿疹吗", "求助，宝宝小脸红红的一片，是湿疹吗"),  # 求助 is no wish marker
        ("好累啊", "好累啊"),
        ("想找个过来人，请教一下", "想找个过来人，请教一下"),  # 「个过来人」 would dangle
        ("请问有没有模板的参考", "请问有没有模板的参考"),  # an asking marker stays: it is a question
        ("求问学费扣了什么", "求问学费扣了什么"),  # 求问 asks, it is no wish marker
    ],
)
def test_expectation_clause(text, expected):
    from needminer.describe._statement import _clause

    assert _clause(text) == expected


def test_noun_said_by_few_members_does_not_win():
    from needminer.describe import _noun

    knee = ["膝盖外侧疼", "不想因为膝盖放弃跑步", "要是有不伤膝盖的跑鞋", "膝盖又疼了", "护膝闷热"]
    # 跑鞋 is a domain word, 膝盖 a plain noun: 膝盖 wins where 4 of 5 members say it and 1 says 跑鞋
    assert _noun(["膝盖", "护膝", "跑鞋"], knee) == "膝盖"
    assert _noun(["膝盖", "护膝", "跑鞋"], []) == "跑鞋"  # without member texts: the dictionary decides


def test_need_markers_are_no_keywords():
    # 有没有 / 希望 / 请问 say how a need is voiced, not what it is about
    texts = ["有没有不闷痘的防晒", "希望防晒别搓泥", "请问防晒怎么选", "有没有好用的跑鞋", "希望跑鞋轻一点", "请问跑鞋怎么选"]
    kw = ctfidf_keywords(texts, [0, 0, 0, 1, 1, 1], top_n=8)
    said = {w for words in kw.values() for w in words}
    assert "防晒" in kw[0] and "跑鞋" in kw[1]
    assert not said & {"有没有", "希望", "请问", "怎么"}


def test_pain_and_wish_quotes_are_about_the_need():
    texts = ["早，楼下快递柜又满了", "帐篷下雨天总是漏水，太烦了", "想要一顶好搭的帐篷", "有没有一份装备清单"]
    frags = [frag(i, t) for i, t in enumerate(texts)]
    sigs = {"f0": Signal("f0", SignalLabel.pain, True, 0.5), "f1": Signal("f1", SignalLabel.pain, True, 0.5),
            "f2": Signal("f2", SignalLabel.wish, True, 0.4), "f3": Signal("f3", SignalLabel.wish, True, 0.4)}
    cluster = NeedCluster(id="N9", fragment_ids=("f0", "f1", "f2", "f3"), keywords=("帐篷", "漏水"))
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)
    assert st.slots["pain"].fragment_ids == ("f1",)  # the central but off-topic parcel-locker line is no pain of it
    assert st.slots["expectation"].fragment_ids == ("f2",)
    off = NeedCluster(id="N10", fragment_ids=("f0", "f3"), keywords=("帐篷",))
    st = ExtractiveDescriber().describe(off, {f.id: f for f in frags}, sigs)
    assert "pain" not in st.slots and "expectation" not in st.slots  # nothing on topic: slots stay empty
    assert "痛点" not in st.statement and "期望" not in st.statement


def test_a_pain_quote_says_something_is_wrong():
    """The label model's unsure pains on a real QQ group were "老师报到注册14号" and "打电话过去问":
    a pain quote needs a complaint cue, intensity or a sure label."""
    texts = ["学生证注册要等到14号", "学生证补办要打电话过去问", "学生证补办一直拖着不处理"]
    frags = [frag(i, t) for i, t in enumerate(texts)]
    unsure = {f.id: Signal(f.id, SignalLabel.pain, True, 0.0, confidence=0.35) for f in frags}
    cluster = NeedCluster(id="N5", fragment_ids=("f0", "f1", "f2"), keywords=("学生证",))
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, unsure)
    assert st.slots["pain"].fragment_ids == ("f2",)  # 一直拖着, 不处理: a complaint, though less central
    sure = dict(unsure, f0=Signal("f0", SignalLabel.pain, True, 0.0, confidence=0.8))
    assert "f0" in ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sure).slots["pain"].fragment_ids
    only_unsure = NeedCluster(id="N6", fragment_ids=("f0", "f1"), keywords=("学生证",))
    st = ExtractiveDescriber().describe(only_unsure, {f.id: f for f in frags}, unsure)
    assert "pain" not in st.slots and "痛点" not in st.statement


def test_a_scattered_remainder_says_what_it_is_without_contradicting_itself():
    texts = ["这个色号太显白了", "色号选错了", "色号好难挑"]  # the remainder's own keyword covers it
    frags = [frag(i, t) for i, t in enumerate(texts)]
    cluster = NeedCluster(id="N4", fragment_ids=("f0", "f1", "f2"), keywords=("色号",), scattered=True)
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, {})
    assert st.statement.startswith("话题分散：这 3 个片段是各需求都没有收下的剩余片段") and "100%" not in st.statement
    sigs = {"f0": Signal("f0", SignalLabel.pain, True, 0.5)}
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)
    assert "pain" not in st.slots and "痛点" not in st.statement  # one pain does not speak for a remainder


def test_english_chat_titles_are_words_not_function_words():
    from needminer.describe import banned, join_words

    assert banned("you") and banned("guys") and banned("you guys") and not banned("insta")
    assert join_words(["insta", "link"]) == "insta link" and join_words(["油皮", "BB霜"]) == "油皮BB霜"
    texts = ["do you guys have the keys?", "where are the keys guys", "you guys lost the keys again", "keys are where"]
    frags = [frag(i, t) for i, t in enumerate(texts)]
    cluster = NeedCluster(id="N5", fragment_ids=tuple(f.id for f in frags), keywords=("you", "guys", "keys", "where"))
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, {})
    assert "you" not in st.title and "guys" not in st.title and "keys" in st.title


@pytest.mark.parametrize(
    "texts, keywords, expected",
    [
        # a bare noun is followed by what most members say about it: the need is its treatment
        (["痔疮怎么治疗好", "外痔要手术治疗吗", "痔疮出血", "痔疮能自愈吗", "肛门痔疮治疗方法", "痔疮疼"],
         ("痔疮", "外痔", "肛门"), "痔疮治疗"),
        # a keyword few members say yields to the word nearly all of them say (操控, not 地方)
        (["操控很灵活", "操控没得说", "操控比想象好", "有些地方操控一般", "操控精准"],
         ("操控", "灵活", "地方"), "操控"),
    ],
)
def test_title_names_what_most_members_say(texts, keywords, expected):
    frags = [frag(i, t) for i, t in enumerate(texts)]
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=keywords)
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, {})
    assert expected in st.title and "地方" not in st.title
    assert faithfulness(st.title, [texts[int(q[1:])] for q in st.quote_fragment_ids]) == 1.0


def test_ctfidf_background_keeps_a_corpus_wide_word_out_of_a_new_clusters_keywords():
    import numpy as np

    from needminer.text import term_counts

    texts = ["宝宝，猫砂太臭了", "宝宝，猫砂粘底", "宝宝，猫砂扬灰", "宝宝，猫砂难铲"]
    alone = ctfidf_keywords(texts, np.zeros(len(texts), dtype=int))[0]
    assert "宝宝" in alone[:2]  # on its own, the pile's most said words lead
    fitted = term_counts(["宝宝夜奶", "宝宝湿疹", "宝宝辅食", "宝宝出牙", "宝宝红屁屁"] * 20)
    assert fitted["宝宝"] == 100 and "辅食" in fitted
    against = ctfidf_keywords(texts, np.zeros(len(texts), dtype=int), background=fitted, background_classes=5)[0]
    assert against[0] != "宝宝" and ("宝宝" not in against or against.index("宝宝") > alone.index("宝宝"))


@pytest.mark.parametrize(
    "quality, noun, texts, apart",
    [
        # 防水 said of jackets five times, 膝盖 in 30 % of the need: together by chance 83 % of the time
        ("防水", "膝盖", ["有没有防水外套"] * 5 + ["跑步怕伤膝盖"] * 6 + ["不伤膝盖的跑鞋"] * 4 + ["跑完腿酸"] * 5, True),
        # pieces of one need said apart by three people (the seed example) stay together
        ("伪素颜", "底妆", ["希望底妆又快又服帖", "赶时间总弄不均匀", "想要'伪素颜'效果"], False),
        ("安静", "恒温水壶", ["想要安静的恒温水壶"] + ["半夜太吵了很安静就好"] * 3 + ["求恒温水壶"] * 2 + ["宝宝哭"] * 10, False),
        ("便宜", "快递", ["便宜点", "便宜就好"] + ["快递太慢"] * 2 + ["物流"] * 6, False),  # 0.8² = 0.64: too few to tell
    ],
)
def test_a_quality_said_only_apart_from_the_object_leaves_the_title(quality, noun, texts, apart):
    from needminer.describe import _said_apart

    assert _said_apart(quality, noun, texts) is apart


def test_title_leaves_out_a_quality_members_say_of_something_else():
    texts = (["有没有防水外套能轻便防水不闷", "下雨跑步求防水的帽子", "防水袜子有推荐吗", "想要防水的跑步外套", "防水腰包求推荐"]
             + ["跑步怕伤膝盖"] * 3 + ["不伤膝盖的跑鞋"] * 3 + ["膝盖发软怎么办"] + ["跑完腿酸"] * 4)
    frags = [frag(i, t) for i, t in enumerate(texts)]
    sigs = {f.id: Signal(f.id, SignalLabel.wish, True, 0.5) for f in frags}
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=("膝盖", "防水", "跑鞋", "跑步"))
    st = ExtractiveDescriber().fit(frags).describe(cluster, {f.id: f for f in frags}, sigs)
    assert "膝盖" in st.title and "防水" not in st.title and "想要防水" not in st.statement


def test_a_term_one_member_quotes_in_a_large_need_does_not_qualify_its_title():
    texts = ["最近机油消耗像“井喷”一样"] + ["发动机烧机油怎么办"] * 12 + ["保养时机油少了很多"] * 12
    frags = [frag(i, t) for i, t in enumerate(texts)]
    sigs = {f.id: Signal(f.id, SignalLabel.pain, True, 0.5) for f in frags}
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=("机油", "发动机", "保养"))
    st = ExtractiveDescriber().fit(frags).describe(cluster, {f.id: f for f in frags}, sigs)
    assert "机油" in st.title and "井喷" not in st.title
    # the same quote in a need of three fragments is a third of what its members said
    small = frags[:3]
    st = ExtractiveDescriber().describe(NeedCluster(id="N2", fragment_ids=tuple(f.id for f in small), keywords=("机油",)),
                                        {f.id: f for f in small}, sigs)
    assert "井喷" in st.title


@pytest.mark.parametrize(
    "words, texts, expected",
    [
        (["食堂", "西溪"], ["西溪校区第一食堂在哪", "西溪的食堂还开吗", "食堂几点关门"], ["西溪", "食堂"]),  # a place noun said first
        (["学生证", "注册"], ["开学注册要带学生证吗", "注册在哪里", "在哪注册学生证"], ["学生证", "注册"]),  # a verb stays the comment
        (["痔疮", "治疗"], ["痔疮怎么治疗", "痔疮治疗方法"], ["痔疮", "治疗"]),
        (["软件学院", "浙大", "软件工程"], ["浙大软件学院有软件工程吗", "浙大的软件学院"], ["浙大", "软件学院", "软件工程"]),
        (["空调"], ["空调太干"], ["空调"]),
        (["注册", "宁波"], ["开学注册是在宁波还是杭州", "注册在宁波，可以找人代办", "宁波注册吗"], ["宁波", "注册"]),  # a place says where
        (["跑鞋", "膝盖"], ["跑鞋好看", "膝盖疼"], ["跑鞋", "膝盖"]),  # never said together: as given
    ],
)
def test_title_words_follow_the_order_members_say_them(words, texts, expected):
    from needminer.describe import said_order

    assert said_order(words, texts) == expected


def test_a_notice_labelled_wish_is_no_expectation():
    texts = ["请要报销学费的同学在9月11日直接前往缴费点打印发票", "学费什么时候扣", "学费扣了两次怎么办", "学费能网上交吗"]
    frags = [frag(i, t) for i, t in enumerate(texts)]
    sigs = {
        "f0": Signal("f0", SignalLabel.wish, True, 0.5),  # imperative notice: no marker, not explicit
        "f1": Signal("f1", SignalLabel.question, True, 0.5),
        "f2": Signal("f2", SignalLabel.pain, True, 0.5),
        "f3": Signal("f3", SignalLabel.question, True, 0.5),
    }
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=("学费",))
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)
    assert "expectation" not in st.slots and "期望" not in st.statement
    sigs["f0"] = Signal("f0", SignalLabel.wish, True, 0.5, explicit=True)  # an explicit request is one
    st = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)
    assert st.slots["expectation"].fragment_ids[0] == "f0"


def test_words_most_members_say_are_not_read_out_of_sticker_placeholders():
    from needminer.describe import _core_words

    texts = ["学费什么时候交[表情]", "学费交了吗[表情]", "学费扣了两次[表情]", "[表情][表情]"]
    words = [w for w, _ in _core_words(texts)]
    assert "学费" in words and "表情" not in words


@pytest.mark.parametrize(
    "noun, texts, phrase",
    [
        ("考生", ["考生编号是哪个", "学信网上的考生编号变成空的", "考生号查不到", "考生编号在哪看"], ["考生", "编号"]),
        ("食堂", ["西溪食堂几点关门", "西溪食堂还开吗", "食堂好吃吗"], ["西溪", "食堂"]),
        ("食堂", ["食堂好吃吗", "去食堂吗"], []),  # no neighbour said twice
        ("", ["随便"], []),
    ],
)
def test_noun_phrase_is_the_neighbour_members_say_with_the_noun(noun, texts, phrase):
    from needminer.describe import noun_phrase

    assert noun_phrase(noun, texts) == phrase


Q, P, W, O = SignalLabel.question, SignalLabel.pain, SignalLabel.wish, SignalLabel.other


def _describe(rows, keywords):
    frags = [frag(i, t) for i, (t, _) in enumerate(rows)]
    sigs = {f.id: Signal(f.id, label, True, 0.5) for f, (_, label) in zip(frags, rows)}
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=keywords)
    return ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)


@pytest.mark.parametrize(
    "rows, keywords, question, absent",
    [
        # a group's service need is what members ask: the question is said as one, with its mark
        ([("校车最晚几点？", Q), ("校车周末还开吗", Q), ("校车站在哪里", Q), ("校车太挤了", P)], ("校车",),
         "校车最晚几点？", ()),
        # a notice the detector calls a question asks nothing; the next line that asks is the question
        ([("这几天有空都审核一下自己的生源信息，相互转告", Q), ("生源信息确认的入口在哪？", Q), ("生源信息怎么改", Q)],
         ("生源信息",), "生源信息确认的入口在哪？", ()),
        # an off-topic question in the cluster is never its question, nor an off-topic wish its expectation
        ([("请问有没有同学了解数据库连接池？", Q), ("学费什么时候扣？", Q), ("怎样查自己交了学费没？", Q)],
         ("学费", "数据库"), "学费什么时候扣？", ("数据库",)),
        # members mostly complain: no question slot
        ([("快递柜总是满", P), ("快递柜满了好烦", P), ("快递柜几点清？", Q)], ("快递柜",), None, ()),
    ],
)
def test_the_question_slot_is_what_members_ask_about_the_need(rows, keywords, question, absent):
    st = _describe(rows, keywords)
    if question is None:
        assert "question" not in st.slots and "常问" not in st.statement
        return
    assert st.slots["question"].text == question
    assert f"常问「{question}」" in st.statement
    for word in absent:
        assert all(word not in slot.text for slot in st.slots.values())


def test_a_pain_that_tells_the_situation_still_counts_when_no_pain_names_the_object():
    rows = [("半夜宝宝哭醒，一边哄一边等水凉", P), ("希望恒温水壶安静一点", W), ("恒温水壶有推荐吗", Q),
            ("安静的恒温水壶哪里买", W)]
    st = _describe(rows, ("恒温水壶", "宝宝", "安静"))
    assert st.slots["pain"].fragment_ids == ("f0",)
    assert "恒温水壶" in st.slots["expectation"].text  # a want names the object


@pytest.mark.parametrize(
    "rows, keywords, scene, says",
    [
        # the object itself is no scene: 食堂 titles the need
        ([("西溪食堂几点开门？", Q), ("西溪食堂开学开吗", Q), ("食堂在宿舍旁边吗", Q), ("宿舍到食堂远吗", Q)],
         ("食堂", "西溪"), "宿舍", "在宿舍关注"),  # a place says where, without 时
        # said by members, but only apart from the object where chance would have joined them
        ([("财务平台查不到学费", P), ("财务平台登不上", P), ("财务平台又崩了", P), ("校医院报销在医院办", P),
          ("医院发票丢了怎么办", Q), ("财务平台几点维护", Q)], ("财务平台",), None, "用户关注财务平台"),
        # said by two members, never with the object, though chance alone would not have joined them
        ([("自费也打折？", Q), ("校医院自费怎么报销", Q), ("火车上丢了病历本", P), ("坐火车回来看病要带什么", Q),
          ("病历本要带吗", Q), ("看病要先挂号吗", Q)], ("自费",), None, "用户关注自费"),
        # a time said with the object fills it
        ([("早上赶时间底妆总不服帖", P), ("早上化妆来不及，底妆卡粉", P), ("底妆能快一点就好了", W)], ("底妆",),
         "早上", "在早上时关注底妆"),
    ],
)
def test_a_scene_is_said_with_the_need_and_is_not_its_object(rows, keywords, scene, says):
    st = _describe(rows, keywords)
    assert st.slots.get("scene", None) is None if scene is None else st.slots["scene"].text == scene
    assert says in st.statement


@pytest.mark.parametrize(
    "wish, is_expectation",
    [
        ("有没有不闷痘的防晒推荐", True),  # asks for a thing: a want
        ("有没有同学知道防晒在哪买", False),  # asks people: a question
        ("有没有被防晒闷出痘的", False),  # asks what happened to others
        ("有没有人用过这款防晒", False),
    ],
)
def test_asking_people_is_no_expectation(wish, is_expectation):
    st = _describe([(wish, W), ("防晒总是闷痘", P), ("防晒搓泥太烦了", P)], ("防晒",))
    assert ("expectation" in st.slots) is is_expectation


def test_the_statement_quotes_a_line_it_can_show_whole():
    long = "老师好，我想问一下之前学生证的火车起始地址被划成了宁波，现在家在杭州，还可以享受学生票优惠吗"
    st = _describe([(long, Q), ("学生证丢了怎么办", Q), ("学生证能买学生票吗", Q)], ("学生证",))
    asked = st.slots["question"].text
    assert asked != long and len(asked) <= 40
    assert f"常问「{asked}」" in st.statement  # whole, not cut off mid-question


def test_the_statement_speaks_the_reports_language():
    rows = [("what time does the shuttle bus leave?", Q), ("shuttle bus is always late", P),
            ("is the shuttle bus running on sunday?", Q), ("shuttle bus times please", Q)]
    frags = [frag(i, t) for i, (t, _) in enumerate(rows)]
    sigs = {f.id: Signal(f.id, label, True, 0.5) for f, (_, label) in zip(frags, rows)}
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=("shuttle bus",))
    en = ExtractiveDescriber(lang="en").describe(cluster, {f.id: f for f in frags}, sigs)
    assert en.statement.startswith("Members care about ") and "they ask “" in en.statement
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.statement)
    zh = ExtractiveDescriber().describe(cluster, {f.id: f for f in frags}, sigs)
    assert zh.statement.startswith("用户关注") and "常问「" in zh.statement
    assert en.title == zh.title and en.slots == zh.slots  # only the sentence around the words changes
    mixed = NeedCluster(id="N2", fragment_ids=cluster.fragment_ids, keywords=("shuttle bus",), scattered=True)
    note = ExtractiveDescriber(lang="en").describe(mixed, {f.id: f for f in frags}, sigs).statement
    assert note.startswith("Scattered topics: ")


def test_where_members_ask_a_line_that_only_asks_is_no_expectation():
    asked = [("学生证能买学生票吗？", Q), ("学生证丢了怎么办", Q), ("请问学生证代办证明有没有模板？", W),
             ("学生证在哪补办？", Q)]
    st = _describe(asked, ("学生证",))
    assert "question" in st.slots and "expectation" not in st.slots
    wanted = [("有没有适合油皮的粉底液？", W), ("粉底液总是斑驳", P), ("粉底液一到中午就脱妆", P), ("粉底液太厚了", P)]
    st = _describe(wanted, ("粉底液",))  # members mostly complain: asking for a thing is what they want
    assert "question" not in st.slots and st.slots["expectation"].fragment_ids == ("f0",)


@pytest.mark.parametrize("text, marker", [("心脏病主要是什么原因引起呢？", None), ("要是有不伤膝盖的跑鞋就好了", "要是"),
                                          ("求解答，这个怎么办", None), ("求一款安静的恒温水壶", "求")])
def test_wish_markers_are_words_not_pieces_of_other_words(text, marker):
    from needminer.describe._statement import _WISH

    found = _WISH.search(text)
    assert (found.group() if found else None) == marker
