"""Cue tables for the rule layer: one row per cue, ``(name, regex)``, grouped by family.

The tables are plain data so that a researcher can read, extend or override them without
touching the matching code (``_rules.py``). Patterns are matched on characters, not on jieba
tokens: a Chinese cue such as "不好用" is often split across tokens ("不好" / "用"), and character
patterns also keep the rule layer free of optional dependencies and fast (> 10k texts/s).

Families:
    pain, wish, question, praise: function cues, each with a weight (default 1.0).
    ad, greeting, thanks, laugh, chitchat: noise cues.
    intensity: intensifiers, exclamations and crying/angry emoji.
    explicit: explicit requests (希望/想要/求/能不能/建议 …).
    topic: product / service / doing-something lexicon that makes a question need-bearing.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Placeholder, emoticon, emoji and kaomoji patterns live in the text stage (the conversation stage
# uses them too); the rule layer reads them from here with the other tables (C.EMOJI …).
from needminer.text import BRACKET_EMOTICON, CONTACT_PLACEHOLDER, EMOJI, KAOMOJI, MEDIA_PLACEHOLDER

# Words after 太 that make "太…了" a praise rather than a complaint.
_TAI_POSITIVE = "好|棒|美|香|赞|爱|值|划算|舒服|喜欢|可爱|给力|感谢|谢谢|开心|厉害|实用|方便|好用|好看|好吃|牛|强|帅|惊艳|满意|便宜"

NEG_TAIL = (
    "不|没|卡|掉|坏|断|慢|崩|闪退|死机|脱|起皮|出问题|失败|报错|错|漏|堵|过敏|痒|疼|痛|哭|闹|醒|吐|拉|"
    "黑屏|重启|发烫|发热|耗电|扣|涨|乱|拖|骗|忘|晚|迟|少|缺|丢|串|跳|响|抖|吵|油|干|暗|花|糊"
)

PAIN: tuple[tuple[str, str, float], ...] = (
    ("tai_le", rf"太(?!{_TAI_POSITIVE})[^，。！？,.!?\s]{{1,6}}?了", 1.0),
    ("always_neg", rf"(?:总是|老是|一直|根本|经常|动不动就?|每次都|天天|又)[^，。！？,.!?]{{0,4}}?(?:{NEG_TAIL})", 1.0),
    ("bad_use", r"不好用|难用|不能用|用不了|没法用|不好使|不灵|不管用|没用|没效果|无效|不起作用", 1.2),
    ("makeup_issue", r"卡粉|脱妆|起皮|闷痘|爆痘|长痘|过敏|泛红|刺痛|浮粉|斑驳|氧化|假白|拔干|搓泥|晕妆|掉色|起球|闷热", 1.2),
    ("regret", r"踩雷|踩坑|失望|后悔|被坑|坑人|坑爹|智商税|交学费|白买|鸡肋|不值|不划算|上当|被骗|骗人|忽悠", 1.2),
    ("hassle", r"麻烦|费劲|费事|费时|折腾|搞不定|弄不好|弄不均匀|不均匀|不方便|不够用|不够|来不及|赶不上|没时间|太难", 1.0),
    ("emotion", r"崩溃|受不了|吐槽|无语|气死|郁闷|烦死|心累|闹心|糟心|头疼|头大|抓狂|难受|绝望|服了|醉了|裂开|破防|糟糕|离谱", 1.0),
    ("bad_quality", r"垃圾|差劲|太差|很差|好差|真差|质量差|不靠谱|不行|坏了|故障|异响|漏水|生锈|掉漆|开裂|变形|发霉|有味|异味|难闻|难吃|难喝|凉了|洒了|送错|漏送|少送|超时|延误", 1.1),
    ("tech_issue", r"卡顿|很卡|好卡|太卡|闪退|死机|黑屏|白屏|重启|掉线|断网|没信号|信号差|信号不好|网速慢|网太慢|发烫|耗电快|续航差|充不进|打不开|登不上|登录不了|收不到|连不上|无法|失败|报错|bug|BUG|Bug", 1.1),
    ("service_issue", r"投诉|没人管|没人处理|不处理|不解决|推脱|推诿|踢皮球|扯皮|态度差|态度恶劣|乱收费|扣费|多扣|乱扣|扣钱|退款|不退|不给退|拒绝|拖着|一直拖|等了|迟迟|到现在还|还没到|还没收到|耽误", 1.1),
    ("cost", r"太贵|好贵|真贵|贵死|死贵|价格高|涨价|收费高|不便宜|性价比低|油耗高|费油|费电", 1.0),
    ("body_issue", r"哭闹|睡不好|睡不着|失眠|红屁屁|湿疹|便秘|腹泻|吐奶|胀气|肚子疼|掉发|脱发|长斑|黑眼圈|腰疼|膝盖疼|酸痛|胖了|瘦不下来|反弹|平台期", 1.0),
    ("mild_neg", r"有点(?:贵|慢|卡|干|油|闷|重|吵|小|硬|难|烦|麻烦|不)|不太(?:好|行|满意|方便|舒服|习惯|喜欢)|不满意|不喜欢|不舒服|不习惯|不适合|不匹配|不兼容|差点|一般般|不怎么样", 0.8),
)

WISH: tuple[tuple[str, str, float], ...] = (
    ("hope", r"希望|盼着|期待|期盼|巴不得|多想|好想", 1.3),
    ("want", r"想要|想找|想买|想入|想换|想试|想问问|想知道|需要一[个款种]|急需|求求", 1.2),
    ("if_only", r"要是[^。！？!?]{0,14}就好了|如果能|如果有|最好能|最好是|能[^。！？!?]{0,6}就好了|就好了", 1.3),
    ("can_you", r"能不能|能否|可不可以|可否|能不能出|什么时候(?:出|上|能|推出|支持|更新|修复|恢复|上线|发货|到货)", 1.0),
    ("have_any", r"有没有[^。！？!?]{0,16}(?:的|推荐|啊|呀|吗)", 1.0),
    ("ask_rec", r"求推荐|求安利|求链接|求助|求分享|求教|求问|跪求|蹲一个|蹲个|蹲链接|推荐一下|推荐下|安利一下|帮忙推荐|给推荐|推荐个|推荐款", 1.4),
    ("ask", r"^求|[，。！？ ]求(?!你|求你|饶)", 1.0),
    ("suggest", r"建议|提议|提个建议|能加个|加个.{0,6}功能|增加[^。！？]{0,6}功能|出个|出一款|做个|做一个|改进|优化一下|改一下", 1.0),
    ("plan", r"打算|准备买|在找|找一款|找个|想弄|考虑入手|纠结", 0.7),
)

QUESTION: tuple[tuple[str, str, float], ...] = (
    ("qmark", r"[？?]", 1.2),
    ("ma", r"[吗嘛么][？?~～。!！]*\s*$|吗[？?，,]", 1.2),
    ("ne", r"呢[？?~～。]*\s*$", 0.8),
    ("how", r"怎么|怎样|咋|如何|怎么办|咋办|咋整|怎么弄|怎么搞", 1.1),
    ("where_which", r"哪里|哪儿|哪个|哪款|哪家|哪种|哪些|哪位|在哪", 1.1),
    ("what_why", r"为什么|为啥|干嘛|啥|什么|多少|几[个天次点块岁号月年]|多久|多长|多大|是否|是不是|有没有|能不能|可不可以|会不会|要不要|行不行|好不好|对不对", 0.9),
    ("ask_people", r"有人[^。！？!?]{0,16}吗|有没有人|有谁|谁知道|谁有|大家[^。！？!?]{0,8}(?:吗|呢|？|\?)|请问|问一下|问下|想问|请教|咨询一下", 1.3),
    ("or_not", r"(?P<x>.)不(?P=x)|还是", 0.4),
)

PRAISE: tuple[tuple[str, str, float], ...] = (
    ("good_use", r"好用|好使|管用|有效果|效果好|效果很好|效果不错|效果明显|很好用|超好用|挺好用", 1.3),
    ("love", r"爱了|绝了|真香|yyds|YYDS|永远的神|神器|宝藏|无限回购|回购|种草|安利给|强推|强烈推荐|墙裂推荐|必入|闭眼入|好评|点赞|赞👍|超赞", 1.4),
    ("good", r"不错|很棒|好棒|太棒|真棒|挺好|很好|超好|太好了|满意|喜欢|给力|靠谱|惊艳|舒服|好看|好吃|好喝|划算|值得|值了|超值|性价比高|省心|方便|顺滑|服帖|持妆|清爽|水润|稳定|流畅|顺畅|丝滑|好闻", 1.0),
    ("recommend", r"(?<!求)(?<!求个)推荐(?!一下|下|个|款|吗|？|\?)", 0.8),
    ("solved", r"解决了|搞定了|好了谢谢|已经好了|恢复了|修好了|收到了", 0.8),
)

# ---- noise -----------------------------------------------------------------------------
AD: tuple[tuple[str, str, float], ...] = (
    ("contact", CONTACT_PLACEHOLDER, 1.0),
    ("add_me", r"加[vV威微薇]|加微信|加我|加好友|\+[vV]|[vV]信|私聊|私信我|私我|滴滴我|戳我|联系我|咨询请|详情咨询|详询", 1.2),
    ("scan", r"扫码|扫一扫|二维码|进群|拉群|入群|加群|群号", 1.2),
    ("sell", r"代购|代理|招代理|兼职|日赚|日入|月入|返利|返现|秒杀|包邮|特价|清仓|低价|批发|团购|拼团|下单|现货|正品保证|优惠券|领券|内部券|限时|限量|福利|免费领|点击链接|淘口令|复制.{0,8}打开|薅羊毛|刷单|招聘|招人|高薪|佣金|折扣|打折|打[一二三四五六七八九]折|[一二三四五六七八九]折起|促销|厂家直销|一手货源|本店|到店|进店|店铺|报群名|直邮|假一[赔罚][十百千万倍]|保真|微商|招商加盟", 1.0),
)

# Red packets and group games: never a need, whatever the wording ("运气王出来发", "手慢了").
RED_PACKET = (
    r"运气王|手气最佳|手气王|拼手气|抢红包|发红包|红包雨|口令红包|专享红包|接红包|谢谢老板|老板大气|老板发|手慢了|"
    r"抢到了|没抢到|集五福|敬业福|万能福|扫福|福卡|沾沾喜气|发个红包|包个红包|红包呢|红包拿来|求红包|再来一个红包"
)
# Bots, welcomes, group rules and auto-replies.
BOT = (
    r"欢迎.{0,12}(?:入群|进群|加入本群|加入群|新人|新朋友|小伙伴)|入群(?:请|须知|先)|群公告|群规|本群(?:禁止|不准|严禁|仅|只)|"
    r"请(?:修改|改)(?:群)?(?:名片|备注|昵称)|改备注|自动回复|\[自动回复\]|我是(?:群)?机器人|机器人为您|回复关键词|"
    r"签到成功|打卡成功|已连续签到"
)
# 接龙: a sign-up chain ("#接龙 … 1. 张三 2. 李四").
JIELONG = r"接龙|^#接龙"
# Recruitment and event announcements (内推 adverts, 宣讲会 notices): an announcement, not a need.
RECRUIT = (
    r"内推|校招|校园招聘|社招|实习生?招聘|招聘|宣讲会|投递简历|简历投递|投递邮箱|岗位职责|任职要求|职位(?:要求|描述)|"
    r"薪资待遇|五险一金|网申|笔试时间|面试地点|欢迎(?:投递|报名|加入)|报名(?:链接|地址|方式)|扫码报名"
)
# A job advert names a hiring call and a role ("腾讯HR来招人啦 … 校招总监", "招聘游戏策划了，具体要求如下",
# "欢迎加入百度，2017届应届毕业生，技术类岗位"): a call with one role word and no question, a call with two,
# or four role words (a pasted job description) make the message an advert, unless it complains.
# A pasted notice or set of instructions (a 缴费 notice, a helpdesk's steps): numbered sections
# (一、… 二、…, 1. … 2. …) in a notice's wording (如下, 请, 截止, 登录, a date, a link, 您), with nobody
# speaking for themselves in it: members list their own complaints that way too ("1、本人…2、我…",
# "缺点: 1.…"). On the hand-labelled real QQ group it catches 13 messages, none of them a need.
NOTICE_SECTION = (
    r"(?:^|[\n\s：:；;。])(?:[一二三四五六七八九十]{1,2}[、.．]|（[一二三四五六七八九十]{1,2}）|\(?[1-9][0-9]?[、.．)）](?!\d))"
)
NOTICE_WORDING = r"如下|以下|请|须|截止|登录|网站|官网|职位|要求|时间[:：]|地点|\d+月\d+日|\[链接\]|https?://|您"
NOTICE_SPEAKER = r"[我俺]|本人|缺点|毛病|不足"
NOTICE_MIN_CHARS = 60
RECRUIT_CALL = r"内推|校招|校园招聘|社招|招聘(?!网|会)|招人|宣讲会|网申|诚聘|急聘|欢迎加入|欢迎投递"
RECRUIT_ROLE = (
    r"岗位|职位|工程师|策划|实习生|应届|\d{2,4}\s*届|简历|薪资|待遇|团队|加入我们|要求如下|工作职责|工作内容|任职|"
    r"(?<![a-z])(?:hr|base)(?![a-z])|坐标"
)

GREETING = (
    r"早上好|早安|早啊|早呀|^早+$|中午好|午安|下午好|晚上好|晚安|大家好|各位好|hello|hi|哈喽|嗨|"
    r"新人报到|新人求关照|欢迎|欢迎新人|欢迎欢迎|周末愉快|新年快乐|节日快乐|生日快乐|中秋快乐|春节快乐|"
    r"恭喜发财|大吉大利|红包|拼手气|谢谢老板|老板大气|发财|抢到了|手慢了|签到|打卡|冒泡|潜水|吃了吗|吃饭了吗|在吗|在不在"
)
THANKS = r"谢谢|感谢|多谢|谢啦|谢了|3q|thx|thanks|辛苦了|麻烦了|谢谢亲|谢谢大家|么么哒|比心"
LAUGH = r"哈{2,}|呵{2,}|嘿{2,}|嘻{2,}|h{3,}|2333+|666+|笑死|笑哭|哈哈|嘻嘻|lol"
CHITCHAT = (
    r"^(?:好的?|好吧|好哒|好滴|好嘞|嗯+|恩+|哦+|噢+|喔+|啊+|呀+|哇+|对+|是的?|对的|对啊|行|可以|ok|OK|Ok|收到|明白|知道了|了解|"
    r"没事|没关系|不客气|客气了|哈|呃|额|嗯嗯|哦哦|好好|在|来了|去了|睡了|走了|冲|冲鸭|牛|厉害|强|666|可以的|有道理|真的假的|"
    r"是吗|真的吗|不是吧|我去|天哪|天啊|卧槽|妈呀|绝|晕)$"
)

# ---- intensity -------------------------------------------------------------------------
INTENSITY: tuple[tuple[str, str, float], ...] = (
    ("exclaim", r"[！!]", 0.5),
    ("intensifier", r"(?<!不)太|总是|老是|根本|完全|超级|特别|非常|巨|贼|简直|一点都?不|真的|死了|要命|极其|实在|彻底|永远|再也", 0.6),
    ("repeat", r"(.)\1{2,}|([！!？?])\2+", 0.7),
    ("cry_angry", r"😭|😢|😡|😤|🙃|😩|😫|😖|😠|🤬|💢|😓|😰|\[捂脸\]|\[发怒\]|\[流泪\]|\[大哭\]|\[抓狂\]|\[快哭了\]|\[难过\]|\[委屈\]|\[衰\]|\[裂开\]|\[叹气\]|\[苦涩\]|\[心碎\]|[Tt]_[Tt]|QAQ|╥﹏╥", 0.9),
    ("strong_word", r"裂开|气死|崩溃|无语|受不了|绝望|抓狂|烦死|疯了|服了|醉了|破防|离谱|坑爹|垃圾|吐了", 0.8),
)

EXPLICIT = r"希望|想要|求|能不能|能否|可不可以|建议|如果能|最好能|要是[^。！？!?]{0,14}就好了|期待|急需|跪求|蹲"

# Product / service / doing-something lexicon: a question is need-bearing only when it is about
# something one can buy, use, fix or do ("这款粉底怎么用？"), not small talk ("吃了吗？").
TOPIC = (
    # generic product / shopping / service words
    r"买|用|款|牌子|品牌|产品|东西|链接|价格|多少钱|便宜|贵|质量|效果|功能|版本|型号|颜色|色号|尺码|尺寸|规格|"
    r"推荐|好用|值得|入手|回购|平替|替代|正品|假货|旗舰店|官网|店|商家|客服|售后|保修|退货|退款|换货|发货|快递|物流|订单|下单|"
    r"会员|充值|套餐|流量|话费|宽带|信号|网络|账号|账户|密码|登录|注册|验证码|支付|提现|扣费|积分|优惠|活动|"
    r"软件|app|APP|App|应用|系统|更新|升级|设置|安装|下载|卸载|功能|界面|闪退|卡顿|bug|手机|电脑|平板|耳机|充电|电池|续航|屏幕|相机|"
    r"车|油耗|发动机|变速箱|轮胎|保养|4S|底盘|空调|导航|座椅|刹车|动力|提车|"
    r"粉底|底妆|遮瑕|口红|防晒|面膜|精华|乳液|面霜|水乳|卸妆|洗面奶|眼霜|粉饼|散粉|气垫|妆|护肤|皮肤|肤质|痘|美妆蛋|化妆|"
    r"奶粉|尿不湿|纸尿裤|辅食|奶瓶|宝宝|孩子|娃|婴儿|湿疹|睡眠|早教|绘本|玩具|推车|安全座椅|"
    r"健身|减肥|减脂|增肌|跑步|瑜伽|课程|私教|蛋白粉|体重|饮食|热量|卡路里|器材|"
    r"外卖|骑手|配送|送餐|餐|菜|店铺|饭|奶茶|咖啡|食谱|做法|"
    r"怎么办|怎么弄|怎么用|怎么选|怎么买|怎么设置|怎么处理|怎么解决|如何|教程|攻略|方法|办法|技巧|步骤|"
    r"修|换|装|办理|开通|取消|关闭|退订|投诉|处理|解决|申请"
)


_SPECIAL = set("\\.^$*+?{}[]()|")


def _top_level_alternatives(pattern: str) -> list[str]:
    """Split ``pattern`` on ``|`` outside groups and character classes."""
    parts, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _trie_regex(words: list[str]) -> str:
    """A regex equivalent to ``w1|w2|…`` whose branches share prefixes (fast in ``re``)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return emit(trie)


