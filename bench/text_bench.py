"""Throughput of the text stage: ``clean_messages`` on synthetic ~20-character chat messages.

Run: ``python bench/text_bench.py [n_messages]``. Prints messages/s on one core. Every text is
unique (a counter is mixed in) so the per-text cache does not flatter the number.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timezone

from needminer.text import clean_messages
from needminer.types import Message

_PARTS = [
    "這個粉底液真的很難推開", "早上赶时间总是弄不均匀", "有没有不卡粉的气垫推荐", "求一个伪素颜的底妆",
    "加班多皮肤状态很差[捂脸]", "我也是😭", "同求！！！", "链接发一下 https://m.tb.cn/h.5xYz",
    "电话13800001234找我", "SPF50的防晒也会搓泥", "¥199买的还行", "3个月用完一瓶",
    "顺丰单号SF1234567890123", "地址：北京市朝阳区建国路88号", "哈哈哈哈哈哈", "/::D太好用了",
]


def make_messages(n: int, members: int = 500, seed: int = 0) -> list[Message]:
    rng = random.Random(seed)
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    names = [f"群友{i:03d}" for i in range(members)]
    msgs = []
    for i in range(n):
        who = rng.randrange(members)
        # a unique tail (two CJK chars from the counter) so the per-text cache never hits
        text = rng.choice(_PARTS) + chr(0x4E00 + i % 20000) + chr(0x4E00 + i // 20000 % 20000)
        if len(text) < 16:
            text += rng.choice(_PARTS)
        if rng.random() < 0.1:
            text = f"@{names[rng.randrange(members)]}\u2005" + text
        msgs.append(Message(str(i), "美妆交流群", f"wxid_{who:06d}", text, t, names[who]))
    return msgs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    msgs = make_messages(n)
    clean_messages(msgs[:100], secret=b"bench")  # warm OpenCC and regex caches
    start = time.perf_counter()
    out = clean_messages(msgs, secret=b"bench")
    elapsed = time.perf_counter() - start
    chars = sum(len(m.text) for m in msgs) / n
    print(f"clean_messages: {n} messages (avg {chars:.1f} chars) in {elapsed:.2f} s "
          f"= {n / elapsed:,.0f} messages/s")
    assert len(out) == n


if __name__ == "__main__":
    main()
