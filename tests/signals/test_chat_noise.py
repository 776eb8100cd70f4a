"""Chat noise a real group has (red packets, 接龙, bots and welcomes, recruitment adverts, @-only and
sticker-only replies, links and ads) never becomes a need; the need model and its fallbacks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from needminer.conversation import build_conversation
from needminer.signals import get_detector, score_text
from needminer.signals._rules import message_noise
from needminer.types import CleanMessage, SignalLabel

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def msg(i: int, speaker: str, text: str, minutes: float) -> CleanMessage:
    return CleanMessage(id=f"m{i}", chat="群", speaker=speaker, text=text, time=T0 + timedelta(minutes=minutes))

RED_PACKET = ["运气王出来发红包", "手慢了[捂脸]", "谢谢老板！", "集五福还差敬业福", "拼手气红包，抢到了0.01", "运气王是谁？"]
BOT = ["欢迎新人入群，请先看群公告", "本群禁止发广告，违者踢出", "[自动回复]您好，我现在有事不在", "请修改群名片为 学院-姓名"]
MENTION_ONLY = ["@成员-3fa2c1", "@成员-3fa2c1 @成员-9b0e11", "@小王 "]
STICKER_ONLY = ["[表情]", "[捂脸][捂脸]", "😂😂", "[图片]"]
ADS = ["加V tony88 代理面膜，日赚五百，扫码进群", "限时秒杀！点击链接领券，包邮到家 [链接]", "日本纸尿裤直邮，假一赔十，微信：[微信号]"]
# Whole messages that are noise whatever their clauses say.
ANNOUNCEMENTS = [
    ("网易互联网内推来啦！投递简历参与内推，登录校招官网选择心仪岗位，公司提供免费三餐", "recruit"),
    ("小米2017校园招聘开始啦 [链接] 欢迎投递", "recruit"),
    # a hiring call with a role (made-up adverts shaped like the real group's)
    ("这边某某游戏招聘策划了，具体要求如下", "recruit"),
    ("欢迎加入某度（北京），要求：2027届应届毕业生，技术研发类岗位，请私聊", "recruit"),
    ("某讯HR来招人啦，后台开发和客户端都要，base深圳", "recruit"),
    ("工作职责：负责推荐算法研发。任职要求：硕士，熟悉深度学习，团队氛围好，薪资面议", "recruit"),
    ("#接龙 周六聚餐\n1. 小王\n2. 小李\n3. 阿强", "jielong"),
    ("接龙\n1 张三 2份\n2 李四 1份\n3 王五 3份", "jielong"),
    ("周五团建接龙，要去的往下接：\n1. 小王\n2. 小李", "jielong"),
    ("欢迎新同学入群！入群请先改备注：年级-专业-姓名", "bot"),
    ("手气最佳 发下一个", "red_packet"),
    # a pasted notice and a list of instructions (made up, shaped like the real group's 缴费 notice)
    ("一、缴费查询\n8月10日起，可登录综合财务管理平台（[链接]），进入“新版财务查询”，核对应缴学费额。\n"
     "二、缴费方式\n1.网上自助缴费：登录收费平台缴费，请在截止日期前完成", "notice"),
    ("您好,您可以尝试以下方法看看是否正常： 1、备份好个人数据之后关机（第三方软件需要重新安装）. "
     " 2、手机关机完毕后同时长按电源键+音量加键,按照提示清除数据.", "notice"),
]
# Needs that mention the same words and must stay needs.
STILL_NEEDS = [
    "这个是直邮的吗？怕买到假的",
    "抢红包的时候app闪退了，太坑",
    "有人知道网易内推码怎么填吗？",
    "明天宣讲会几点开始？",
    "填了内推码也没用，简历还是被机器筛掉了",
    "有人知道某讯校招什么时候开始吗？岗位多不多",
    "训练营说包就业辅导，结营只发了一个招聘网站的链接和一份简历模板，太坑了",
    "求问下校招网申截止时间",
    "@成员-3fa2c1 网页版一直加载不出来",
    "群公告在哪看？",
]


@pytest.mark.parametrize("text", RED_PACKET + BOT + MENTION_ONLY + STICKER_ONLY + ADS)
def test_fragment_noise_rules(text: str) -> None:
    r = score_text(text)
    assert r.label is SignalLabel.noise and r.noise_rule and not r.need
    assert not get_detector("default").detect_texts([text])[0].need


@pytest.mark.parametrize("text,reason", ANNOUNCEMENTS)
def test_message_noise_reasons(text: str, reason: str) -> None:
    assert message_noise(text) == reason


# Numbered lists members write themselves: complaints, drawbacks, a question with options.
NUMBERED_NEEDS = [
    "1、扬声器音量小，\n2、充电慢\n3、发热严重", "1、充电慢\n2、发热严重\n3、屏幕偏黄",
    "1、本人反复查看前屏左上角边框确实没有裂痕； 2、我只是需要你们拿出可以证明屏幕蓝块是人为损坏的证据，请给我检测数据",
    "用了两年，缺点: 1.车身高度会降低； 2. 步进马达在工作时会有噪音；3. 后轮下摇臂要替换；4. 参数要到官网查，调起来很麻烦",
    "学费怎么交？1.网上交 2.现场交，请问哪个快，截止时间是什么时候，登录不上收费平台怎么办呢大家",
]


@pytest.mark.parametrize("text", STILL_NEEDS + NUMBERED_NEEDS)
def test_need_words_in_a_real_question_or_complaint_are_not_noise(text: str) -> None:
    assert message_noise(text) is None
    assert not score_text(text).noise_rule


@pytest.mark.parametrize("text", STILL_NEEDS)
def test_still_needs_are_detected(text: str) -> None:
    sigs = get_detector("default").detect_texts([text])
    assert any(s.need for s in sigs), text


def test_every_clause_of_an_advert_is_noise() -> None:
    advert = ("网易2017校园招聘开始啦！导师经验很资深，整个工作氛围宽松愉悦，公司提供免费三餐，免费健身房。"
              "投递简历请登录校招官网 [链接]，内推码 ABC123")
    chat = [msg(1, "A", advert, 0), msg(2, "B", "学校的缴费平台一直显示待支付，怎么办？", 3)]
    conv = build_conversation(chat)
    sigs = get_detector("default").detect(conv.fragments)
    by_msg = {}
    for f, s in zip(conv.fragments, sigs):
        by_msg.setdefault(f.message_id, []).append(s)
    assert len(by_msg["m1"]) > 2
    assert all(s.label is SignalLabel.noise and not s.need and "noise.recruit" in s.cues for s in by_msg["m1"])
    assert any(s.need for s in by_msg["m2"])


def test_need_model_rejects_chit_chat_questions_but_keeps_their_label() -> None:
    det = get_detector("default")
    assert det.need_model is not None  # the shipped need model is in the package
    for text in ("你们干嘛呢", "你吃了吗？", "你还在加班？"):
        s = det.detect_texts([text])[0]
        assert not s.need, text
    for text in ("校医院周末开门吗？", "学费什么时候交啊？", "缴费平台一直显示待支付", "存档丢了，玩了三十个小时白玩了"):
        assert det.detect_texts([text])[0].need, text


def test_explicit_need_cues_survive_the_need_model() -> None:
    det = get_detector("default")
    for text in ("其实我想要的就是不伤膝盖", "要是有温和又保湿的面霜就好了"):
        assert det.detect_texts([text])[0].need, text


def test_copy_pasted_meme_is_one_line_not_votes() -> None:
    meme = "来，你来当处长，你来当处长"
    chat = [msg(i, s, meme, i) for i, s in enumerate("ABCDE", start=1)]
    conv = build_conversation(chat)
    assert conv.endorsements == ()
    assert {f.message_id for f in conv.fragments} == {"m1"}
    assert set(conv.duplicates) == {"m2", "m3", "m4", "m5"}


def test_endorsements_count_once_per_person() -> None:
    chat = [msg(1, "A", "网页版一直加载不出来DLC", 0), msg(2, "B", "+1", 1), msg(3, "B", "同问", 2),
            msg(4, "C", "+1", 3), msg(5, "A", "+1", 4)]
    conv = build_conversation(chat)
    voters = sorted(e.speaker for e in conv.endorsements)
    assert voters == ["B", "C"]  # B once, A never endorses their own need


def test_placeholder_names_match_what_redaction_writes() -> None:
    from needminer.signals._cues import BRACKET_EMOTICON, CONTACT_PLACEHOLDER
    from needminer.text import NAME, PLACEHOLDERS

    assert all(re.fullmatch(CONTACT_PLACEHOLDER, p) for p in PLACEHOLDERS if p != NAME)  # a name is no contact
    assert not any(re.fullmatch(BRACKET_EMOTICON, p) for p in PLACEHOLDERS)  # never taken for an emoticon


def test_a_redacted_name_is_no_contact_detail() -> None:
    from needminer.signals._rules import score_text

    assert "ad.contact" not in score_text("找[姓名]要发票，私聊我").cues  # a name is no phone number or handle
    assert "ad.contact" in score_text("加我[微信号]，私聊").cues


def test_the_two_models_share_features_without_changing_a_probability() -> None:
    det = get_detector("default")
    texts = [t for t, _ in ANNOUNCEMENTS] + STILL_NEEDS + NUMBERED_NEEDS + RED_PACKET + ["今天天气不错", "电池不耐用"]
    rules = [score_text(t) for t in texts]
    memo: dict = {}
    shared = (det.model.predict_proba(texts, rules, memo=memo), det.need_model.predict_proba(texts, rules, memo=memo))
    assert len(memo) == 1  # the need model read the label model's n-grams
    alone = (det.model.predict_proba(texts, rules), det.need_model.predict_proba(texts, rules))
    for a, b in zip(shared, alone):
        assert (a == b).all()


def test_a_message_without_any_trigger_is_passed_over_before_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    import needminer.signals._rules as rules

    calls: list[str] = []
    real = rules._family_scores
    monkeypatch.setattr(rules, "_family_scores", lambda t: calls.append(t) or real(t))
    assert message_noise("电池不耐用，充电还慢") is None and not calls
    assert message_noise("网易互联网内推来啦！投递简历参与内推，登录校招官网选择心仪岗位") == "recruit" and calls


@pytest.mark.parametrize("text", ["机子很卡", "偶尔会黑屏"])
def test_a_fault_of_a_product_is_a_need_where_the_need_model_is_unsure(text):
    """A pain cue that names a product or service fault (卡, 黑屏, 闪退, 客服不处理) makes a need even
    when the need model, which learnt from drama talk, gives it a low P(need)."""
    sig = get_detector("default").detect_texts([text])[0]
    assert sig.label is SignalLabel.pain and sig.need_score < 0.5
    assert sig.need


@pytest.mark.parametrize("text", ["你这人真不靠谱", "这人太坑了", "他办事不行", "今天好累啊，崩溃"])
def test_judging_a_person_or_a_mood_is_no_need(text):
    """不靠谱, 坑, 不行 judge people too: without a product or service word they make no need."""
    assert not get_detector("default").detect_texts([text])[0].need


@pytest.mark.parametrize("text", ["系统不是很流畅", "手机散热不是很好"])
def test_denying_a_good_quality_of_a_product_is_a_need(text, monkeypatch: pytest.MonkeyPatch):
    """A complaint clause that denies a good quality of a product word is a need, even where the
    label model reads 流畅 as praise and the need model is unsure; without the rule it is none."""
    import needminer.signals._detector as detector

    det = get_detector("default")
    assert det.detect_texts([text])[0].need
    monkeypatch.setattr(detector, "dislikes_product", lambda t: False)
    assert not det.detect_texts([text])[0].need


@pytest.mark.parametrize("text", ["我这种烂人不值得", "他这个人不太好", "今天心情不太好"])
def test_denying_a_good_quality_of_a_person_is_no_need(text):
    """The product word must be outside the denial (值得 in 不值得 is the cue itself), and people and
    moods are no product."""
    from needminer.signals._detector import dislikes_product

    assert not dislikes_product(text)
    assert not get_detector("default").detect_texts([text])[0].need


@pytest.mark.parametrize("text", ["手动挡还值不值得买", "一看就知道装没装好", "2.0T的车不是不好", "宝马的价格不清楚", "油耗没明显变化"])
def test_a_question_a_double_negation_or_not_knowing_denies_no_quality(text):
    from needminer.signals._detector import dislikes_product

    assert not dislikes_product(text)
