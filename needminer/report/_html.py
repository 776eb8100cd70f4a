"""Render the self-contained ``index.html`` from the page payload.

Safety model: chat text may be hostile. It reaches the page only as JSON inside
``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so
nothing in it can close the block or start markup, and the page script puts it into the DOM
only through ``textContent`` / ``createElement``. A Content-Security-Policy that allows just
the one inline script (by hash) and no network at all backs this up.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from needminer.report._i18n import check_lang, ui_strings
from needminer.report._page import page_data

_TOKEN = re.compile(r"\{\{(t:)?([a-z_]+)\}\}")
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


@lru_cache(maxsize=None)
def resource_text(name: str) -> str:
    """Text of a file in ``needminer/report/resources/``."""
    return resources.files("needminer.report").joinpath("resources", name).read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` block: no ``</script``, ``<!--`` or line separators."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    # These characters only occur inside JSON strings, where a \\u escape means the same character.
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def render_html(payload: Mapping[str, Any], lang: str) -> str:
    """Build the report page.

    Args:
        payload: A ``needs.json`` document (``{"schema", "generated", "needs"}``) with optional
            extra keys ``manifest``, ``health``, ``unclustered`` (list of evidence dicts as in
            needs.json) and ``formula``.
        lang: ``"zh"`` (default UI) or ``"en"``.

    Returns:
        One self-contained HTML document (inline CSS, JS and SVG; no external URL).

    Raises:
        ConfigError: ``lang`` is not supported.
    """
    check_lang(lang)
    ui = ui_strings(lang)
    script = resource_text("report.js")
    values = {
        "lang": "zh-CN" if lang == "zh" else "en",
        "csp": _csp(script),
        "css": resource_text("report.css"),
        "js": script,
        "data": script_json(page_data(payload, lang)),
    }

    def fill(m: re.Match[str]) -> str:
        if m.group(1):  # {{t:key}}: a UI string, escaped for HTML text and attributes
            return html.escape(ui[m.group(2)], quote=True)
        return values[m.group(2)]

    # One pass: text inserted for a token is never scanned for further tokens.
    return _TOKEN.sub(fill, resource_text("template.html"))
