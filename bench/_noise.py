"""Phrase banks for the chat noise around planted needs, and invented identities.

Everything here is invented: nicknames, shop names, phone numbers (always with a
``0000`` block), ``wxid_`` ids, ``example.com`` e-mails and street addresses. The
personal-data shapes are realistic on purpose so that redaction gets exercised.
"""

from __future__ import annotations

import random

from bench._needs import BABY, BEAUTY, RUN

STICKERS: tuple[str, ...] = (
    "[捂脸]", "[图片]", "[图片]", "[图片]", "[动画表情]", "[动画表情]", "[强]", "[呲牙]", "[旺柴]",
    "[破涕为笑]", "[语音]", "[视频]", "[捂脸][捂脸][捂脸]", "[偷笑]", "[OK]", "[裂开]", "[耶]",
    "[玫瑰]", "[抱拳]", "[奸笑]", "[苦涩]", "[社会社会]", "[爱心]", "[机智]",
)
MORNING = ("早上好", "早～", "早安[太阳]", "大家早上好", "早安打工人", "早呀", "早早早", "各位早")
NOON = ("中午好", "吃饭了吗各位", "午安", "中午吃啥啊大家")
NIGHT = ("晚安", "晚安各位", "睡了睡了，晚安", "大家晚安[月亮]", "晚安～明天见", "撑不住了，先睡了")
ANYTIME = ("大家好，新人报到", "欢迎新朋友[鼓掌]", "周末愉快", "hello大家", "潜水好久了冒个泡")
RED_PACKET = (
    "[红包]恭喜发财，大吉大利", "[红包]周末快乐", "[红包]中秋快乐", "[红包]国庆快乐",
    "[红包]感谢大家的推荐", "[红包]新人报到，请多关照",
)
RED_PACKET_THANKS = ("谢谢老板", "谢谢红包[抱拳]", "手慢了[流泪]", "老板大气", "谢谢老板[玫瑰]", "又没抢到")
ENDORSE = (
    "+1", "+1", "同求", "我也是", "蹲", "蹲一个", "+1+1", "同问", "我也想知道", "一样", "mark",
    "坐等推荐", "同款烦恼", "+10086", "求链接+1", "蹲蹲", "我也蹲一个",
)
THANKS = ("谢谢姐妹！", "收到，感谢[抱拳]", "好的我去试试", "学到了", "懂了懂了，谢谢", "感谢分享", "好嘞谢谢", "太有用了，谢谢")
GENERAL_CHAT = (
    "哈哈哈哈", "笑死我了", "真的假的", "今天好热", "降温了大家注意保暖", "下班了下班了", "今天好累啊",
    "周末有人出去玩吗", "地铁又挤爆了", "有人在杭州吗", "刚看到群消息", "好的", "收到", "是的",
    "对对对", "我也觉得", "太真实了", "羡慕", "中午吃什么好", "国庆去哪玩", "快递又延迟了",
    "今天天气真好", "最近好忙", "刚开完会", "哈哈哈真的", "又加班了", "这周过得好快", "明天又周一了",
    "有人看昨晚的比赛吗", "楼上说得对", "我先去做饭了", "刚到家", "这个群好热闹", "哈哈哈哈哈哈",
    "666", "牛", "确实", "有道理", "emmm", "在吗", "我回来了", "刚刚在开车没看手机",
)
DOMAIN_CHAT: dict[str, tuple[str, ...]] = {
    BEAUTY: (
        "双十一快到了，大家列清单了吗", "今天试了新口红颜色", "周末去做了个美甲", "今天素颜出门了哈哈",
        "刚刚在专柜试了好几个色号", "最近在学画眉毛", "有没有人去看那个美妆博主的直播", "今天化了个浓妆去拍照",
        "剪了个短发，清爽多了", "头发染了个栗色", "今天的妆被同事夸了嘿嘿", "快递到了，开箱啦",
    ),
    BABY: (
        "宝宝今天会翻身了！", "终于睡整觉了", "今天打疫苗，哭得好惨", "娃又长牙了", "今天带娃去公园晒太阳",
        "幼儿园报名开始了吗", "娃今天叫妈妈了，感动", "老人又给娃穿多了", "今天娃吃了小半碗米粉",
        "早教课大家觉得有用吗", "娃终于愿意自己玩了", "今天体检身高长了两厘米",
    ),
    RUN: (
        "周末有人一起约跑吗", "报名了年底的半马", "今天跑了10K，腿软了", "今天休息日，拉伸一下",
        "新鞋到了，明天试跑", "今天风好大，逆风跑得好累", "马拉松抽签中了！", "今天间歇跑完想吐",
        "早上河边跑步的人好多", "今天体脂又降了一点", "晚上去练了腿，明天估计下不了楼", "配速终于进6了",
    ),
}
ANSWERS: dict[str, tuple[str, ...]] = {
    BEAUTY: (
        "我一直用手指直接拍开，比美妆蛋快", "可以试试气垫，出门前拍两下就行", "先做好保湿，上妆会服帖很多",
        "推荐你去看看测评，各家差别挺大的", "我用的一个国货的，还行，就是有点贵", "妆前乳很重要！",
        "少量多次，别一次挤太多", "你可以去专柜先试试小样", "换个粉扑试试，湿用干用差别很大",
        "我也是摸索了好久，最后发现还是适合自己的最重要",
    ),
    BABY: (
        "我们家用的恒温水壶，晚上很方便", "可以提前把水晾好，用的时候兑一点热的", "问问儿保医生比较靠谱",
        "我是周末做好分装冻起来的", "多抹保湿霜，一天好几次", "我们家用的是轻便伞车，地铁上挺方便",
        "公司有母婴室吗？没有的话可以跟领导沟通下", "小红书上有很多辅食食谱可以参考",
        "每个宝宝情况不一样，多试试", "我家那个还行，回头发你看看",
    ),
    RUN: (
        "可以去跑鞋店测一下足型", "先减量，别硬跑", "我用的腰包，跑起来不晃", "买个头灯或者反光背心",
        "雨天穿越野鞋抓地好一点", "建议先练练臀腿力量", "跑前热身跑后拉伸都要做", "找个跑团带着练进步快",
        "我一般跑之前先做几组动态拉伸", "可以先从跑走结合开始",
    ),
}
PRAISE: dict[str, tuple[str, ...]] = {
    BEAUTY: (
        "这个真的好用", "回购第三次了", "这个色号太显白了", "用完皮肤滑滑的", "性价比超高", "这个我也在用，真心不错",
        "姐妹推荐的那个面霜我买了，确实好用", "这个卸妆油真的绝了",
    ),
    BABY: (
        "这个奶瓶真的好用，不胀气", "推车收到了，质量不错", "宝宝很喜欢这个牙胶", "这个湿巾挺厚实的",
        "上次群里推荐的睡袋真的好用", "这个纸尿裤不红屁屁，推荐",
    ),
    RUN: (
        "这双鞋跑起来真的好舒服", "新买的手表定位很准", "这个能量胶口味还不错", "这个速干衣真的不闷",
        "群里推荐的泡沫轴好用，放松很到位", "这个压缩袜跑完腿没那么酸了",
    ),
}
CHECKIN: dict[str, tuple[str, ...]] = {
    BEAUTY: ("今日护肤打卡：{s}步走完啦", "今天空瓶{s}个，开心", "这个月已经剁手{s}单了[捂脸]"),
    BABY: ("宝宝{n}个月了，今天体重{kg}斤", "今天奶量{ml}ml，比昨天多", "第{n}天坚持亲子阅读"),
    RUN: ("今日打卡：{km}公里，配速{pace}", "打卡 Day {n}", "晨跑{km}K完成，心率还行", "本月累计{total}公里"),
}
ADS: tuple[str, ...] = (
    "正品{cat}代购，专柜验货，需要的加V：{wxid}",
    "【招代理】宝妈在家兼职，日入300+，有意者加微信{wxid}详聊",
    "扫码进群领优惠券，群满了加我拉你 {phone}",
    "{cat}好物团购，扫码进群[图片]",
    "诚招线下体验官，联系电话{phone}，地址：{address}",
    "有需要{cat}的可以联系我，邮箱{email}，微信同号{phone}",
    "清仓特价，原价899现价199，加V {wxid}，不议价",
    "免费领取试用装，把收货地址发到{email}即可",
    "本店地址：{address}，到店报群名打八折，电话{phone}",
    "日本{cat}直邮，假一赔十，微信：{wxid}",
    "想做副业的姐妹看过来，零成本，加我{phone}（微信同号）",
)
AD_CATEGORY: dict[str, tuple[str, ...]] = {
    BEAUTY: ("美妆", "护肤品", "彩妆", "大牌化妆品"),
    BABY: ("奶粉", "母婴用品", "纸尿裤", "童装"),
    RUN: ("跑鞋", "运动装备", "蛋白粉", "运动手表"),
}
#: Noise that leaks someone's own personal data (not an ad) — redaction must catch these too.
PERSONAL = (
    "我的快递地址写的是{address}，一直没到",
    "有事打我电话{phone}",
    "二手的可以转给我，我的邮箱{email}",
    "加我吧，wx：{wxid}",
)
STREETS = (
    ("北京市", "朝阳区", "建国路"), ("上海市", "徐汇区", "漕溪北路"), ("广州市", "天河区", "体育西路"),
    ("杭州市", "西湖区", "文三路"), ("深圳市", "南山区", "科苑路"), ("成都市", "武侯区", "科华北路"),
    ("南京市", "鼓楼区", "中山北路"), ("武汉市", "洪山区", "珞喻路"),
)

