"""The catalogue of planted scenario needs and the sentence templates that voice them.

A :class:`PlantedNeed` is one latent *scenario need* (persona × scene × task × pain ×
expectation). Its phrasings are built from parts: need-specific ``templates`` plus the
generic facet templates below (pain / wish / question / agree), whose slots are filled
from the need's own part lists. Slots: ``{persona}`` (noun, works before "们"),
``{scene}`` (clause), ``{task}`` (verb phrase), ``{pain}`` (predicate),
``{wish}`` (predicate usable before "的{product}"), ``{product}`` (noun) and
``{addr}`` (the domain's way to address the group, e.g. 姐妹们).
"""

from __future__ import annotations

from dataclasses import dataclass

BEAUTY = "美妆/护肤"
BABY = "母婴"
RUN = "跑步/健身"
DOMAINS: tuple[str, ...] = (BEAUTY, BABY, RUN)

#: How each domain's members address the group.
ADDRESS: dict[str, tuple[str, ...]] = {
    BEAUTY: ("姐妹们", "集美们", "宝子们", "大家"),
    BABY: ("宝妈们", "各位妈妈", "姐妹们", "大家"),
    RUN: ("跑友们", "各位", "兄弟姐妹们", "大家"),
}


@dataclass(frozen=True)
class PlantedNeed:
    """One latent scenario need that the generator voices as chat fragments.

    Attributes:
        key: Stable ASCII identifier, used in the truth file.
        title: Short Chinese statement of the need (what a perfect miner would report).
        domain: One of :data:`DOMAINS`.
        persona: The main persona (人群) that has the need.
        scene: The main scene (场景) in which it arises.
        templates: Need-specific sentence templates; may use any slot.
        personas: Persona variants for ``{persona}`` (the main one is always included).
        scenes: Scene variants for ``{scene}``.
        tasks: What the persona is trying to do (``{task}``).
        pains: What goes wrong (``{pain}``).
        wishes: What a good solution would be like (``{wish}``).
        products: Product / solution nouns (``{product}``).
        popularity: Relative frequency of the need (its share of need mentions).
    """

    key: str
    title: str
    domain: str
    persona: str
    scene: str
    templates: tuple[str, ...]
    personas: tuple[str, ...] = ()
    scenes: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    wishes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    popularity: float = 1.0

    def __post_init__(self) -> None:
        if self.domain not in DOMAINS:
            raise ValueError(f"PlantedNeed {self.key!r}: domain must be one of {DOMAINS}, got {self.domain!r}")
        for name in ("templates", "tasks", "pains", "wishes", "products"):
            if not getattr(self, name):
                raise ValueError(f"PlantedNeed {self.key!r}: {name} must not be empty")
        if self.popularity <= 0:
            raise ValueError(f"PlantedNeed {self.key!r}: popularity must be > 0, got {self.popularity}")

    def slot_values(self) -> dict[str, tuple[str, ...]]:
        """Return the filler choices for every slot (persona and scene include the main ones)."""
        personas = self.personas if self.persona in self.personas else (self.persona, *self.personas)
        scenes = self.scenes if self.scene in self.scenes else (self.scene, *self.scenes)
        return {
            "persona": personas,
            "scene": scenes,
            "task": self.tasks,
            "pain": self.pains,
            "wish": self.wishes,
            "product": self.products,
            "addr": ADDRESS[self.domain],
        }


