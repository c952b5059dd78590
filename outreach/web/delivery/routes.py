"""Delivery and cost: staff and volunteer hours at a session (any member, at the session or
after), a programme's cost per term (leads)."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import CostForm, RemoveForm, StaffTimeForm
from ...access import load, org_member_required
from ...errors import DomainError
from ...models import Programme, ProgrammeCost, ProgrammeSession, SessionStaffTime
from ...services import delivery
from ..forms import field_error as _field_error

PREFIX = "/org/<org_slug>"


@bp.route(PREFIX + "/sessions/<int:session_id>/staff-time", methods=["GET", "POST"])
@org_member_required("worker")
def staff_time(session_id):
    s = load(ProgrammeSession, session_id, g.org)
    form = StaffTimeForm()
    if request.method == "GET":
        form.name.data = current_user.full_name
    if form.validate_on_submit():
        try:
            minutes = delivery.parse_hours(form.hours.data)
            delivery.record_staff_time(s, name=form.name.data, role=form.role.data, minutes=minutes, by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(f"Saved: {form.name.data.strip()}, {form.hours.data.strip()} h.", "success")
            return redirect(url_for("delivery.staff_time", org_slug=g.org.slug, session_id=s.id))
    entries = delivery.staff_time(s)
    status = 400 if request.method == "POST" else 200
    return render_template("delivery/staff_time.html", s=s, form=form, entries=entries, remove=RemoveForm(),
                           total_minutes=sum(e.minutes for e in entries)), status


@bp.post(PREFIX + "/sessions/<int:session_id>/staff-time/<int:entry_id>/remove")
@org_member_required("worker")
def remove_staff_time(session_id, entry_id):
    s = load(ProgrammeSession, session_id, g.org)
    entry = load(SessionStaffTime, entry_id, g.org)
    if entry.session_id != s.id or not RemoveForm().validate_on_submit():
        return redirect(url_for("delivery.staff_time", org_slug=g.org.slug, session_id=s.id)), 303
    delivery.remove_staff_time(entry, by=current_user)
    flash(f"Removed {entry.name}'s time.", "success")
    return redirect(url_for("delivery.staff_time", org_slug=g.org.slug, session_id=s.id))


@bp.route(PREFIX + "/programmes/<int:programme_id>/costs", methods=["GET", "POST"])
@org_member_required("lead")
def costs(programme_id):
    programme = load(Programme, programme_id, g.org)
    form = CostForm()
    if form.validate_on_submit():
        try:
            pence = delivery.parse_pounds(form.amount.data)
            delivery.add_programme_cost(programme, delivery.TermCost(
                term=form.term.data, first_day=form.first_day.data, last_day=form.last_day.data, amount_pence=pence,
                note=form.note.data), by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(f"Saved the cost of {form.term.data.strip()}: {delivery.pounds_text(pence)}.", "success")
            return redirect(url_for("delivery.costs", org_slug=g.org.slug, programme_id=programme.id))
    rows = delivery.programme_costs(programme)
    status = 400 if request.method == "POST" else 200
    return render_template("delivery/costs.html", programme=programme, form=form, rows=rows, remove=RemoveForm(),
                           pounds=delivery.pounds_text), status


@bp.post(PREFIX + "/programmes/<int:programme_id>/costs/<int:cost_id>/remove")
@org_member_required("lead")
def remove_cost(programme_id, cost_id):
    programme = load(Programme, programme_id, g.org)
    row = load(ProgrammeCost, cost_id, g.org)
    if row.programme_id != programme.id or not RemoveForm().validate_on_submit():
        return redirect(url_for("delivery.costs", org_slug=g.org.slug, programme_id=programme.id)), 303
    delivery.remove_programme_cost(row, by=current_user)
    flash(f"Removed the cost of {row.term}.", "success")
    return redirect(url_for("delivery.costs", org_slug=g.org.slug, programme_id=programme.id))
