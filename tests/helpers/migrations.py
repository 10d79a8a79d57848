"""The migrations against the models: what alembic's autogenerate finds different between a
migrated database and the tables the models declare on Base.metadata."""

from __future__ import annotations

from collections.abc import Iterable


def table_of(diff) -> str | None:
    """The table an entry of alembic's compare_metadata concerns (None when it names none)."""
    if isinstance(diff, list):  # column modifications: [(op, schema, table, column, ...)]
        return diff[0][2]
    op, obj = diff[0], diff[1]
    if op in ("add_table", "remove_table"):
        return obj.name
    if op in ("add_column", "remove_column"):
        return diff[2]
    return getattr(getattr(obj, "table", None), "name", None)


def schema_diffs(db, tables: Iterable[str] | None = None) -> list:
    """What autogenerate finds different between `db` (a kvalitet Database, migrated) and the models
    imported so far, limited to the entries about `tables` (every entry when None). [] when they agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kvalitet.storage.db import Base

    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    if tables is None:
        return diffs
    wanted = set(tables)
    return [d for d in diffs if table_of(d) in wanted]
