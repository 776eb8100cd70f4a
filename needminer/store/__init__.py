"""The workspace: one SQLite file holding messages (deduplicated by id) and an embedding cache.

Re-ingesting an overlapping export adds nothing twice; a re-run embeds only texts it has not
embedded before (cache key: model id + SHA-1 of the text).
"""

from needminer.store._workspace import Workspace, text_key

__all__ = ["Workspace", "text_key"]
