"""Schema migrations with Alembic, run programmatically (no alembic.ini to keep in sync)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

SCRIPT_DIR = Path(__file__).resolve().parent / "alembic"


def alembic_config(db) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    cfg.set_main_option("sqlalchemy.url", db.settings.db_url.replace("%", "%%"))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db, revision: str = "head") -> None:
    command.upgrade(alembic_config(db), revision)


def current_revision(db) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest migration's revision id (the one head; several heads are an error)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(SCRIPT_DIR)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]
