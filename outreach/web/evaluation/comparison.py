"""A programme's comparison group and its lead's force-area figures: the set-up pages behind
the dashboard's "Served and comparison groups" and "Beside national figures" sections.
Routes and their two small forms, kept apart from the dashboards' routes."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from . import bp
from .dashboard import percent_text
from ..forms import AppForm
from ..params import row_id
from ...access import load, org_member_required, scoped
from ...errors import DomainError, NotFoundError
from ...extensions import db
from ...instruments import benchmarks
from ...models import COMPARISON_SOURCES, Programme
from ...services import benchmarks as benchmark_service
from ...services import comparison as comparison_service
from ...services.benchmarks import AreaFigure
from ...timeutil import utcnow
from ..forms import field_error

PREFIX = "/org/<org_slug>/evaluation/programmes/<int:programme_id>"


class ConfirmForm(AppForm):
    pass


class AreaFigureForm(AppForm):
    area = StringField("Force area", validators=[DataRequired("Name the force area, like Greater Manchester Police."),
                                                 Length(max=120)])
    percent = StringField("Share (per cent)", validators=[
        DataRequired("Enter the share, like 52 or 52.5."),
        Regexp(r"^\s*\d{1,3}([.,]\d)?\s*%?\s*$", message="Enter a number from 0 to 100, like 52 or 52.5.")])
    year = StringField("Year", validators=[DataRequired("Say which year, like year ending March 2025."),
                                           Length(max=60)])
    source = StringField("Source", validators=[
        DataRequired("Say where the figure comes from: a publication's title or its web address."), Length(max=300)])

    def percent_value(self) -> float:
        return float(self.percent.data.strip().rstrip("%").strip().replace(",", "."))


def _programme(programme_id) -> Programme:
    return load(Programme, programme_id, g.org)


def _to_page(programme):
    return redirect(url_for("evaluation.comparison", org_slug=g.org.slug, programme_id=programme.id))


@bp.get(PREFIX + "/comparison")
@org_member_required("lead")
def comparison(programme_id):
    programme = _programme(programme_id)
    others = db.session.execute(scoped(Programme, g.org).where(Programme.id != programme.id)
                                .order_by(Programme.title)).scalars().all()
    return render_template("evaluation/comparison.html", org=g.org, programme=programme,
                           members=comparison_service.members_of(programme),
                           waiting=len(comparison_service.waiting_list_candidates(programme)),
                           others=others, sources=COMPARISON_SOURCES, confirm=ConfirmForm(),
                           surveys=comparison_service.course_surveys(programme))


@bp.post(PREFIX + "/comparison/waiting-list")
@org_member_required("lead")
def include_waiting_list(programme_id):
    programme = _programme(programme_id)
    if ConfirmForm().validate_on_submit():
        added = comparison_service.include_waiting_list(programme, by=current_user, now=utcnow())
        flash(f"{added} young {'person' if added == 1 else 'people'} from the waiting list added to the comparison "
              "group." if added else "Nobody new on the waiting list to add.", "success" if added else "info")
    return _to_page(programme)


@bp.post(PREFIX + "/comparison/not-yet-served")
@org_member_required("lead")
def add_not_yet_served(programme_id):
    programme = _programme(programme_id)
    if not ConfirmForm().validate_on_submit():
        return _to_page(programme)
    try:
        cohort_id = row_id(request.form.get("cohort", ""))
    except ValueError:
        flash("Choose the programme whose young people you want to add.", "error")
        return _to_page(programme)
    cohort = load(Programme, cohort_id, g.org)  # another partner's programme: 404
    try:
        added = comparison_service.add_not_yet_served(programme, cohort, by=current_user, now=utcnow())
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(f"{added} young {'person' if added == 1 else 'people'} registered on {cohort.title} added to the "
              "comparison group." if added else f"Nobody new on {cohort.title} to add.",
              "success" if added else "info")
    return _to_page(programme)


@bp.post(PREFIX + "/comparison/members/<int:member_id>/remove")
@org_member_required("lead")
def remove_comparison_member(programme_id, member_id):
    programme = _programme(programme_id)
    if ConfirmForm().validate_on_submit():
        try:
            comparison_service.remove_member(programme, member_id, by=current_user, now=utcnow())
        except NotFoundError:
            abort(404)
        flash("Taken out of the comparison group. Answers already given stay in its figures.", "success")
    return _to_page(programme)


@bp.route(PREFIX + "/benchmarks/<question>", methods=["GET", "POST"])
@org_member_required("lead")
def area_benchmark(programme_id, question):
    programme = _programme(programme_id)
    national = benchmarks.national(question)
    if national is None:
        abort(404)
    existing = benchmark_service.area_figure(programme, question)
    to_dashboard = url_for("evaluation.programme", org_slug=g.org.slug, programme_id=programme.id)
    if request.method == "POST" and request.form.get("action") == "remove":
        if ConfirmForm().validate_on_submit():
            benchmark_service.remove_area_figure(programme, question, by=current_user, now=utcnow())
            flash("Your force area's figure is taken off.", "success")
        return redirect(to_dashboard)
    form = AreaFigureForm(obj=existing) if request.method == "GET" else AreaFigureForm()
    if request.method == "GET" and existing is not None:
        form.percent.data = f"{existing.percent:g}"
    if form.validate_on_submit():
        try:
            benchmark_service.set_area_figure(programme, question, AreaFigure(
                area=form.area.data, percent=form.percent_value(), year=form.year.data, source=form.source.data),
                by=current_user, now=utcnow())
        except DomainError as err:
            field_error(form, err)
        else:
            flash("Saved: your force area's figure is shown beside the national one.", "success")
            return redirect(to_dashboard)
    return render_template("evaluation/area_benchmark.html", org=g.org, programme=programme, form=form,
                           national=national, national_percent=percent_text(national.percent), existing=existing,
                           confirm=ConfirmForm(), back=to_dashboard)
