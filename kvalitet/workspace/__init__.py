"""The report workspace: reports, activities, drafts under review, audit trail, export.

`Workspace` (service.py) is the one entry point for the API, the CLI, the web UI and the chat.
"""

from kvalitet.workspace.auth import User
from kvalitet.workspace.service import Workspace

__all__ = ["Workspace", "User"]
