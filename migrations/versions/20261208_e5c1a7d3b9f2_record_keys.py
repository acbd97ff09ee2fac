"""record keys: a random key (1 to 255, not 128) for every response, for the cell key method

Existing responses get theirs here, each drawn at random, as new ones do when they are stored.

Revision ID: e5c1a7d3b9f2
Revises: b7e1c4d2a9f0
Create Date: 2026-12-08 01:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c1a7d3b9f2'
down_revision = 'b7e1c4d2a9f0'
branch_labels = None
depends_on = None

KEY_RANGE = 256  # as app.domain.cellkey.KEY_RANGE at the time of this migration …
RECORD_KEYS = [key for key in range(1, KEY_RANGE) if key != KEY_RANGE // 2]  # … and RECORD_KEYS
BATCH = 5000


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_key', sa.SmallInteger(), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM responses ORDER BY id"))]
    update = sa.text("UPDATE responses SET record_key = :key WHERE id = :id")
    for start in range(0, len(ids), BATCH):
        connection.execute(update, [{"key": secrets.choice(RECORD_KEYS), "id": response_id}
                                    for response_id in ids[start:start + BATCH]])
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('record_key', existing_type=sa.SmallInteger(), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_responses_record_key'),
                                         f"record_key >= 0 AND record_key < {KEY_RANGE}")


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_responses_record_key'), type_='check')
        batch_op.drop_column('record_key')
