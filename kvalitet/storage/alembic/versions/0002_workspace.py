"""workspace: users, reports, items, sections, suggestions, audit_log

Revision ID: 0002
Revises: 0001

Explicit create_table calls (no autogenerate at run time) that work on SQLite and PostgreSQL.
service/workspace/models.py maps the same tables; a test compares the two.
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLES = ("rektor", "kvalitetsutvecklare", "granskare", "admin")
REPORT_KINDS = ("verksamhetsplan_uppfoljning", "aktivitetsuppfoljning", "kvalitetsrapport")
REPORT_STATES = ("draft", "published")
SECTION_KINDS = ("uppfoljning", "analys", "risker", "kostnader")
SUGGESTION_STATES = ("pending", "accepted", "edited", "rejected")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("token_id", sa.String(32), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("role", ROLES), name="ck_users_role"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("published_path", sa.String(1024), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", REPORT_KINDS), name="ck_reports_kind"),
        sa.CheckConstraint(_in("state", REPORT_STATES), name="ck_reports_state"),
    )
    op.create_index("ix_reports_unit", "reports", ["unit"])
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("activity", sa.Text, nullable=False),
        sa.Column("goal", sa.Text, nullable=True),
        sa.Column("status", sa.String(64), nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("perspective", sa.String(64), nullable=True),
        sa.Column("committee", sa.String(64), nullable=True),
        sa.Column("deadline", sa.String(128), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("responsible", sa.Text, nullable=True),
        sa.Column("history_ids", sa.JSON, nullable=False),
        sa.Column("carried_from", sa.Integer, nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_items_report_id", "items", ["report_id"])
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", SECTION_KINDS), name="ck_sections_kind"),
        sa.UniqueConstraint("item_id", "kind", name="uq_sections_item_kind"),
    )
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id"), nullable=False),
        sa.Column("draft_ref", sa.String(128), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("original_text", sa.Text, nullable=True),
        sa.Column("generator", sa.String(64), nullable=False),
        sa.Column("prompt_version", sa.String(64), nullable=True),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("grounding", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("state", SUGGESTION_STATES), name="ck_suggestions_state"),
    )
    op.create_index("ix_suggestions_section_id", "suggestions", ["section_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=True),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_report_id", "audit_log", ["report_id"])
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_object", table_name="audit_log")
    op.drop_index("ix_audit_log_report_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_suggestions_section_id", table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_table("sections")
    op.drop_index("ix_items_report_id", table_name="items")
    op.drop_table("items")
    op.drop_index("ix_reports_unit", table_name="reports")
    op.drop_table("reports")
    op.drop_table("users")
