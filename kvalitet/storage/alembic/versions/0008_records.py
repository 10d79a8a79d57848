"""records: what generic recognition finds, kept in the catalog for filters and the document view

Revision ID: 0008_records
Revises: 0007_rollup

Passages gain the fields of activity, indicator, cost and process records (responsible,
status as written, assessment, indicator, outcome, target, item, month, period, school year,
where the year came from, the last page the text is on); documents gain läsår, period,
year_source, the outline (headings with level, page and line) and the layout recogniser used.
All columns are nullable (or have a default), so existing rows stay valid; a re-ingest fills them.
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_records"
down_revision = "0007_rollup"
branch_labels = None
depends_on = None

PASSAGE_COLUMNS: list[tuple[str, sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]]]] = [
    ("responsible", sa.Text),
    ("status_raw", sa.String(128)),
    ("assessment", sa.String(64)),
    ("indicator", sa.Text),
    ("outcome", sa.String(128)),
    ("target", sa.String(128)),
    ("item", sa.Text),
    ("month", sa.String(64)),
    ("period", sa.String(64)),
    ("school_year", sa.String(16)),
    ("year_source", sa.String(16)),
    ("page_end", sa.Integer),
]
DOCUMENT_COLUMNS: list[tuple[str, sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]]]] = [
    ("school_year", sa.String(16)),
    ("period", sa.String(64)),
    ("year_source", sa.String(16)),
    ("outline", sa.JSON),
    ("layout", sa.String(64)),
]


def upgrade() -> None:
    for name, type_ in PASSAGE_COLUMNS:
        op.add_column("passages", sa.Column(name, type_, nullable=True))
    for name, type_ in DOCUMENT_COLUMNS:
        op.add_column("documents", sa.Column(name, type_, nullable=True))
    op.create_index("ix_passages_period", "passages", ["period"])
    op.create_index("ix_passages_committee", "passages", ["committee"])


def downgrade() -> None:
    op.drop_index("ix_passages_committee", "passages")
    op.drop_index("ix_passages_period", "passages")
    with op.batch_alter_table("documents") as batch:
        for name, _ in DOCUMENT_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("passages") as batch:
        for name, _ in PASSAGE_COLUMNS:
            batch.drop_column(name)
