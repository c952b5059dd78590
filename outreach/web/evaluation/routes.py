"""Evaluation dashboards (programme, organisation, platform), the printable report, and exports."""
import re
from datetime import time, timedelta

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select

from . import bp
from . import snapshots
from .dashboard import build, compare_partners
from .forms import ExportForm, FilterForm
from ..choices import choices
from ..downloads import content_disposition
from ..params import row_id
from ...access import admin_required, load, org_member_required, scoped
from ...errors import DomainError, ValidationError
from ...exports import REGISTRY as EXPORTS
from ...exports.writers import csv_chunks, write_xlsx
from ...extensions import db
from ...metrics import MetricQuery, Scope, Settings
from ...metrics.base import Filters
from ...models import Programme, ProgrammeSession
from ...services import exports as export_service
from ...services import organisations as organisation_service
from ...timeutil import local_to_utc, to_local, utcnow


def _utc_range(first_day, last_day, tz):
    """Local dates, both included, as UTC instants [start, end) for the metrics."""
    return (local_to_utc(first_day, time(0), tz) if first_day else None,
            local_to_utc(last_day + timedelta(days=1), time(0), tz) if last_day else None)


def _filters(form, tz) -> Filters:
    if not form.validate():
        return Filters()
    d = form.data
    start, end = _utc_range(d["start"], d["end"], tz)
    return Filters(start=start, end=end,
                   age_band=d["age_band"] or None, gender=d["gender"] or None,
                   district=(d["district"] or "").strip().upper() or None, category=d["category"] or None)


def _query(scope, form, tz):
    return MetricQuery(scope=scope, filters=_filters(form, tz), settings=Settings.from_config(current_app.config),
                       as_of=utcnow())


def _range_text(form):
    d = form.data if not form.errors else {}
    if d.get("start") and d.get("end"):
        return f"{d['start']:%-d %b %Y} to {d['end']:%-d %b %Y}"
    if d.get("start"):
        return f"From {d['start']:%-d %b %Y}"
    if d.get("end"):
        return f"Up to {d['end']:%-d %b %Y}"
    return "All sessions held so far"


def _titles(org=None):
    stmt = scoped(Programme, org) if org else select(Programme)
    return {p.id: p.title for p in db.session.execute(stmt).scalars()}


def _filter_args() -> dict:
    # Only the filters go on to the report's link: a stray ?programme= or ?org_slug= in the
    # address would otherwise clash with the link's own arguments (a 500).
    return {name: request.args[name] for name in ("start", "end", "age_band", "gender", "district", "category")
            if name in request.args}


@bp.get("/org/<org_slug>/evaluation")
@org_member_required("lead")
def organisation():
    form = FilterForm(request.args)
    scope = Scope(organisation_id=g.org.id)
    titles = _titles(g.org)
    data, shown = snapshots.dashboard(scope, form, g.org.timezone, lambda: build(
        _query(scope, form, g.org.timezone), tz=g.org.timezone, programme_titles=titles))
    return render_template("evaluation/dashboard.html", org=g.org, form=form, data=data, shown=shown,
        heading=f"Evaluation: {g.org.name}",
        range_text=_range_text(form), programmes=sorted(titles.items(), key=lambda kv: kv[1].lower()),
        report_url=url_for("evaluation.report", org_slug=g.org.slug, **_filter_args()),
        page_url=url_for("evaluation.organisation", org_slug=g.org.slug),
        work_out_url=url_for("evaluation.work_out_organisation", org_slug=g.org.slug))


@bp.post("/org/<org_slug>/evaluation/work-out-now")
@org_member_required("lead")
def work_out_organisation():
    args = snapshots.work_out_now(Scope(organisation_id=g.org.id), g.org.timezone)
    return redirect(url_for("evaluation.organisation", org_slug=g.org.slug, **args))


@bp.get("/org/<org_slug>/evaluation/programmes/<int:programme_id>")
@org_member_required("lead")
def programme(programme_id):
    programme = load(Programme, programme_id, g.org)
    form = FilterForm(request.args)
    scope = Scope(programme_id=programme.id)
    data, shown = snapshots.dashboard(scope, form, g.org.timezone, lambda: build(
        _query(scope, form, g.org.timezone), tz=g.org.timezone, programme_titles={programme.id: programme.title}))
    return render_template("evaluation/dashboard.html", org=g.org, form=form, programme=programme,
                           data=data, shown=shown,
                           heading=f"Evaluation: {programme.title}", range_text=_range_text(form),
                           report_url=url_for("evaluation.report", org_slug=g.org.slug, programme=programme.id,
                                              **_filter_args()),
                           page_url=url_for("evaluation.programme", org_slug=g.org.slug, programme_id=programme.id),
                           work_out_url=url_for("evaluation.work_out_programme", org_slug=g.org.slug,
                                                programme_id=programme.id))


@bp.post("/org/<org_slug>/evaluation/programmes/<int:programme_id>/work-out-now")
@org_member_required("lead")
def work_out_programme(programme_id):
    programme = load(Programme, programme_id, g.org)  # another partner's programme: 404
    args = snapshots.work_out_now(Scope(programme_id=programme.id), g.org.timezone)
    return redirect(url_for("evaluation.programme", org_slug=g.org.slug, programme_id=programme.id, **args))


