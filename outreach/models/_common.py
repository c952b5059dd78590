"""Small helpers shared by the model modules."""
from sqlalchemy import CheckConstraint

from ..timeutil import utcnow  # noqa: F401  (re-exported for column defaults)


def one_of(column: str, values, name: str) -> CheckConstraint:
    """A CHECK that a text column holds one of a fixed set of values."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)