_NAME_CORES = (
    "鹿", "桃子", "糖糖", "橙子", "芒果", "布丁", "七七", "九月", "木木", "安安", "乐乐", "豆豆", "米粒",
    "西瓜", "柚子", "可乐", "奶茶", "栗子", "团团", "圆圆", "星星", "晴天", "夏天", "南风", "北北", "朵朵",
    "果果", "妞妞", "一一", "喵喵", "兔兔", "小鱼", "阿狸", "甜甜", "月亮", "云朵", "麦兜", "芋圆", "小满",
    "蘑菇", "青柠", "葡萄", "花卷", "汤圆", "年年", "棉花糖", "小熊", "知夏", "初一", "饭团",
)
_NAME_PREFIX = ("", "", "", "小", "阿", "大", "是", "爱吃", "胖")
_NAME_SUFFIX = ("", "", "", "酱", "呀", "同学", "🌸", "✨", "~", "妈", "妈妈", "爸爸", "跑跑", "要变美", "不熬夜", "在减肥")
_LATIN = ("Lily", "Coco", "Amy", "Kiki", "Vivian", "Jason", "Leo", "Tina", "Momo", "Yuki", "Anna", "Ivy", "Kevin", "Sam", "Zoe")
_SPAM_NAMES = ("{core}全球购", "美妆代购-{core}", "招代理{core}", "{core}优选", "团长{core}", "{core}严选好物")


