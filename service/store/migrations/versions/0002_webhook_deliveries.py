"""Webhook deliveries: how far each event's work got, and which event a signature was first seen with.

``processed_events`` gains ``state`` (working, answered, delivered), the kept ``reply`` and
``claimed_at``: a delivery whose work failed is released so the platform's retry is worked again,
and a reply that could not be posted is kept so the retry posts it instead of applying the message
a second time. ``webhook_signatures`` binds a signature that does not cover the body (DingTalk's
timestamp + sign) to the first event it came with, so it cannot carry another one.

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
    op.create_table(
        "webhook_signatures",
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "signature", name="pk_webhook_signatures"),
    )
    op.create_index("ix_webhook_signatures_created_at", "webhook_signatures", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_signatures_created_at", table_name="webhook_signatures")
    op.drop_table("webhook_signatures")
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("reply")
        batch.drop_column("state")