@bp.get("/org/<org_slug>/evaluation/report")
@org_member_required("lead")
def report():
    """The A4 report meant to be shared: small numbers suppressed."""
    form = FilterForm(request.args)
    if not form.validate():
        # The report has no filter form to show the message beside: a report silently covering
        # all dates instead of the ones asked for would be worse than none.
        field, errors = next(iter(form.errors.items()))
        raise ValidationError(f"{getattr(form, field).label.text}: {errors[0]}", code="invalid_filter")
    programme_id = request.args.get("programme", type=row_id)
    programme = load(Programme, programme_id, g.org) if programme_id else None
    scope = Scope(programme_id=programme.id) if programme else Scope(organisation_id=g.org.id)
    q = _query(scope, form, g.org.timezone)
    titles = {programme.id: programme.title} if programme else _titles(g.org)
    return render_template("evaluation/report.html", org=g.org, programme=programme, form=form,
                           data=build(q, shared=True, tz=g.org.timezone, programme_titles=titles),
                           range_text=_range_text(form), generated=to_local(utcnow(), g.org.timezone))


@bp.get("/admin/evaluation")
@admin_required
def platform():
    form = FilterForm(request.args)
    tz = current_app.config["DEFAULT_TIMEZONE"]
    data, shown = snapshots.dashboard(Scope(), form, tz, lambda: build(
        _query(Scope(), form, tz), tz=tz, programme_titles=_titles()))
    return render_template("evaluation/dashboard.html", org=None, form=form, data=data, shown=shown,
                           heading="Evaluation across all partners", range_text=_range_text(form), report_url=None,
                           page_url=url_for("evaluation.platform"), work_out_url=url_for("evaluation.work_out_platform"))


@bp.post("/admin/evaluation/work-out-now")
@admin_required
def work_out_platform():
    args = snapshots.work_out_now(Scope(), current_app.config["DEFAULT_TIMEZONE"])
    return redirect(url_for("evaluation.platform", **args))


@bp.get("/admin/evaluation/partners")
@admin_required
def partners():
    """The approved partners side by side, for the platform admin."""
    form = FilterForm(request.args)
    q = _query(Scope(), form, current_app.config["DEFAULT_TIMEZONE"])
    return render_template("evaluation/partners.html", form=form, range_text=_range_text(form),
                           data=compare_partners(q, organisation_service.approved()))


# ------------------------------------------------------------------ exports

def _export_form():
    form = ExportForm()
    programmes = db.session.execute(scoped(Programme, g.org).order_by(Programme.title)).scalars().all()
    form.programme.choices = choices([("", "All programmes")] + [(str(p.id), p.title) for p in programmes])
    sessions = db.session.execute(
        scoped(ProgrammeSession, g.org).where(ProgrammeSession.starts_at <= utcnow() + timedelta(days=1))
        .order_by(ProgrammeSession.starts_at.desc()).limit(200)).scalars().all()
    form.session.choices = choices([("", "Choose a session")] + [
        (str(s.id), f"{to_local(s.starts_at, g.org.timezone):%a %-d %b %Y %H:%M} · {s.programme.title}")
        for s in sessions])
    return form


@bp.get("/org/<org_slug>/exports")
@org_member_required("lead")
def exports():
    return render_template("evaluation/exports.html", org=g.org, form=_export_form(), exports=EXPORTS.values())


def _chosen(value):
    # Optional() lets blank-looking values ("   ") past the choices check.
    try:
        return row_id(value)
    except (TypeError, ValueError):
        return None


@bp.post("/org/<org_slug>/exports/<key>")
@org_member_required("lead")
def download(key):
    if key not in EXPORTS:
        abort(404)
    form = _export_form()
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            flash(f"{getattr(form, field).label.text}: {errors[0]}", "error")
        return redirect(url_for("evaluation.exports", org_slug=g.org.slug))
    start, end = _utc_range(form.start.data, form.end.data, g.org.timezone)
    programme_id, session_id = _chosen(form.programme.data), _chosen(form.session.data)
    programme = load(Programme, programme_id, g.org) if programme_id else None
    session = load(ProgrammeSession, session_id, g.org) if session_id else None
    try:
        spec, table = export_service.run_export(
            key, form.format.data, by=current_user, role=g.membership.role, organisation=g.org,
            settings=Settings.from_config(current_app.config),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"].encode(), programme=programme, session=session,
            start=start, end=end)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("evaluation.exports", org_slug=g.org.slug))
    if form.format.data == "csv":
        body, mimetype = stream_with_context(csv_chunks(table)), "text/csv; charset=utf-8"
    else:
        body, mimetype = _xlsx_body(table), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(f"{table.filename}.{form.format.data}",
                                                   fallback=f"{key}.{form.format.data}"),
        "Cache-Control": "no-store"})
    _say_download_started(response, request.form.get("download_token", ""))
    return response


DOWNLOAD_TOKEN = re.compile(r"[A-Za-z0-9]{16,64}")


def _say_download_started(response, token):
    """Hand the page's random token back in a cookie with the download's headers.

    A download leaves the page as it was, so the page cannot otherwise tell when a large
    export (half a minute for a big XLSX) has left the server: static/js/forms.js keeps
    the form busy until this cookie comes back. The token is the page's own random
    value, readable by its script, and says nothing about the export."""
    if DOWNLOAD_TOKEN.fullmatch(token):
        response.set_cookie("download_started", token, max_age=300, samesite="Strict", httponly=False,
                            secure=current_app.config["SESSION_COOKIE_SECURE"],
                            path=url_for("evaluation.exports", org_slug=g.org.slug))


def _xlsx_body(table):
    """Write the workbook to a temporary file (rows never pile up in memory), then stream it."""
    import tempfile

    spool = tempfile.TemporaryFile()
    write_xlsx(table, spool)
    spool.seek(0)

    def chunks():
        with spool:
            while block := spool.read(256 * 1024):
                yield block
    return chunks()
