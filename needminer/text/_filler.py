"""Words that are never keywords or title words: placeholders, pseudonyms, @mentions and filler.

``banned`` is shared by c-TF-IDF keywords (``ctfidf_keywords``) and the describer's titles and slots.
"""

from __future__ import annotations

import re

# placeholders ([手机号]), pseudonyms (成员-3fa2c1) and their hashes, @mentions, emoticon codes
_BANNED = re.compile(r"[\[\]【】@＠]|成员|^[0-9a-f]{4,}$|[0-9a-f]{6}|^\d+$")
# words that carry no need (filler, hedges, time words of chit-chat)
FILLER = frozenset(
    "差点 出来 不了 一下 一点 一些 一样 一起 这样 那样 怎么 什么 真的 感觉 觉得 有点 还是 就是 然后 但是 可以 不能 没有 "
    "已经 现在 今天 明天 昨天 小时 时候 东西 事情 问题 大家 我们 你们 他们 自己 这个 那个 哈哈 哈哈哈 貌似 好像 容易 不然 "
    "快去 去掉 之前 之后 以后 还有 或者 而且 因为 所以 如果 虽然 只是 其实 确实 反正 起来 不好 同感 有用 撑不住 报名 "
    "一个 这么 那么 太懂 需要 知道 其中 方面 很多 不错 喜欢 再说 尴尬 "
    # hedges and generic verbs that carry no object: 只能, 使用, 引起
    "只能 相互 互相 不敢 厉害 使用 引起 意思 直接 麻烦 帮忙 谢谢 请问 一般 应该 肯定 "
    # how members address each other in a group chat (老师好，请问…): who is asked, not what about
    "老师 同学 同学们 各位 亲们 群主 楼主 小伙伴 大神 群友 学长 学姐 师兄 师姐 学长学姐 师兄师姐 "
    # a year is no object (学长学姐项目今年 on a real QQ group)
    "今年 去年 明年 前年 "
    # question words that ask and a bare locative: they name nothing (offer多少行情, 零散需求·上海干嘛, 回家中秋附近)
    "干嘛 多少 附近 一位 "
    # hedges of a private chat (方向实在, 一下下 on a real QQ export)
    "实在 一下下".split()
)
# laughter and cheering typed as a run (wwwww, hhhh, 哈哈哈哈, 啊啊啊, 2333, 666, hahaha): a mood, no object
# a numeral and its measure word (一款, 几天, 一大, 两次): how many, not what about
_COUNT = re.compile(r"^[一二两三四五六七八九十几半每]+[个款天次件种位条张只本把台部块些点下大难小遍趟场句声]$")
_LAUGH = re.compile(r"^(?:(.)\1{2,}|2333+|(?:ha){2,}h?|(?:he){2,}|(?:哈|呵|嘿|嘻|啊|嗯|哦){2,})$", re.IGNORECASE)


def banned(word: str) -> bool:
    """A word that must never appear in a title or keyword list (placeholder, pseudonym, filler)."""
    w = word.strip()
    return not w or bool(_BANNED.search(w)) or w in FILLER or bool(_LAUGH.match(w) or _COUNT.match(w)) or _english_filler(w)


def _english_filler(word: str) -> bool:
    """Latin words that say nothing (you, guys, are), or a run of them (you guys)."""
    if not _LATIN.fullmatch(word):
        return False
    from needminer.text._english import english_stop_words

    stops = english_stop_words()
    return all(t in stops or len(t) < 2 for t in word.lower().split())


_LATIN = re.compile(r"[A-Za-z' ]+")