#: Generic facet templates shared by every need. A first speaker mostly uses
#: pain / wish / question / specific; later speakers also "agree" (a need-bearing
#: agreement, unlike a bare "+1", which is noise).
FACETS: dict[str, tuple[str, ...]] = {
    "pain": (
        "{scene}，{task}总是{pain}",
        "{scene}最头疼的就是{pain}",
        "{task}的时候老是{pain}",
        "{scene}真的崩溃，{pain}",
        "说实话{task}最怕的就是{pain}",
        "试了好几个{product}，还是{pain}",
        "有没有人和我一样，{scene}就{pain}",
        "{persona}的日常：{scene}，然后{pain}",
    ),
    "wish": (
        "希望有{wish}的{product}",
        "其实我想要的就是{wish}",
        "要是有{wish}的{product}就好了",
        "{persona}真的需要{wish}的{product}",
        "求一个{wish}的{product}，{scene}也能用",
        "我的要求不高，{wish}就行",
        "如果有{product}能做到{wish}，我立马下单",
        "有没有{product}能{wish}，{persona}太需要了",
    ),
    "question": (
        "有没有{wish}的{product}推荐？",
        "{addr}{scene}都是怎么{task}的？",
        "{persona}们平时用什么{product}？想要{wish}的",
        "求推荐{product}，{scene}用，最好{wish}",
        "{task}{pain}怎么办啊？",
        "问下{addr}，{task}老是{pain}有解吗？",
    ),
    "agree": (
        "我也是，{task}老是{pain}",
        "同感，{scene}真的太折磨了",
        "+1，我也想要{wish}的{product}",
        "太懂了，我也是{pain}",
        "同求{wish}的{product}",
        "不止你一个，{persona}都有这个烦恼",
        "一样一样，{scene}{task}简直噩梦",
    ),
}


