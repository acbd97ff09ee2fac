"""text coding: a survey's text categories, answer codings, hidden answers

Planners code free-text answers into categories of their own and hide answers that no list
or export may show. Who did it is in the audit log, not in these tables.

Revision ID: c98c2f462588
Revises: d2740bb63e9a
Create Date: 2026-11-25 13:42:11.610823

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c98c2f462588'
down_revision = 'd2740bb63e9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('text_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("code <> ''", name=op.f('ck_text_categories_code')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_text_categories_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_categories')),
    sa.UniqueConstraint('survey_id', 'code', name=op.f('uq_text_categories_survey_id'))
    )
    op.create_table('answer_codings',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_answer_codings_answer_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['text_categories.id'], name=op.f('fk_answer_codings_category_id_text_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'category_id', name=op.f('pk_answer_codings'))
    )
    with op.batch_alter_table('answer_codings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_codings_category_id'), ['category_id'], unique=False)

    op.create_table('hidden_answers',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('hidden_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_hidden_answers_answer_id_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', name=op.f('pk_hidden_answers'))
    )


def downgrade():
    op.drop_table('hidden_answers')
    with op.batch_alter_table('answer_codings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_codings_category_id'))

    op.drop_table('answer_codings')
    op.drop_table('text_categories')
