"""WTForms 3.3 wants SelectChoice objects, not (value, label) tuples."""
from wtforms import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
