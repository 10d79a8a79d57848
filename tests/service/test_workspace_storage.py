"""Migration 0002 creates exactly the tables the models map, on a fresh SQLite database;
the database itself refuses illegal values; downgrade and upgrade again work."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from kvalitet.storage.db import Database
from kvalitet.storage.migrations import current_revision, upgrade
from kvalitet.workspace.models import WORKSPACE_TABLES
from tests.helpers.migrations import schema_diffs
from tests.helpers.workspace import make_settings


@pytest.fixture
def db(tmp_path):
    d = Database(make_settings(tmp_path))
    d.create_all()
    yield d
    d.dispose()


def test_migration_reaches_head_with_the_workspace_tables(db):
    assert current_revision(db) is not None
    names = set(inspect(db.engine).get_table_names())
    assert set(WORKSPACE_TABLES) <= names


def test_models_and_migration_agree(db):
    """Autogenerate finds no difference between the models and what 0002 created."""
    import kvalitet.workspace.models  # noqa: F401 - registers the tables on Base.metadata

    assert schema_diffs(db, WORKSPACE_TABLES) == []


def test_check_constraints_hold_in_the_database(db):
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (name, role, token_id, token_hash, active, created_at) "
                "VALUES ('x', 'chef', 'abc', 'h', 1, '2024-01-01')"
            ))
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (name, role, token_id, token_hash, active, created_at) "
            "VALUES ('x', 'rektor', 'abc', 'h', 1, '2024-01-01')"
        ))
    with pytest.raises(IntegrityError):  # token ids are unique: one row per lookup
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (name, role, token_id, token_hash, active, created_at) "
                "VALUES ('y', 'rektor', 'abc', 'h', 1, '2024-01-01')"
            ))
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO reports (title, kind, year, unit, state, version, created_at, updated_at) "
                "VALUES ('t', 'roman', 2024, 'u', 'draft', 1, '2024-01-01', '2024-01-01')"
            ))


def test_downgrade_and_upgrade_again(db):
    from alembic import command

    from kvalitet.storage.migrations import alembic_config

    command.downgrade(alembic_config(db), "0001")
    names = set(inspect(db.engine).get_table_names())
    assert not set(WORKSPACE_TABLES) & names and "passages" in names
    upgrade(db)
    assert set(WORKSPACE_TABLES) <= set(inspect(db.engine).get_table_names())
