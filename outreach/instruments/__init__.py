"""Validated questionnaires, asked word for word and scored as their publishers say.

One instrument per module, registered here like a metric: the module declares
its wording, item order, answer options, the ages it was made for, its source
and its licence line, and decorates its scoring function with `@instrument`.
Everything is frozen: a programme lead can add an instrument to a survey but
never change its words, its order or its scale (that would make its results
incomparable with the published norms it exists to be compared with).

A survey question linked to an instrument carries the instrument's code and
the item number; its answer bounds come from the item's own scale.
"""
from dataclasses import dataclass, field
from importlib import import_module
from types import MappingProxyType
from typing import Callable

REGISTRY: dict[str, "Instrument"] = {}

MODULES = ["swemwbs", "ons4", "csew_police", "stirling"]

# The widest scale any question may have (ONS4 runs 0 to 10); the database holds answers to it.
LOWEST_VALUE, HIGHEST_VALUE = 0, 10


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question of an instrument, as published. `scored` is False for items the
    publisher asks but leaves out of the score (the Stirling scale's three social
    desirability items)."""
    number: int
    text: str
    options: tuple[Option, ...]
    scored: bool = True
    note: str = ""

    @property
    def min_value(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return max(o.value for o in self.options)

    def label_of(self, value) -> str:
        return next((o.label for o in self.options if o.value == value), str(value))


@dataclass(frozen=True)
class Source:
    """Where the wording, scale and scoring were taken from, and how sure we are of each."""
    publisher: str
    title: str
    url: str
    accessed: str  # date (or version) of the text compared in tests/fixtures/instruments/
    verified: str  # what was found verbatim, and what was not


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    short_title: str
    instructions: str
    items: tuple[Item, ...]
    min_age: int
    max_age: int | None
    attribution: str  # shown wherever the instrument is asked or reported
    licence: str
    sources: tuple[Source, ...]
    # What the score is called and its range, or None when the publisher reports
    # items one by one (ONS4, the CSEW rating).
    score_name: str | None = None
    score_range: tuple[float, float] | None = None
    score_fn: Callable | None = field(default=None, compare=False, repr=False)
    notes: str = ""

    def item(self, number: int) -> Item:
        return next(i for i in self.items if i.number == number)

    def is_for_age(self, age: int | None) -> bool:
        """Whether someone of this age may be asked it (an unknown age may not)."""
        if age is None:
            return False
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)

    def overlaps(self, min_age: int, max_age: int) -> bool:
        """Whether anyone in the age range min_age..max_age is of an age it was made for."""
        return max_age >= self.min_age and (self.max_age is None or min_age <= self.max_age)

    @property
    def ages(self) -> str:
        return f"{self.min_age}+" if self.max_age is None else f"{self.min_age}–{self.max_age}"

    @property
    def has_score(self) -> bool:
        return self.score_fn is not None

    def score(self, answers: dict[int, int]):
        """The published score of one person's answers (item number -> value), or None
        when the publisher's rule cannot be applied (an item missing or off its scale)."""
        if self.score_fn is None:
            return None
        scored = [i for i in self.items if i.scored]
        values = {}
        for item in scored:
            value = answers.get(item.number)
            if value is None or not item.min_value <= value <= item.max_value:
                return None
            values[item.number] = value
        return self.score_fn(MappingProxyType(values))


def instrument(**spec):
    """Register the decorated scoring function (answers by item number -> score, or
    None) as the scoring of the instrument described by `spec`. For instruments
    without a published score, call `register(Instrument(...))` instead."""
    def decorate(fn):
        register(Instrument(**spec, score_fn=fn))
        return fn
    return decorate


def register(inst: Instrument) -> Instrument:
    if inst.code in REGISTRY:
        raise ValueError(f"instrument {inst.code} registered twice")
    numbers = [i.number for i in inst.items]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"{inst.code}: items must be numbered 1, 2, 3… in order")
    for item in inst.items:
        if not LOWEST_VALUE <= item.min_value < item.max_value <= HIGHEST_VALUE:
            raise ValueError(f"{inst.code} item {item.number}: scale outside {LOWEST_VALUE}–{HIGHEST_VALUE}")
    REGISTRY[inst.code] = inst
    return inst


def get(code: str | None) -> Instrument | None:
    return REGISTRY.get(code) if code else None


def for_ages(min_age: int, max_age: int) -> list[Instrument]:
    """Instruments made for at least some of the ages min_age..max_age, in registry order."""
    return [i for i in REGISTRY.values() if i.overlaps(min_age, max_age)]


def options(*labels: str, start: int = 1) -> tuple[Option, ...]:
    """Options valued start, start+1, … in the order given."""
    return tuple(Option(start + i, label) for i, label in enumerate(labels))


for _name in MODULES:
    import_module(f"{__name__}.{_name}")
