"""Engagement metrics, each defined once: one metric per module, registered here.

A metric is a function `fn(q: MetricQuery) -> value` whose docstring holds its
formula; the dashboard shows that same docstring as the metric's help text, so
the definition a funder reads is the one the code runs. Every metric
aggregates in the database (GROUP BY, window functions) through the building
blocks in `base.py`; none loads attendance rows into Python.
"""
import inspect
from dataclasses import dataclass
from importlib import import_module

from ..database import tune_for_reports
from ..extensions import db
from .base import AGE_BANDS, Filters, MetricQuery, Scope, Settings  # noqa: F401

REGISTRY: dict[str, "Metric"] = {}

MODULES = ["reach", "breakdown", "headcounts", "show_up", "attendance_rate", "regular", "dosage", "first_session_dropout",
           "returning", "recent_engagement", "cohort_retention", "feedback", "comparison", "benchmark",
           "delivery", "equality", "survey_response", "referrals"]


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    fn: callable

    @property
    def formula(self) -> str:
        """The docstring, dedented: what the dashboard prints as the definition."""
        return inspect.cleandoc(self.fn.__doc__ or "")


def metric(key: str, title: str):
    def register(fn):
        REGISTRY[key] = Metric(key, title, fn)
        return fn
    return register


def compute(key: str, q: MetricQuery):
    return compute_all(q, [key])[key]


def compute_all(q: MetricQuery, keys=None) -> dict:
    tune_for_reports(db.session)
    with q.temp.open():
        return {key: REGISTRY[key].fn(q) for key in (keys or REGISTRY)}


for _name in MODULES:
    import_module(f"{__name__}.{_name}")
