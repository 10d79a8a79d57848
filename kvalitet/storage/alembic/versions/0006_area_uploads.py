"""items.area (utvecklingsområde) and upload_jobs (uploads read in the background)

Revision ID: 0006
Revises: 0005_results

items.area: a quality report's development area ("IT", "Frånvaro"), which its headings name
("1. Insatser inom ramen för utvecklingsområdet IT"); before, the perspective stood in for it.
upload_jobs: one row per uploaded document that is stored and read in the background, with
its stage, the result shown on its result page, and the error if it could not be read.
Explicit calls that work on SQLite and PostgreSQL; kvalitet/workspace/uploads.py maps the table.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_results"
branch_labels = None
depends_on = None

UPLOAD_STATES = ("queued", "running", "done", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("area", sa.String(200), nullable=True))
    op.create_table(
        "upload_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(400), nullable=False),
        sa.Column("replace", sa.Boolean, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("staged", sa.String(1024), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("steps", sa.Integer, nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("state", UPLOAD_STATES), name="ck_upload_jobs_state"),
    )
    op.create_index("ix_upload_jobs_state", "upload_jobs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_upload_jobs_state", table_name="upload_jobs")
    op.drop_table("upload_jobs")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("area")
