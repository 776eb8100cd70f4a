"""Report stage: ranked needs → self-contained ``index.html``, ``needs.json``, ``briefs.md``, ``needs.csv``.

``write_report`` is what the pipeline calls; ``render_html`` and ``render_briefs`` build the
page and the briefs from a ``needs.json`` document, so a report can be re-rendered from a
saved run without the pipeline. The needs.json schema is documented in ``SCHEMA.md``.
"""

from needminer.report._briefs import render_briefs
from needminer.report._html import render_html
from needminer.report._i18n import LANGS
from needminer.report._payload import SCHEMA_VERSION, needs_document
from needminer.report._engage import need_engagement
from needminer.report._writer import public_manifest, render_csv, write_report

__all__ = [
    "LANGS",
    "SCHEMA_VERSION",
    "need_engagement",
    "needs_document",
    "public_manifest",
    "render_briefs",
    "render_csv",
    "render_html",
    "write_report",
]
