"""HTTP helpers shared by the routers: reading an upload within the size limit (the one
definition is kvalitet.ingest.documents, which the web pages use too)."""

from __future__ import annotations

from kvalitet.ingest.documents import read_limited

__all__ = ["read_limited"]
