"""programmes end_survey_weeks: the end survey falls due this many weeks after a young person's first session

Revision ID: b4d2f6a8c1e3
Revises: 3f6b9d2c8e14
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d2f6a8c1e3'
down_revision = '3f6b9d2c8e14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_survey_weeks', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_programmes_end_survey_weeks_range'),
                                         'end_survey_weeks IS NULL OR end_survey_weeks BETWEEN 1 AND 104')


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programmes_end_survey_weeks_range'), type_='check')
        batch_op.drop_column('end_survey_weeks')
