"""The report workspace: reports, activities, drafts under review, audit trail, export.

`Workspace` (service.py) is the one entry point for the API, the CLI, the web UI and the chat.
"""

from .auth import User
from .service import Workspace

__all__ = ["Workspace", "User"]
