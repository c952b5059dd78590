"""Each survey question has its own answer scale and may be an instrument's item

Questions gain min_value and max_value (every existing question gets 1 and 5, the
scale they were asked on) and, for a validated questionnaire's item, the
instrument's code and item number. The answers' CHECK widens from 1–5 to 0–10,
the widest published scale (ONS4); each answer is checked against its own
question's bounds when stored. Every existing answer is kept as it is.

Revision ID: b7c41e9d2a05
Revises: 944ec961627d
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c41e9d2a05'
down_revision = '944ec961627d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_value', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('max_value', sa.Integer(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('instrument', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('item_number', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_survey_questions_value_bounds'), 'min_value >= 0 AND max_value <= 10 AND min_value < max_value')
        batch_op.create_check_constraint(op.f('ck_survey_questions_instrument_item'),
                                         '(instrument IS NULL) = (item_number IS NULL)')
        batch_op.create_unique_constraint(
            batch_op.f('uq_survey_questions_survey_id_instrument_item_number'),
            ['survey_id', 'instrument', 'item_number'])

    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_feedback_answers_value_range'), type_='check')
        batch_op.create_check_constraint(op.f('ck_feedback_answers_value_range'), 'value BETWEEN 0 AND 10')


def downgrade():
    # Answers outside 1–5 (instrument items on other scales) cannot go back under the old
    # CHECK, which knows no other scale: they are removed rather than kept wrongly.
    op.execute("DELETE FROM feedback_answers WHERE value NOT BETWEEN 1 AND 5")
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_feedback_answers_value_range'), type_='check')
        batch_op.create_check_constraint(op.f('ck_feedback_answers_value_range'), 'value BETWEEN 1 AND 5')

    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_survey_questions_survey_id_instrument_item_number'), type_='unique')
        batch_op.drop_constraint(op.f('ck_survey_questions_instrument_item'), type_='check')
        batch_op.drop_constraint(op.f('ck_survey_questions_value_bounds'), type_='check')
        batch_op.drop_column('item_number')
        batch_op.drop_column('instrument')
        batch_op.drop_column('max_value')
        batch_op.drop_column('min_value')
