"""results: Kolada values and corrections of indicator series matching

Revision ID: 0005_results
Revises: 0004

kvalitet/storage/results.py maps the same tables. Indicator values of documents stay in the
passage catalog; only Kolada's values and the admin's aliases live here.
"""
import sqlalchemy as sa
from alembic import op


revision = "0005_results"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kolada_values",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kpi_id", sa.String(32), nullable=False),
        sa.Column("kpi_title", sa.Text, nullable=True),
        sa.Column("entity_kind", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("entity_name", sa.Text, nullable=True),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("status", sa.String(64), nullable=True),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kpi_id", "entity_kind", "entity_id", "gender", "period", name="uq_kolada_value"),
    )
    op.create_index("ix_kolada_values_kpi_id", "kolada_values", ["kpi_id"])
    op.create_index("ix_kolada_values_year", "kolada_values", ["year"])
    op.create_table(
        "series_aliases",
        sa.Column("wording", sa.String(512), primary_key=True),
        sa.Column("series_key", sa.String(512), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("series_aliases")
    op.drop_index("ix_kolada_values_year", table_name="kolada_values")
    op.drop_index("ix_kolada_values_kpi_id", table_name="kolada_values")
    op.drop_table("kolada_values")