def optimise(pattern: str) -> str:
    """Rewrite the pure-literal top-level alternatives of ``pattern`` as one prefix trie.

    Python's ``re`` tries every alternative at every position; a trie makes a table of a few
    hundred literal cues about an order of magnitude faster. Longer literals win at the same
    position exactly as before only when they share a prefix, which is all cue matching needs
    (a hit anywhere), so results of ``search`` are unchanged.
    """
    alts = _top_level_alternatives(pattern)
    literal = [a for a in alts if a and not (set(a) & _SPECIAL)]
    if len(literal) < 4:
        return pattern
    rest = [a for a in alts if a not in literal]
    return "|".join([_trie_regex(literal), *rest])


@lru_cache(maxsize=None)
def compiled(pattern: str) -> re.Pattern[str]:
    """Compile a cue pattern once (case-insensitive for Latin letters, literal tables as a trie)."""
    return re.compile(optimise(pattern), re.IGNORECASE)


def compile_family(rows: tuple[tuple[str, str, float], ...]) -> tuple[tuple[str, re.Pattern[str], float], ...]:
    """Compile one family table into ``(name, regex, weight)`` rows."""
    return tuple((name, compiled(pat), weight) for name, pat, weight in rows)


def family_prefilter(rows: tuple[tuple[str, str, float], ...]) -> re.Pattern[str]:
    """One regex that matches wherever any row of the family could match (a fast pre-check)."""
    alts = [alt for _name, pat, _w in rows for alt in _top_level_alternatives(pat)]
    return compiled("|".join(a if not (set(a) & _SPECIAL) else f"(?:{a})" for a in alts))


