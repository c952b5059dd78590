"""dashboard snapshots: the evaluation dashboards' figures kept by the worker

Revision ID: 5e7a9c1b2d34
Revises: e65903d5a628
Create Date: 2026-12-05 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7a9c1b2d34'
down_revision = 'e65903d5a628'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('view_key', sa.String(length=60), nullable=False),
    sa.Column('level', sa.String(length=15), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('figures', sa.Text(), nullable=True),
    sa.Column('figures_version', sa.String(length=64), nullable=True),
    sa.Column('as_of', sa.DateTime(), nullable=True),
    sa.Column('took_ms', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.Column('covers_until', sa.DateTime(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("level IN ('platform', 'organisation', 'programme')", name=op.f('ck_dashboard_snapshots_snapshot_level')),
    sa.CheckConstraint("period IN ('all', 'term')", name=op.f('ck_dashboard_snapshots_snapshot_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_snapshots')),
    sa.UniqueConstraint('view_key', name=op.f('uq_dashboard_snapshots_view_key'))
    )


def downgrade():
    op.drop_table('dashboard_snapshots')
