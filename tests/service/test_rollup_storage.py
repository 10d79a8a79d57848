"""Migration 0007_rollup: the unit tables as the models map them; the reports' kind check
accepts huvudmannarapport; an existing database with reports, items and audit rows upgrades
with its rows intact (the reports table is rebuilt on SQLite); downgrade and upgrade again."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

import kvalitet.storage.rollup  # noqa: F401 - the unit tables on Base.metadata
import kvalitet.workspace.models  # noqa: F401
from kvalitet.storage.db import Database
from kvalitet.storage.migrations import alembic_config, current_revision, upgrade
from kvalitet.storage.rollup import ROLLUP_TABLES
from tests.helpers.migrations import schema_diffs
from tests.helpers.workspace import make_settings


def test_tables_match_the_models_and_the_report_kind_is_allowed(tmp_path):
    db = Database(make_settings(tmp_path))
    db.create_all()
    try:
        from kvalitet.storage.migrations import head_revision

        assert current_revision(db) == head_revision()
        assert set(ROLLUP_TABLES) <= set(inspect(db.engine).get_table_names())
        assert schema_diffs(db, set(ROLLUP_TABLES) | {"reports", "items", "audit_log"}) == []
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO reports (title, kind, year, unit, state, version, created_at, updated_at) "
                "VALUES ('H', 'huvudmannarapport', 2023, 'Huvudman', 'draft', 1, '2024-01-01', '2024-01-01')"))
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO reports (title, kind, year, unit, state, version, created_at, updated_at) "
                    "VALUES ('t', 'roman', 2024, 'u', 'draft', 1, '2024-01-01', '2024-01-01')"))
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO units (name, kind, created_at) VALUES ('X', 'slott', '2024-01-01')"))
    finally:
        db.dispose()


def test_an_existing_database_upgrades_with_its_rows_and_downgrades(tmp_path):
    db = Database(make_settings(tmp_path))
    command.upgrade(alembic_config(db), "0004")  # two migrations in one run up to the head
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO reports (id, title, kind, year, unit, state, version, created_at, updated_at) "
            "VALUES (7, 'R', 'kvalitetsrapport', 2023, 'Åbyskolan', 'draft', 3, '2024-01-01', '2024-01-01')"))
        conn.execute(text("INSERT INTO items (id, report_id, position, activity, history_ids, created_at) "
                          "VALUES (1, 7, 1, 'Läsning', '[]', '2024-01-01')"))
        conn.execute(text("INSERT INTO audit_log (at, actor, action, object_type, object_id, report_id) "
                          "VALUES ('2024-01-01', 'x', 'report.create', 'report', '7', 7)"))
    db.dispose()
    db = Database(make_settings(tmp_path))  # a new process: upgrade to head
    try:
        upgrade(db)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT title, version FROM reports WHERE id = 7")).one() == ("R", 3)
            assert conn.execute(text("SELECT count(*) FROM items WHERE report_id = 7")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE report_id = 7")).scalar() == 1
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert "ix_reports_unit" in {i["name"] for i in inspect(db.engine).get_indexes("reports")}
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO reports (id, title, kind, year, unit, state, version, created_at, updated_at) "
                "VALUES (8, 'H', 'huvudmannarapport', 2023, 'Huvudman', 'draft', 1, '2024-01-01', '2024-01-01')"))
            conn.execute(text("INSERT INTO items (id, report_id, position, activity, history_ids, created_at) "
                              "VALUES (2, 8, 1, 'Samlad bild', '[]', '2024-01-01')"))
        command.downgrade(alembic_config(db), "0004")
        assert not set(ROLLUP_TABLES) & set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM reports WHERE id = 7")).scalar() == "R"
        upgrade(db)
        assert set(ROLLUP_TABLES) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()