# ---- token-level cues (negation, degree adverbs, contrast, hedges) ------------------------
# One row per cue: ``(name, slots, max_gap)``. A cue fires when a word of each slot occurs in
# order with at most ``max_gap`` tokens between consecutive slots. The same table drives two
# matchers: character regexes (``compiled_token_cues``, the fast default) and spaCy token
# patterns over jieba tokens (``_spacy_cues``), where "不好意思" is one token and so is not
# "不 + 好". Words are plain strings (no regex), so the table is safe to extend.
NEGATORS = ("不", "没", "没有", "不太", "不怎么", "没那么", "并不", "并没有", "一点也不", "一点都不", "不是很", "不够", "不算", "不大", "毫不")
POS_WORDS = (
    "好", "好用", "满意", "舒服", "灵敏", "耐用", "方便", "清楚", "理想", "给力", "流畅", "稳定", "划算", "值", "值得",
    "行", "靠谱", "专业", "及时", "好吃", "好看", "亮", "快", "实用", "顺手", "习惯", "喜欢", "明显", "干净", "准",
    "结实", "安静", "省油", "舒适", "清晰", "顺畅", "合适", "到位", "友好", "智能", "省心", "高级", "精致", "足",
)
DEGREE = (
    "有点", "有点儿", "有些", "稍微", "稍", "稍显", "略", "略显", "略微", "偏", "太", "很", "挺", "真", "好", "非常",
    "特别", "超", "超级", "巨", "贼", "比较", "相当", "过于", "实在", "蛮", "老", "那么", "这么",
)
NEG_WORDS = (
    "贵", "慢", "高", "小", "硬", "吵", "软", "重", "沉", "肉", "差", "弱", "累", "挤", "窄", "矮", "短", "闷", "油",
    "干", "腻", "暗", "薄", "糙", "粗糙", "麻烦", "卡", "费油", "费电", "吃力", "模糊", "单薄", "一般", "失望", "坑",
    "难用", "难", "烦", "晃", "飘", "抖", "颠", "虚", "松", "丑", "土", "老气", "少", "远", "吵闹", "刺眼", "耗电",
    "发烫", "不足", "不够", "拥挤", "颠簸", "累人", "费劲", "难受", "鸡肋", "奇怪", "别扭", "敷衍", "偏高", "偏大",
    "偏小", "大", "多", "黑", "乱", "脏", "臭", "辣", "咸", "淡", "冷", "热", "久", "晚", "迟",
)
PAIN_WORDS = (
    "卡", "油", "闷", "闷痘", "假白", "拔干", "掉", "掉色", "异响", "贵", "吵", "晕", "漏", "抖", "顿挫", "卡粉",
    "脱妆", "起皮", "过敏", "刺激", "黏", "腻", "堵", "发烫", "费电", "费油", "难用", "失望", "后悔",
)
CONTRAST = ("就是", "但是", "但", "可惜", "不过", "只是", "唯一", "美中不足", "缺点", "槽点", "毛病", "除了", "然而", "可是", "偏偏")
HEDGE = ("还行", "还可以", "一般", "一般般", "凑合", "就那样", "马马虎虎", "还好", "勉强", "凑合着", "将就", "也就那样", "还凑合", "中规中矩", "差强人意")
WORSE = ("不如", "比不上", "还不如", "差远了", "差太多", "差很多", "没有以前", "不如以前", "倒退", "缩水", "虚标", "不符")
STILL = ("还是", "依然", "仍然", "一直", "还", "始终", "到现在", "至今", "迟迟")
NOT = ("不", "没", "没有", "不能", "不行", "没人", "无法", "未")
WAITED = ("已经", "都", "整整", "足足", "等了", "拖了")
SPAN = ("天", "个月", "周", "星期", "个星期", "小时", "个小时", "礼拜", "个礼拜", "年")
EXPECT = ("说好", "宣传", "号称", "本来", "以为", "说是", "承诺", "明明")
BUT_ACTUAL = ("结果", "实际", "实际上", "却", "但是", "可是", "居然", "竟然")

