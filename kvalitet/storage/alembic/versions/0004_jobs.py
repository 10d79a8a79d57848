"""jobs: background draft-all jobs and the (item, section) steps they have dealt with

Revision ID: 0004
Revises: 0003

Explicit create_table calls that work on SQLite and PostgreSQL; service/jobs.py maps the same
tables (tests/system/test_jobs.py compares them). A job's id is a random hex string (not a counter).
job_steps has one row per (job, item, section): a resumed job continues where it stopped.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
JOB_KINDS = ("draft_all",)
STEP_STATES = ("drafted", "skipped", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sections", sa.JSON, nullable=False),
        sa.Column("generator", sa.String(32), nullable=True),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("suggestions", sa.Integer, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("runner", sa.String(200), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("state", JOB_STATES), name="ck_jobs_state"),
        sa.CheckConstraint(_in("kind", JOB_KINDS), name="ck_jobs_kind"),
    )
    op.create_index("ix_jobs_report_id", "jobs", ["report_id"])
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_table(
        "job_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("section", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("suggestions", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("state", STEP_STATES), name="ck_job_steps_state"),
        sa.UniqueConstraint("job_id", "item_id", "section", name="uq_job_steps_job_item_section"),
    )


def downgrade() -> None:
    op.drop_table("job_steps")
    op.drop_index("ix_jobs_state", table_name="jobs")
    op.drop_index("ix_jobs_report_id", table_name="jobs")
    op.drop_table("jobs")
