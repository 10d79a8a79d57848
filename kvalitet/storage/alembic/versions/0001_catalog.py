"""catalog: documents, passages, meta

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("path", sa.String(1024), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("doc_kind", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "passages",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("doc_path", sa.String(1024), sa.ForeignKey("documents.path", ondelete="CASCADE"), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("doc_kind", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("section_kind", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("activity", sa.Text, nullable=True),
        sa.Column("goal", sa.Text, nullable=True),
        sa.Column("municipal_goal", sa.Text, nullable=True),
        sa.Column("perspective", sa.String(64), nullable=True),
        sa.Column("committee", sa.String(64), nullable=True),
        sa.Column("deadline", sa.String(128), nullable=True),
        sa.Column("postponed", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(64), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("carried_from", sa.Integer, nullable=True),
        sa.Column("amount_tkr", sa.Float, nullable=True),
        sa.Column("page", sa.Integer, nullable=True),
        sa.Column("line_start", sa.Integer, nullable=False),
        sa.Column("line_end", sa.Integer, nullable=False),
        sa.Column("pii", sa.JSON, nullable=False),
    )
    op.create_index("ix_passages_doc_path", "passages", ["doc_path"])
    op.create_index("ix_passages_year", "passages", ["year"])
    op.create_index("ix_passages_section_kind", "passages", ["section_kind"])
    op.create_index("ix_passages_status", "passages", ["status"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("passages")
    op.drop_table("documents")
