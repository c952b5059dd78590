"""programmes regular_sessions: a lead's own number of sessions for "regular attendee"

Revision ID: a7c3e2d41b90
Revises: 3c1d2e4f5a6b
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e2d41b90'
down_revision = '3c1d2e4f5a6b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regular_sessions', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_programmes_regular_sessions_positive'),
                                         'regular_sessions IS NULL OR regular_sessions >= 1')


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programmes_regular_sessions_positive'), type_='check')
        batch_op.drop_column('regular_sessions')
