"""chat: conversations and their messages, each conversation with its owner

Revision ID: 0003
Revises: 0002

Explicit create_table calls that work on SQLite and PostgreSQL; service/chat/store.py maps the
same tables. A conversation's id is a random hex string (not a counter) so ids cannot be
enumerated; only the owner (and admins) may read it, the store checks that.

messages.role: "user" and "assistant" are the turns shown in the history; "tool" rows keep what
the assistant's tools returned (kept for audit, not replayed to the model verbatim); "summary"
rows hold a condensed form of older turns dropped to fit the model's context.
messages.data (JSON): citations, placed suggestions, tool calls, needs_llm, request context.
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE_ROLES = ("user", "assistant", "tool", "summary")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversations_owner_id", "conversations", ["owner_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(32),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in MESSAGE_ROLES) + ")", name="ck_messages_role"
        ),
        sa.UniqueConstraint("conversation_id", "position", name="uq_messages_conversation_position"),
    )
    op.create_index("ix_messages_conversation_id", "messages", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_conversation_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_conversations_owner_id", table_name="conversations")
    op.drop_table("conversations")
