"""Webhook events remember how far their work got: claimed, answered (reply kept), delivered.

A delivery whose work failed is released so the platform's retry is worked again, and a reply that
could not be posted is kept so the retry posts it instead of applying the message a second time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows from before this migration were answered and delivered in one go.
    op.add_column(
        "processed_events", sa.Column("state", sa.String(16), nullable=False, server_default="delivered")
    )
    op.add_column("processed_events", sa.Column("reply", sa.JSON(), nullable=True))
    op.add_column("processed_events", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("reply")
        batch.drop_column("state")