def nickname(rng: random.Random) -> str:
    """Return an invented Chinese-style chat nickname."""
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(_LATIN) + rng.choice(("", "", "_", "🍑", "在跑步", "在减肥", str(rng.randint(1, 99))))
    if roll < 0.25:
        return f"{rng.choice(_NAME_CORES)}{rng.choice(('妈', '妈妈', '爸'))}（{rng.choice(_NAME_CORES)}）"
    return rng.choice(_NAME_PREFIX) + rng.choice(_NAME_CORES) + rng.choice(_NAME_SUFFIX)


def spam_name(rng: random.Random) -> str:
    """Return an invented nickname for an advertising account."""
    return rng.choice(_SPAM_NAMES).format(core=rng.choice(_NAME_CORES))


def fake_phone(rng: random.Random) -> str:
    """Return a realistic-shaped but obviously fake mobile number (middle block 0000)."""
    head, tail = f"1{rng.choice('3456789')}{rng.randint(0, 9)}", f"{rng.randint(0, 9999):04d}"
    return rng.choice((f"{head}-0000-{tail}", f"{head}0000{tail}", f"{head} 0000 {tail}"))


def fake_wxid(rng: random.Random) -> str:
    """Return an invented WeChat id such as ``wxid_ab12cd34``."""
    alphabet = "abcdefghijkmnpqrstuvwxyz0123456789"
    return "wxid_" + "".join(rng.choice(alphabet) for _ in range(8))


def fake_email(rng: random.Random) -> str:
    """Return an invented address on a reserved example domain."""
    user = rng.choice(("shop", "daigou", "lily", "vip", "service", "tuan", "beauty", "runner"))
    return f"{user}{rng.randint(10, 999)}@{rng.choice(('example.com', 'example.net', 'example.org'))}"


def fake_address(rng: random.Random) -> str:
    """Return an invented street address in a Chinese city."""
    city, district, street = rng.choice(STREETS)
    return f"{city}{district}{street}{rng.randint(1, 300)}号"


def personal_fields(rng: random.Random, domain: str) -> dict[str, str]:
    """Return fillers for ad / personal-data templates."""
    return {
        "phone": fake_phone(rng),
        "wxid": fake_wxid(rng),
        "email": fake_email(rng),
        "address": fake_address(rng),
        "cat": rng.choice(AD_CATEGORY[domain]),
    }


def checkin(rng: random.Random, domain: str) -> str:
    """Return a numeric check-in message (跑步打卡 etc.)."""
    pace = f"{rng.randint(4, 7)}'{rng.randint(0, 59):02d}\""
    return rng.choice(CHECKIN[domain]).format(
        n=rng.randint(2, 60), s=rng.randint(2, 9), kg=rng.randint(10, 25), ml=rng.randint(12, 30) * 10,
        km=rng.choice((3, 5, 5, 6, 8, 10, 12, 15, 21)), pace=pace, total=rng.randint(30, 300),
    )
