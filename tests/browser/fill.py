"""Typing into the app's composite fields as a person does."""
from datetime import date


def fill_date_of_birth(page, value, name="date_of_birth"):
    """Type a date of birth (a date or an ISO string) into its day, month and year boxes."""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))
