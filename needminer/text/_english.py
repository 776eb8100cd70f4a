"""English chat stop words: function words and chat filler that are never a keyword or title word.

Chats in English (Slack, Discord, Telegram, WhatsApp) share the pipeline with Chinese ones; without
these, keywords and titles are made of "you", "guys", "are" (``youguysare``).
"""

from __future__ import annotations

from functools import lru_cache

CHAT_FILLER_EN = frozenset("""
hey hi hello yo guys guy folks everyone anyone someone anybody somebody lol lmao rofl haha hahaha hehe omg wow oh ah uh
um hmm ok okay k kk yeah yea yep yup nope nah yes no sure cool nice great thanks thank thx ty pls plz please sorry btw
fyi imo tbh idk ikr wya wyd brb gtg ttyl u ur im i'm ive i've id i'd ill i'll dont don't doesnt doesn't didnt didn't cant
can't wont won't isnt isn't arent aren't wasnt wasn't gonna wanna gotta lemme gimme kinda sorta just like really actually
literally basically got get gets getting go goes going gone went know think thought say said tell told let lets let's
want wants need needs thing things stuff way lot lots bit today tomorrow yesterday tonight now later soon
did doing does done make makes made making take took come came wbu hbu gg
""".split())



@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words and the chat filler above, lower-case."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | CHAT_FILLER_EN
