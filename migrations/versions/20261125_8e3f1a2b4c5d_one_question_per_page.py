"""surveys.one_question_per_page: one question per page, on, off or automatic (empty)

Revision ID: 8e3f1a2b4c5d
Revises: 5b1e0c7d9a42
Create Date: 2026-11-25 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e3f1a2b4c5d'
down_revision = '5b1e0c7d9a42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_question_per_page', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('one_question_per_page')
