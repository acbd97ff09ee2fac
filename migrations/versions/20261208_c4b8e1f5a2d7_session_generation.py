"""session generation: a log-out ends every copy of the staff member's session cookie

Revision ID: c4b8e1f5a2d7
Revises: a3f9c2e7d1b4
Create Date: 2026-12-08 05:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4b8e1f5a2d7'
down_revision = 'a3f9c2e7d1b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
