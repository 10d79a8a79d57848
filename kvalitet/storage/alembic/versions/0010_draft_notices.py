"""draft_notices: why the last draft gave a section of an item no suggestion, kept with the item

Revision ID: 0010_draft_notices
Revises: 0009_web_sessions

A draft gives a section with nothing relevant in the index a notice instead of a suggestion
(issue 16). The notice was shown once, on the page the draft returned, and lost on reload; it is
now stored on the item ({section kind: notice}) and replaced by the next draft of that section or
dropped when a suggestion arrives in the section.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_draft_notices"
down_revision = "0009_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("draft_notices", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("draft_notices")
