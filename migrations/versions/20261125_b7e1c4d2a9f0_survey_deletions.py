"""surveys.deletions: raised when responses are deleted, so kept results are worked out afresh

Revision ID: b7e1c4d2a9f0
Revises: a4d9e2f7b1c3
Create Date: 2026-11-25 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1c4d2a9f0'
down_revision = 'a4d9e2f7b1c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deletions', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('deletions')
