"""one stored item per exact text: items.content_hash becomes unique

Two runs (or two store tasks of one run) that meet the same syndicated story at once both
checked the hash before either had committed, and both stored it. A unique index makes the
database settle the race, as canonical_url and (source_id, guid) already do.

Rows that such a race doubled before this revision are kept (nothing is deleted); their hash
gets a ":dup:<id>" suffix so the index can be built.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    doubled = bind.execute(
        sa.text(
            "SELECT i.id, i.content_hash FROM items i WHERE EXISTS (SELECT 1 FROM items j "
            "WHERE j.content_hash = i.content_hash AND j.id < i.id)"
        )
    ).all()
    for item_id, content_hash in doubled:
        bind.execute(
            sa.text("UPDATE items SET content_hash = :h WHERE id = :id"),
            {"h": f"{content_hash}:dup:{item_id}", "id": item_id},
        )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_content_hash')
        batch_op.create_index('ix_items_content_hash', ['content_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_content_hash')
        batch_op.create_index('ix_items_content_hash', ['content_hash'], unique=False)
