"""Optional LLM describer behind the same interface: an OpenAI-compatible endpoint the user names.

Off by default. It starts from the extractive statement (slots citing fragments), sends the
slots and a few representative quotes — already redacted and pseudonymised — to the endpoint and
asks for a short title and a one-line statement. Anything unusable (network error, non-JSON,
a title over 16 characters) falls back to the extractive wording, so a run never fails on it.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from needminer.describe._faithful import faithfulness
from needminer.errors import ConfigError
from needminer.types import Fragment, NeedCluster, NeedStatement, Signal

PROMPT = (
    "你是资深产品经理。下面是社群聊天中同一个潜在需求的要点和原话（已脱敏）。"
    "请用 JSON 回答：{\"title\": 不超过16个汉字的场景化需求标题（如“熬夜党快速伪素颜底妆”）, "
    "\"statement\": 一句话需求陈述（谁、在什么场景、想要什么、卡在哪里）}。只依据给出的内容，不要编造。"
)


class LLMDescriber:
    """Describe needs with an OpenAI-compatible chat-completions endpoint.

    Args:
        base_url: Endpoint base, e.g. ``http://127.0.0.1:8000/v1`` (a local server) — required.
        model: Model name sent in the request.
        api_key_env: Environment variable holding the API key (may be unset for local servers).
        timeout_s: Per-request timeout.
        max_quotes: Quotes sent per need.
        lang: Language of the extractive statement it starts from and falls back to (``zh``/``en``).
    """

    def __init__(
        self, *, base_url: str = "", model: str = "", api_key_env: str = "OPENAI_API_KEY",
        timeout_s: float = 60.0, max_quotes: int = 5, lang: str = "zh",
    ) -> None:
        self.lang = lang
        self.base_url = base_url
        self.model = model
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.max_quotes = max_quotes

    def fit(self, fragments) -> LLMDescriber:
        from needminer.describe import ExtractiveDescriber

        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"The LLM describer needs describe.llm_base_url like http://127.0.0.1:8000/v1. Got {self.base_url!r}."
            )
        self.extractive_ = ExtractiveDescriber(lang=self.lang).fit(fragments)
        self.failures_ = 0
        self.unfaithful_ = 0
        return self

    def describe(self, cluster: NeedCluster, fragments: Mapping[str, Fragment], signals: Mapping[str, Signal]) -> NeedStatement:
        base = self.extractive_.describe(cluster, fragments, signals)
        if cluster.label:  # a known need's name wins (guided mode)
            return base
        quotes = [fragments[f].text for f in base.quote_fragment_ids[: self.max_quotes] if f in fragments]
        slots = {name: slot.text for name, slot in base.slots.items()}
        content = json.dumps({"slots": slots, "keywords": list(base.keywords[:8]), "quotes": quotes}, ensure_ascii=False)
        answer = self._complete(content)
        if answer is None:
            self.failures_ += 1
            return base
        title, statement = answer
        said = [fragments[f].text for f in base.quote_fragment_ids if f in fragments]
        if faithfulness(title, said) < 1.0:  # an invented word sends the need back to the extractive wording
            self.unfaithful_ += 1
            return base
        return replace(base, title=title, statement=statement or base.statement)

    def _complete(self, content: str) -> tuple[str, str] | None:
        parts = urlsplit(self.base_url)
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        body = json.dumps(
            {"model": self.model, "temperature": 0, "messages": [
                {"role": "system", "content": PROMPT}, {"role": "user", "content": content}]},
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env, "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        try:
            conn = conn_cls(parts.netloc, timeout=self.timeout_s)
            conn.request("POST", parts.path.rstrip("/") + "/chat/completions", body=body, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            conn.close()
            if resp.status != 200:
                return None
            text = json.loads(raw)["choices"][0]["message"]["content"]
            start, end = text.find("{"), text.rfind("}")
            data = json.loads(text[start : end + 1])
        except (OSError, ValueError, KeyError, IndexError, TypeError, http.client.HTTPException):
            return None
        title = str(data.get("title", "")).strip()
        if not title or len(title) > 16:
            return None
        return title, str(data.get("statement", "")).strip()
