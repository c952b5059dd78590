"""young people who signed up alone: their own phone is not an emergency contact

Sign-up copied a young person's own phone into their emergency contact phone, with no
name, so the fire register offered the child's own phone as the number to call about
them. Sign-up now asks for a named emergency contact; rows made the old way lose the
copied number (it stays on their account, users.phone) and show "No emergency contact
given" until they add one, which My bookings asks them to do.

Revision ID: 5d1c0a7e3b21
Revises: b7c41e9d2a05
Create Date: 2026-12-03 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d1c0a7e3b21'
down_revision = 'b7c41e9d2a05'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        UPDATE young_people SET emergency_contact_phone = NULL
        WHERE user_id IS NOT NULL AND emergency_contact_name IS NULL AND emergency_contact_phone IS NOT NULL
          AND emergency_contact_phone = (SELECT users.phone FROM users WHERE users.id = young_people.user_id)
    """)


def downgrade():
    op.execute("""
        UPDATE young_people
        SET emergency_contact_phone = (SELECT users.phone FROM users WHERE users.id = young_people.user_id)
        WHERE user_id IS NOT NULL AND emergency_contact_name IS NULL AND emergency_contact_phone IS NULL
    """)
