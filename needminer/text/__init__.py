"""Text stage: normalisation, personal-data redaction and speaker pseudonymisation.

    >>> from needminer.text import normalize, redact
    >>> redact(normalize("這個粉底液真的很難推開，電話１３８００１３８０００"))
    '这个粉底液真的很难推开，电话[手机号]'

``clean_messages`` runs the whole stage on ``Message`` objects and returns ``CleanMessage``
objects whose text, quote, chat and speaker carry no personal data or real names. Person names in
text become ``[姓名]`` (``NAME``); text never holds a pseudonym, so it does not depend on the
workspace secret.
"""

from needminer.text._clean import UNKNOWN_MENTION, clean_messages
from needminer.text._emoticons import (
    CATEGORIES as EMOTICON_CATEGORIES,
    Emoticon,
    emoticon_categories,
    emoticon_category,
    emoticon_tokens,
)
from needminer.text._english import english_stop_words
from needminer.text._normalize import LINK, fold_repeats, normalize
from needminer.text._pseudonym import Pseudonymizer
from needminer.text._names import is_common_word, is_whole_word, name_spans
from needminer.text._redact import NAME, PLACEHOLDERS, redact, redact_spans

__all__ = [
    "EMOTICON_CATEGORIES",
    "LINK",
    "NAME",
    "PLACEHOLDERS",
    "UNKNOWN_MENTION",
    "Emoticon",
    "Pseudonymizer",
    "clean_messages",
    "emoticon_categories",
    "emoticon_category",
    "emoticon_tokens",
    "english_stop_words",
    "is_common_word",
    "is_whole_word",
    "name_spans",
    "fold_repeats",
    "normalize",
    "redact",
    "redact_spans",
]