NEEDS: tuple[PlantedNeed, ...] = (
    # ---------------------------------------------------------------- 美妆/护肤
    PlantedNeed(
        key="late_night_quick_base",
        title="熬夜党快速伪素颜底妆",
        domain=BEAUTY,
        persona="熬夜党",
        scene="早上赶时间",
        personas=("熬夜党", "加班党", "早八人", "打工人", "上班族"),
        scenes=("早上赶时间", "熬夜之后早起", "加班到半夜第二天还要早起", "通勤前只剩十分钟", "早上睡过头"),
        tasks=("上底妆", "打粉底", "化底妆", "涂粉底液"),
        pains=("弄不均匀", "卡粉", "一块一块的", "斑驳", "浮在脸上", "起皮"),
        wishes=("又快又服帖", "看起来像没化妆但有气色", "手指一抹就匀", "三分钟就能搞定", "自然伪素颜"),
        products=("底妆", "粉底液", "气垫", "素颜霜"),
        templates=(
            "熬夜之后脸色发黄，{task}又{pain}，真想要{wish}的{product}",
            "{scene}根本没时间打湿美妆蛋，{task}全靠手指，结果{pain}",
            "想要那种伪素颜的{product}，别人看不出化了妆但气色很好",
            "黑眼圈重，遮瑕一多就厚重，{wish}就好了",
            "{persona}的脸真的经不起厚重的{product}，一厚就{pain}",
            "早上能多睡十分钟就好，{product}最好{wish}",
            "{scene}，上班前五分钟能搞定的底妆有吗",
            "素颜去上班被同事问是不是生病了，化全妆又来不及",
        ),
        popularity=1.6,
    ),
    PlantedNeed(
        key="oily_skin_long_wear",
        title="油皮夏日通勤控油持妆",
        domain=BEAUTY,
        persona="油皮",
        scene="夏天通勤",
        personas=("油皮", "大油皮", "混油皮", "油痘肌"),
        scenes=("夏天通勤", "挤地铁上班", "中午吃完饭", "下午开会前", "天一热"),
        tasks=("补妆", "带妆", "定妆", "上妆"),
        pains=("脱妆", "出油斑驳", "鼻翼脱得一塌糊涂", "油光满面", "暗沉氧化"),
        wishes=("控油一整天", "持妆八小时不暗沉", "不用一直补妆", "清爽不闷痘"),
        products=("粉底液", "定妆喷雾", "散粉", "妆前乳"),
        templates=(
            "{persona}真的太难了，{scene}到公司脸上就开始{pain}",
            "上午十点不到T区就出油，下午{product}基本没了",
            "吸油纸一天要用半包，有没有{wish}的{product}",
            "{persona}求一个{wish}的{product}，夏天实在扛不住",
            "持妆和控油好像不能兼得，控油的都干，滋润的都{pain}",
            "{task}补到后面{pain}还卡粉，越补越脏",
        ),
        popularity=1.2,
    ),
    PlantedNeed(
        key="sensitive_skin_seasonal_redness",
        title="敏感肌换季泛红温和修护",
        domain=BEAUTY,
        persona="敏感肌",
        scene="换季",
        personas=("敏感肌", "干敏皮", "薄皮", "红血丝肌"),
        scenes=("换季", "一降温", "吹了一天空调", "刚刷完酸", "秋天风一吹"),
        tasks=("护肤", "涂面霜", "用精华", "上水乳"),
        pains=("泛红刺痛", "脸颊发烫", "起皮发痒", "爆小疹子", "一碰就红"),
        wishes=("温和不刺激", "成分简单能修护屏障", "敏感期也敢用", "涂上去不刺痛"),
        products=("面霜", "修护精华", "水乳", "舒缓面膜"),
        templates=(
            "{scene}脸就{pain}，现在什么都不敢往脸上抹",
            "{persona}换季真的好痛苦，{product}一上脸就{pain}",
            "想要{wish}的{product}，成分表看得头都大了",
            "换了三款{product}都不行，{pain}反反复复",
            "有没有{persona}也能放心用的{product}，最好{wish}",
        ),
        popularity=1.0,
    ),
    PlantedNeed(
        key="student_budget_sunscreen",
        title="学生党平价清爽防晒",
        domain=BEAUTY,
        persona="学生党",
        scene="军训上课每天涂",
        personas=("学生党", "大学生", "穷学生", "宿舍党"),
        scenes=("军训暴晒", "每天上早八", "去操场上体育课", "周末出去玩", "骑车去上课"),
        tasks=("涂防晒", "补防晒", "叠防晒再上妆", "抹防晒霜"),
        pains=("搓泥", "闷痘", "假白", "油腻", "辣眼睛"),
        wishes=("便宜大碗又清爽", "清爽不搓泥", "不假白还便宜", "大瓶够用一个夏天"),
        products=("防晒", "防晒霜", "防晒喷雾", "防晒乳"),
        templates=(
            "生活费有限，大牌{product}用不起，平价的又{pain}",
            "{scene}必须{task}，但是每次都{pain}[捂脸]",
            "{persona}求推荐便宜好用的{product}，不要{pain}的",
            "宿舍几个人都在找{wish}的{product}",
            "{product}用得特别快，想要{wish}的",
        ),
        popularity=0.8,
    ),
    PlantedNeed(
        key="glasses_makeup_no_marks",
        title="眼镜党鼻梁不压痕不蹭妆",
        domain=BEAUTY,
        persona="眼镜党",
        scene="戴眼镜一整天",
        personas=("眼镜党", "近视党", "框架眼镜党"),
        scenes=("戴眼镜一整天", "戴框架眼镜上班", "摘眼镜", "眼镜一推"),
        tasks=("上底妆", "化眼妆", "遮瑕", "定妆"),
        pains=("鼻梁上两个印子", "鼻托那里卡粉", "镜片上全是粉", "被镜框挡住"),
        wishes=("戴眼镜也不压痕", "鼻梁处不掉妆", "眼镜框下也显精神", "不蹭镜片"),
        products=("底妆", "定妆粉", "遮瑕", "眼妆"),
        templates=(
            "{persona}的痛谁懂，{scene}，摘下来{pain}",
            "每次摘眼镜鼻梁两边的粉都没了，特别明显",
            "想要{wish}的{product}，{persona}真的很需要",
            "戴眼镜化眼妆根本看不出来，有没有适合{persona}的画法或者产品",
            "镜片上总是蹭到粉底，擦都擦不干净",
        ),
        popularity=0.7,
    ),
    # ---------------------------------------------------------------- 母婴
    PlantedNeed(
        key="night_feeding_quick_formula",
        title="夜奶快速冲奶免等水温",
        domain=BABY,
        persona="新手妈妈",
        scene="夜里喂奶",
        personas=("新手妈妈", "新手爸妈", "二胎妈妈", "全职妈妈"),
        scenes=("夜里喂奶", "半夜宝宝哭醒", "凌晨三点起来冲奶", "一晚上起三四次", "宝宝饿得大哭"),
        tasks=("冲奶粉", "调水温", "泡奶", "烧水晾温水"),
        pains=("手忙脚乱", "等水凉等半天", "水温一会冷一会烫", "把全家都吵醒", "困得睁不开眼"),
        wishes=("一键出恒温水", "三十秒就能冲好", "不用开大灯也能操作", "安静不吵醒宝宝"),
        products=("恒温水壶", "冲奶机", "调奶器", "夜灯"),
        templates=(
            "{scene}，一边哄一边{task}，真的{pain}",
            "晚上冲奶要开灯，一开灯宝宝就彻底醒了",
            "有没有{wish}的{product}，夜奶太折磨人了",
            "{persona}求助：{scene}怎么才能快点{task}",
            "老公睡得死，夜奶全靠我，要是{product}能{wish}就好了",
        ),
        popularity=1.5,
    ),
    PlantedNeed(
        key="working_parent_quick_baby_food",
        title="双职工快手宝宝辅食",
        domain=BABY,
        persona="上班妈妈",
        scene="下班后做辅食",
        personas=("上班妈妈", "双职工家庭", "职场妈妈", "宝爸"),
        scenes=("下班回家都七点了", "工作日早上", "周末一次性备餐", "老人不会做辅食"),
        tasks=("做辅食", "备辅食", "蒸泥打泥", "给宝宝做饭"),
        pains=("要花一个多小时", "花样翻来覆去就那几样", "宝宝不爱吃", "洗机器洗到崩溃"),
        wishes=("十分钟就能做好", "营养均衡又省事", "能提前做好冻起来", "宝宝爱吃不挑"),
        products=("辅食机", "辅食食谱", "辅食盒", "料理棒"),
        templates=(
            "{scene}，还要{task}，真的{pain}",
            "辅食每天都要变花样，上班的人哪有那么多时间",
            "想找{wish}的{product}，最好一周都不重样",
            "{persona}怎么解决辅食问题的？外面买的又不放心",
            "{task}太耗时间了，有没有{wish}的办法",
        ),
        popularity=1.0,
    ),
    PlantedNeed(
        key="solo_outing_one_hand_stroller",
        title="独自带娃出行单手收推车",
        domain=BABY,
        persona="宝妈",
        scene="一个人带娃坐地铁",
        personas=("宝妈", "独自带娃的妈妈", "小个子妈妈"),
        scenes=("一个人带娃坐地铁", "上下公交", "抱着娃出门", "住没有电梯的老小区"),
        tasks=("收推车", "搬推车", "折叠推车", "推车上下楼梯"),
        pains=("一只手根本弄不动", "手忙脚乱差点摔了", "重得抬不起来", "半天收不起来"),
        wishes=("单手一秒收车", "轻到一只手能提", "能直接带上飞机", "收起来能塞进小柜子"),
        products=("推车", "遛娃神器", "伞车", "婴儿车"),
        templates=(
            "{scene}，怀里抱着娃还要{task}，{pain}",
            "现在这个{product}太重了，一个人带娃根本没法出门",
            "想要{wish}的{product}，一个人带娃太需要了",
            "{persona}们出门都用什么{product}？我家的{pain}",
            "上次在地铁口{task}，旁边的人都看着我，尴尬死了",
        ),
        popularity=0.9,
    ),
    PlantedNeed(
        key="baby_eczema_gentle_moisturizer",
        title="秋冬宝宝湿疹温和保湿",
        domain=BABY,
        persona="新手妈妈",
        scene="秋冬干燥",
        personas=("新手妈妈", "湿疹宝宝的妈妈", "过敏体质宝宝家长"),
        scenes=("秋冬干燥", "一开暖气", "洗完澡", "换季", "天一冷"),
        tasks=("给宝宝抹润肤霜", "给宝宝洗澡", "护理小脸", "涂保湿霜"),
        pains=("脸上起红疹子", "干得起皮", "宝宝痒得一直抓", "反反复复好不了"),
        wishes=("无香精无激素", "温和又保湿持久", "新生儿也能用", "抹一次管一天"),
        products=("润肤霜", "保湿霜", "婴儿面霜", "身体乳"),
        templates=(
            "{scene}宝宝{pain}，心疼死了",
            "{persona}求助，宝宝小脸红红的一片，是湿疹吗",
            "医生说要多保湿，但是很多{product}有香精不敢用",
            "想找{wish}的{product}，宝宝皮肤太嫩了",
            "{task}的时候宝宝一直哭，抹完过一会又{pain}",
        ),
        popularity=1.1,
    ),
    PlantedNeed(
        key="back_to_work_pumping",
        title="职场背奶便携吸奶储奶",
        domain=BABY,
        persona="背奶妈妈",
        scene="上班时吸奶",
        personas=("背奶妈妈", "职场背奶妈妈", "刚休完产假的妈妈"),
        scenes=("上班时吸奶", "公司没有母婴室", "出差", "通勤路上", "开会开一下午"),
        tasks=("吸奶", "储奶", "背奶回家", "找地方吸奶"),
        pains=("只能躲在厕所", "奶量越来越少", "冰包不够冷", "吸奶器太吵同事都听到"),
        wishes=("静音又能穿戴", "小到能放包里", "不用插电随时吸", "保冷一整天"),
        products=("吸奶器", "储奶袋", "背奶包", "冰包"),
        templates=(
            "{scene}，{task}{pain}，太心酸了",
            "产假快结束了，想提前准备背奶装备，求推荐",
            "想要{wish}的{product}，上班用太需要了",
            "{persona}们都是怎么解决{task}的？",
            "每天背着一大堆东西挤地铁，{product}能不能{wish}",
        ),
        popularity=0.8,
    ),
    # ---------------------------------------------------------------- 跑步/健身
    PlantedNeed(
        key="rainy_day_running_gear",
        title="雨天跑步防滑防湿装备",
        domain=RUN,
        persona="跑者",
        scene="下雨天跑步",
        personas=("跑者", "晨跑党", "跑步爱好者", "打卡党"),
        scenes=("下雨天跑步", "南方梅雨季", "雨后路面湿滑", "早上出门突然下雨"),
        tasks=("出门跑", "跑间歇", "打卡", "跑长距离"),
        pains=("鞋子湿透了特别重", "地砖太滑差点摔", "袜子湿了磨脚", "眼镜全是水看不清"),
        wishes=("防滑又排水快", "湿了也不磨脚", "轻便防水不闷", "下雨也能照常跑"),
        products=("跑鞋", "防水外套", "跑步帽", "跑步袜"),
        templates=(
            "{scene}，一圈下来{pain}",
            "最近连着下雨，打卡断了好几天了",
            "想要{wish}的{product}，下雨天也不想停跑",
            "{persona}们下雨天都怎么跑？跑步机实在太无聊",
            "雨天穿普通跑鞋，{pain}",
        ),
        popularity=1.2,
    ),
    PlantedNeed(
        key="beginner_knee_pain",
        title="新手跑者护膝减震",
        domain=RUN,
        persona="跑步新手",
        scene="跑完五公里",
        personas=("跑步新手", "大体重跑者", "小白跑者", "减肥党"),
        scenes=("跑完五公里", "连续跑了一周", "下楼梯", "跑了半个月", "加量之后"),
        tasks=("跑步", "跑长距离", "慢跑", "上下坡"),
        pains=("膝盖外侧疼", "膝盖发软", "髌骨酸痛", "脚底板疼"),
        wishes=("减震好保护膝盖", "不伤膝盖", "能循序渐进不伤膝盖", "护膝不勒又稳"),
        products=("跑鞋", "护膝", "训练计划", "鞋垫"),
        templates=(
            "{scene}{pain}，是不是姿势不对",
            "{persona}求助：{task}之后{pain}要不要停一段时间",
            "想买{wish}的{product}，预算五百左右",
            "不想因为膝盖放弃跑步，有什么办法吗",
            "{persona}体重基数大，{task}特别怕伤膝盖",
        ),
        popularity=1.3,
    ),
    PlantedNeed(
        key="night_run_visibility",
        title="下班夜跑安全可见",
        domain=RUN,
        persona="夜跑党",
        scene="下班夜跑",
        personas=("夜跑党", "上班族", "女生跑者"),
        scenes=("下班夜跑", "晚上九点以后跑", "天黑得越来越早", "公园路灯坏了", "绕小区跑"),
        tasks=("夜跑", "过马路", "跑绿道", "跑步"),
        pains=("电动车差点撞上", "看不清路面崴了脚", "一个人有点害怕", "车根本看不到人"),
        wishes=("远处车也能看到", "亮但不晃眼", "轻到跑起来没感觉", "能一键报平安"),
        products=("反光背心", "头灯", "臂灯", "安全手环"),
        templates=(
            "{scene}，上次{pain}，吓出一身汗",
            "{persona}只能晚上跑，但是安全真的是个问题",
            "想要{wish}的{product}，夜跑太需要了",
            "黑衣服夜跑太危险了，{product}有推荐吗",
            "{scene}总担心安全问题，想要{wish}的{product}",
        ),
        popularity=0.9,
    ),
    PlantedNeed(
        key="office_home_workout",
        title="上班族碎片时间居家训练",
        domain=RUN,
        persona="上班族",
        scene="午休或下班后在家",
        personas=("上班族", "久坐党", "社畜", "996打工人"),
        scenes=("午休只有半小时", "下班回家已经九点", "出差住酒店", "周末窝在家", "下雨去不了健身房"),
        tasks=("锻炼", "练力量", "做燃脂训练", "坚持运动"),
        pains=("根本坚持不下来", "不知道练什么", "楼下邻居嫌吵", "办了卡去不了几次"),
        wishes=("二十分钟搞定", "不跳跃不扰民", "不用器械在家就能练", "有人带着练"),
        products=("训练计划", "健身app", "哑铃", "弹力带"),
        templates=(
            "健身卡办了三千多，一个月去了两次[捂脸]",
            "{scene}，想{task}但是{pain}",
            "{persona}需要{wish}的{product}，时间太碎了",
            "在家跳操楼下邻居嫌吵，有没有安静点的练法",
            "{persona}久坐腰酸背痛，{wish}的训练有推荐吗",
        ),
        popularity=1.0,
    ),
    PlantedNeed(
        key="running_phone_carry",
        title="跑步手机钥匙贴身不晃收纳",
        domain=RUN,
        persona="跑者",
        scene="出门跑步要带手机",
        personas=("跑者", "晨跑党", "女生跑者", "马拉松爱好者"),
        scenes=("出门跑步要带手机", "跑步听歌", "跑长距离要带能量胶", "穿紧身裤跑步"),
        tasks=("带手机", "放钥匙", "装补给", "拿水"),
        pains=("一路晃来晃去", "手机掉出来摔了", "腰包勒得难受", "口袋太小塞不下"),
        wishes=("贴身不晃", "能放下大屏手机", "跑起来完全没感觉", "拿取方便"),
        products=("腰包", "臂包", "跑步腰带", "带口袋的跑步裤"),
        templates=(
            "{scene}，{pain}，太影响节奏了",
            "跑着跑着手机从口袋滑出来，屏幕都摔裂了",
            "想要{wish}的{product}，试了好几个都不满意",
            "{persona}们手机钥匙都放哪？",
            "现在的手机越来越大，普通{product}根本装不下",
        ),
        popularity=0.8,
    ),
)

NEEDS_BY_KEY: dict[str, PlantedNeed] = {need.key: need for need in NEEDS}
