"""rollup: the unit register, documents' units, and the huvudman report kind

Revision ID: 0007_rollup
Revises: 0006

kvalitet/storage/rollup.py maps the new tables (tests/service/test_rollup_storage.py compares them).
The reports' kind check gains "huvudmannarapport". SQLite cannot alter a CHECK constraint: the
reports table is rebuilt in batch mode with foreign keys off (items and audit rows point at it),
and its rows are copied as they are.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_rollup"
down_revision = "0006"
branch_labels = None
depends_on = None

UNIT_KINDS = ("förskola", "grundskola", "grundsärskola", "gymnasium", "gymnasiesärskola", "fritidshem",
              "vuxenutbildning", "annan")
ASSIGNED_HOW = ("recognised", "set")
OLD_KINDS = ("verksamhetsplan_uppfoljning", "aktivitetsuppfoljning", "kvalitetsrapport")
NEW_KINDS = OLD_KINDS + ("huvudmannarapport",)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _report_kinds(kinds: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # PRAGMA foreign_keys is a no-op inside a transaction: end the one the migrations before
        # this one (or the deletes of downgrade) began; SQLite's DDL is not transactional anyway.
        if bind.in_transaction():
            bind.commit()
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            with op.batch_alter_table("reports", recreate="always") as batch:
                batch.drop_constraint("ck_reports_kind", type_="check")
                batch.create_check_constraint("ck_reports_kind", _in("kind", kinds))
        finally:
            bind.exec_driver_sql("PRAGMA foreign_keys=ON")
    else:
        op.drop_constraint("ck_reports_kind", "reports", type_="check")
        op.create_check_constraint("ck_reports_kind", "reports", _in("kind", kinds))


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("parent", sa.String(200), nullable=True),
        sa.Column("kolada_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", UNIT_KINDS), name="ck_units_kind"),
    )
    op.create_table(
        "document_units",
        sa.Column("doc_path", sa.String(1024), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("how", ASSIGNED_HOW), name="ck_document_units_how"),
    )
    op.create_index("ix_document_units_unit_id", "document_units", ["unit_id"])
    _report_kinds(NEW_KINDS)


def downgrade() -> None:
    # Huvudman reports would break the old check: they go, with everything that hangs on them.
    ids = "SELECT id FROM reports WHERE kind = 'huvudmannarapport'"
    items = f"SELECT id FROM items WHERE report_id IN ({ids})"
    sections = f"SELECT id FROM sections WHERE item_id IN ({items})"
    for sql in (
        f"DELETE FROM suggestions WHERE section_id IN ({sections})",
        f"DELETE FROM sections WHERE item_id IN ({items})",
        f"DELETE FROM audit_log WHERE report_id IN ({ids})",
        f"DELETE FROM items WHERE report_id IN ({ids})",
        "DELETE FROM reports WHERE kind = 'huvudmannarapport'",
    ):
        op.execute(sql)
    _report_kinds(OLD_KINDS)
    op.drop_index("ix_document_units_unit_id", table_name="document_units")
    op.drop_table("document_units")
    op.drop_table("units")
