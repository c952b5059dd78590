"""health_checks: the one row /healthz rewrites to prove the database takes writes

Revision ID: 3c1d2e4f5a6b
Revises: 8eb1b795763e
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d2e4f5a6b'
down_revision = '8eb1b795763e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'health_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_health_checks')),
    )


def downgrade():
    op.drop_table('health_checks')
