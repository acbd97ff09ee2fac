"""releases: published figures change in daily releases, not with every response

Responses stored before this migration were already shown live: each survey that has any gets
one release dated today that holds all of them.

Revision ID: a3f9c2e7d1b4
Revises: e5c1a7d3b9f2
Create Date: 2026-12-08 03:30:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f9c2e7d1b4'
down_revision = 'e5c1a7d3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('released_on', sa.Date(), nullable=False),
        sa.Column('final', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_releases_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_releases')),
        sa.UniqueConstraint('survey_id', 'number', name=op.f('uq_releases_survey_id')),
    )
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_releases_survey_id'), ['survey_id'], unique=False)
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_responses_version_release', ['survey_version_id', 'release_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_responses_release_id_releases'), 'releases',
                                    ['release_id'], ['id'])
    connection = op.get_bind()
    surveys = [row[0] for row in connection.execute(sa.text(
        "SELECT DISTINCT v.survey_id FROM responses r JOIN survey_versions v ON v.id = r.survey_version_id"))]
    releases = sa.table('releases', sa.column('id', sa.Integer), sa.column('survey_id', sa.Integer), sa.column('number', sa.Integer),
                        sa.column('released_on', sa.Date), sa.column('final', sa.Boolean))
    for survey_id in surveys:
        connection.execute(releases.insert().values(survey_id=survey_id, number=1, released_on=date.today(), final=False))
        release_id = connection.execute(sa.text("SELECT id FROM releases WHERE survey_id = :s"),
                                        {"s": survey_id}).scalar_one()
        connection.execute(sa.text(
            "UPDATE responses SET release_id = :r WHERE survey_version_id IN "
            "(SELECT id FROM survey_versions WHERE survey_id = :s)"), {"r": release_id, "s": survey_id})


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_responses_release_id_releases'), type_='foreignkey')
        batch_op.drop_index('ix_responses_version_release')
        batch_op.drop_column('release_id')
    with op.batch_alter_table('releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_releases_survey_id'))
    op.drop_table('releases')
