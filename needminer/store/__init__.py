"""The workspace: one SQLite file holding messages (deduplicated by id) and an embedding cache.

Re-ingesting an overlapping export adds nothing twice; a re-run embeds only texts it has not
embedded before (cache key: model id + SHA-1 of the text). By default a workspace lives in the
per-user data folder, one per set of inputs (``default_workspace``), never in the report folder.
"""

from needminer.errors import WorkspaceBusyError, WorkspaceError
from needminer.store._home import (
    WorkspaceInfo,
    clear_workspaces,
    default_workspace,
    inputs_id,
    list_workspaces,
    models_home,
    needminer_home,
    private_dir,
    write_private,
)
from needminer.store._workspace import Workspace, text_key

__all__ = [
    "Workspace",
    "WorkspaceBusyError",
    "WorkspaceError",
    "WorkspaceInfo",
    "clear_workspaces",
    "default_workspace",
    "inputs_id",
    "list_workspaces",
    "models_home",
    "needminer_home",
    "private_dir",
    "text_key",
    "write_private",
]
