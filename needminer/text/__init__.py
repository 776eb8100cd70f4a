"""Text stage: normalisation, personal-data redaction and speaker pseudonymisation.

    >>> from needminer.text import normalize, redact
    >>> redact(normalize("這個粉底液真的很難推開，電話１３８００１３８０００"))
    '这个粉底液真的很难推开，电话[手机号]'

``clean_messages`` runs the whole stage on ``Message`` objects and returns ``CleanMessage``
objects whose text, quote, chat and speaker carry no personal data or real names. Person names in
text become ``[姓名]`` (``NAME``); text never holds a pseudonym, so it does not depend on the
workspace secret.

It also holds the Chinese-text helpers later stages share: the jieba segmenter and phrase
candidates (``make_vectorizer``), c-TF-IDF keywords (``ctfidf_keywords``), the words that are never
keywords (``banned``) and the patterns of chat decoration (``EMOJI``, ``BRACKET_EMOTICON`` …).
"""

from needminer.text._clean import UNKNOWN_MENTION, TextCleaner, clean_messages
from needminer.text._ctfidf import ctfidf_keywords, term_counts
from needminer.text._decor import BRACKET_EMOTICON, CONTACT_PLACEHOLDER, EMOJI, KAOMOJI, MEDIA_PLACEHOLDER
from needminer.text._emoticons import (
    CATEGORIES as EMOTICON_CATEGORIES,
    Emoticon,
    emoticon_categories,
    emoticon_category,
    emoticon_tokens,
)
from needminer.text._english import english_stop_words
from needminer.text._filler import FILLER, banned
from needminer.text._normalize import LINK, fold_repeats, normalize
from needminer.text._pseudonym import Pseudonymizer
from needminer.text._names import is_common_word, is_whole_word, name_spans
from needminer.text._redact import NAME, PLACEHOLDERS, redact, redact_spans
from needminer.text._segment import (
    DOMAIN_WORDS,
    PHRASE_SEP,
    ChineseTokenizer,
    cut,
    is_place,
    keyword_stop_words,
    load_jieba,
    make_vectorizer,
    phrase_candidates,
    phrase_text,
    stop_words,
    word_class,
)

__all__ = [
    "BRACKET_EMOTICON",
    "CONTACT_PLACEHOLDER",
    "ChineseTokenizer",
    "DOMAIN_WORDS",
    "EMOJI",
    "EMOTICON_CATEGORIES",
    "Emoticon",
    "FILLER",
    "KAOMOJI",
    "LINK",
    "MEDIA_PLACEHOLDER",
    "NAME",
    "PHRASE_SEP",
    "PLACEHOLDERS",
    "Pseudonymizer",
    "UNKNOWN_MENTION",
    "banned",
    "clean_messages",
    "cut",
    "TextCleaner",
    "ctfidf_keywords",
    "term_counts",
    "emoticon_categories",
    "emoticon_category",
    "emoticon_tokens",
    "english_stop_words",
    "fold_repeats",
    "is_common_word",
    "is_place",
    "is_whole_word",
    "keyword_stop_words",
    "load_jieba",
    "make_vectorizer",
    "name_spans",
    "normalize",
    "phrase_candidates",
    "phrase_text",
    "redact",
    "redact_spans",
    "stop_words",
    "word_class",
]
