"""Kept dashboards on the page: which request is a default view, and "work out now".

A dashboard with no filters ("all sessions held so far") or with exactly this term's dates
opens from the figures the worker kept (services/dashboard_snapshots.py); any other filter
is worked out live, as before. Who may see a view is decided by the routes' own access
decorators and loaders (access.py): the button's route is the view's route with /work-out-now.
"""
from dataclasses import dataclass

from flask import current_app, flash, request
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired

from .dashboard import build
from ..forms import AppForm
from ...services import dashboard_snapshots as snapshots
from ...timeutil import to_local, utcnow


class WorkOutNowForm(AppForm):
    period = HiddenField(validators=[DataRequired(), AnyOf(list(snapshots.PERIOD_TEXT))])


@dataclass
class Shown:
    """What the page says about where its figures came from."""
    period: str | None        # "all" / "term" for a default view, None for a filtered one
    figures: snapshots.Figures | None
    as_of_text: str | None
    asked_text: str | None
    term: tuple               # this term's first and last day, for the link


def options() -> snapshots.Options:
    return snapshots.Options.from_config(current_app.config)


def period_of(form, tz) -> str | None:
    """"all" or "term" when the filters are a default view, else None (worked out live)."""
    if request.args and not form.validate():
        return None
    d = form.data
    if d["age_band"] or d["gender"] or (d["district"] or "").strip() or d["category"]:
        return None
    if not d["start"] and not d["end"]:
        return "all"
    first, last = snapshots.term_of(to_local(utcnow(), tz).date(), options().term_starts)
    return "term" if (d["start"], d["end"]) == (first, last) else None


def when_text(moment, tz) -> str:
    local, today = to_local(moment, tz), to_local(utcnow(), tz).date()
    if local.date() == today:
        return f"{local:%H:%M} today"
    return f"{local:%H:%M} on {local:%a %-d %b %Y}"


def dashboard(scope, form, tz, live):
    """(data, shown): the kept figures for a default view (worked out now if none are
    kept yet), else `live()`, the page's own computation."""
    term = snapshots.term_of(to_local(utcnow(), tz).date(), options().term_starts)
    period = period_of(form, tz)
    if period is None:
        return live(), Shown(None, None, None, None, term)
    figures = snapshots.open_view(snapshots.View.of(scope, period), build, options(), now=utcnow(), tz=tz)
    return figures.data, Shown(period, figures, when_text(figures.as_of, tz),
                               when_text(figures.requested_at, tz) if figures.requested_at else None, term)


def work_out_now(scope, tz) -> dict:
    """Ask the worker for new figures of the view; the page's arguments to go back to."""
    form = WorkOutNowForm()
    if not form.validate_on_submit():
        flash("Those figures could not be asked for: open the dashboard and try again.", "error")
        return {}
    period = form.period.data
    view = snapshots.View.of(scope, period)
    if snapshots.ask_for(view, now=utcnow()):
        if current_app.config["DASHBOARD_NUDGE"]:
            from ... import tasks

            tasks.wake_dashboards(view.key)
        flash("New figures are being worked out. They will be here in a minute or two: reload the page then.",
              "success")
    else:
        flash("New figures were already asked for and are being worked out: reload the page in a minute.", "info")
    if period == "term":
        first, last = snapshots.term_of(to_local(utcnow(), tz).date(), options().term_starts)
        return {"start": first.isoformat(), "end": last.isoformat()}
    return {}
