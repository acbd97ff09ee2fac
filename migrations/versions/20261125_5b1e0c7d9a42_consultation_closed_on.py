"""consultation closed_on: the day a consultation was closed by hand, for retention

Revision ID: 5b1e0c7d9a42
Revises: c98c2f462588
Create Date: 2026-11-25 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d9a42'
down_revision = 'c98c2f462588'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('closed_on')
