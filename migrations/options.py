"""How Alembic compares and renders our models; shared by env.py and the drift test.

Kept in one place so `make migration` and tests/test_migrations.py can never
disagree about what counts as a schema change.
"""
from sqlalchemy.types import TypeDecorator


def render_item(type_, obj, autogen_context):
    """Render our TypeDecorators (UTCDateTime) as the plain type they store.

    A migration must not import application code that may change or move
    later; the database only ever sees the underlying type anyway.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


# render_as_batch: SQLite cannot ALTER most things, so changes are written as
# "copy table, swap" batches (a no-op wrapper on PostgreSQL).
CONFIGURE_OPTIONS = {
    "render_as_batch": True,
    "compare_type": True,
    "render_item": render_item,
}