TOKEN_CUES: tuple[tuple[str, tuple[tuple[str, ...], ...], int], ...] = (
    ("neg_pos", (NEGATORS, POS_WORDS), 1),          # 不好用 / 不太满意 / 没那么方便 → mild complaint
    ("degree_neg", (DEGREE, NEG_WORDS), 0),         # 有点贵 / 偏硬 / 太吵 → complaint
    ("neg_pain", (NEGATORS, PAIN_WORDS), 0),        # 不卡粉 / 没有异响 → praise, not pain
    ("contrast", (CONTRAST,), 0),                   # 还行，就是… / 可惜…
    ("hedge", (HEDGE,), 0),                         # 一般般 / 还行吧 / 凑合
    ("worse", (WORSE,), 0),                         # 不如上一代 / 缩水
    ("still_not", (STILL, NOT), 1),                 # 还是不行 / 一直没人管 (follow-up complaint)
    ("waited", (WAITED, SPAN), 2),                  # 已经三天了 / 等了一个小时
    ("expect_gap", (EXPECT, BUT_ACTUAL), 6),        # 说好今天到，结果…
)


# spaCy only: a slot matched by a token regex instead of a word list (jieba keeps "三天" whole).
TOKEN_SLOT_REGEX: dict[tuple[str, int], str] = {
    ("still_not", 1): r"^(?:不|没|无法|未)",
    ("waited", 1): r"^[\d一二两三四五六七八九十几半好多]*(?:天|个月|月|周|星期|个星期|小时|个小时|礼拜|个礼拜|年)$",
}


def _alt(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


@lru_cache(maxsize=1)
def compiled_token_cues() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Character-regex versions of ``TOKEN_CUES`` (a gap of k tokens ≈ up to 2k characters)."""
    out = []
    for name, slots, gap in TOKEN_CUES:
        sep = f"[^。！？!?；;\\n]{{0,{2 * gap}}}" if gap else ""
        out.append((name, re.compile(sep.join(_alt(s) for s in slots), re.IGNORECASE)))
    return tuple(out)
