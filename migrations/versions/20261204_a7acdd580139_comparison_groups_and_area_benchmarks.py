"""comparison groups and area benchmarks

A programme's comparison group (comparison_members: young people known through their own
booking who answer the same start and end surveys without taking part), the mark on each
survey response answered by one of them (feedback_responses.comparison, false for every
response made before), and a lead's figure for their own force area (area_benchmarks).

Revision ID: a7acdd580139
Revises: 7873797a7273
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7acdd580139'
down_revision = '7873797a7273'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('area_benchmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=40), nullable=False),
    sa.Column('area', sa.String(length=120), nullable=False),
    sa.Column('percent', sa.Double(), nullable=False),
    sa.Column('year', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_area_benchmarks_percent_range')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_area_benchmarks_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_area_benchmarks_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_benchmarks')),
    sa.UniqueConstraint('programme_id', 'question', name=op.f('uq_area_benchmarks_programme_id_question'))
    )
    op.create_table('comparison_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('via_programme_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('waiting_list', 'not_yet_served')", name=op.f('ck_comparison_members_source')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_comparison_members_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_comparison_members_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['via_programme_id'], ['programmes.id'], name=op.f('fk_comparison_members_via_programme_id_programmes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_people.id'], name=op.f('fk_comparison_members_young_person_id_young_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparison_members')),
    sa.UniqueConstraint('programme_id', 'young_person_id', name=op.f('uq_comparison_members_programme_id_young_person_id'))
    )
    with op.batch_alter_table('comparison_members', schema=None) as batch_op:
        batch_op.create_index('ix_comparison_members_young_person', ['young_person_id'], unique=False)

    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comparison', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.drop_column('comparison')

    with op.batch_alter_table('comparison_members', schema=None) as batch_op:
        batch_op.drop_index('ix_comparison_members_young_person')

    op.drop_table('comparison_members')
    op.drop_table('area_benchmarks')
