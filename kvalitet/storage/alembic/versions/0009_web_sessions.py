"""web_sessions: signed-in web sessions, so that signing out ends a session on the server

Revision ID: 0009_web_sessions
Revises: 0008_records

A session cookie stays signed (web/session.py) and now also names a random session id; the
server keeps the SHA-256 of that id here with its user, expiry and revocation time. Signing out
sets revoked_at, so a copied cookie stops working at once (before, it lasted 12 hours).
Expired and revoked rows are deleted by the retention clean-up (ops/retention.py).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_web_sessions"
down_revision = "0008_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_expires_at", table_name="web_sessions")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
