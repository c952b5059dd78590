"""attendances.phone_time_refused: an offline scan's time from a phone whose clock was wrong

Revision ID: 3f6b9d2c8e14
Revises: c4f7a2d9e1b3
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6b9d2c8e14'
down_revision = 'c4f7a2d9e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_time_refused', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_column('phone_time_refused')
