"""Accidents and incidents at a session: any member records one; leads review them by month."""
from datetime import date, timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import IncidentForm
from ..choices import choices
from ..forms import token_redirect
from ...access import load, load_incident, org_member_required
from ...errors import DomainError
from ...extensions import db
from ...models import ProgrammeSession
from ...services import checkin, incidents, organisations
from ...services.one_time import AlreadySavedError
from ...timeutil import local_to_utc, to_local, utcnow
from ..forms import field_error as _field_error

PREFIX = "/org/<org_slug>"


@bp.route(PREFIX + "/sessions/<int:session_id>/incidents/new", methods=["GET", "POST"])
@org_member_required("worker")
def record(session_id):
    s = load(ProgrammeSession, session_id, g.org)
    if (to_token := token_redirect()) is not None:
        return to_token
    people = [line.young_person for line in checkin.roster(s)]
    form = IncidentForm()
    young = choices([(yp.id, yp.display_name) for yp in people])
    form.young_people.choices, form.injured.choices = young, list(young)
    form.staff.choices = choices([(m.user_id, m.user.full_name) for m in organisations.members(g.org)])
    if request.method == "GET":
        form.occurred_at.data = to_local(utcnow(), g.org.timezone).replace(tzinfo=None, second=0, microsecond=0)
        form.location.data = s.effective_venue_name
        form.staff.data = [current_user.id]
    if form.validate_on_submit():
        when = form.occurred_at.data
        details = incidents.IncidentDetails(
            occurred_at=local_to_utc(when.date(), when.time(), g.org.timezone), what_happened=form.what_happened.data,
            location=form.location.data, first_aid=form.first_aid.data, follow_up=form.follow_up.data,
            young_person_ids=form.young_people.data or [], injured_ids=form.injured.data or [],
            staff_user_ids=form.staff.data or [])
        try:
            incident = incidents.record_incident(g.org, s, current_user, details, once=form.form_token.data)
        except AlreadySavedError as repeat:
            db.session.rollback()
            flash("This incident was already recorded.", "info")
            return redirect(url_for("incidents.detail", org_slug=g.org.slug, incident_id=repeat.saved.result_id)
                            if repeat.saved.result_id else url_for("incidents.index", org_slug=g.org.slug))
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            told = [p for p in incident.injured if p.guardians_told_at]
            message = "Incident recorded."
            if told:
                message += " The parent or carer of " + ", ".join(incidents.person_name(p) for p in told) + \
                           " is being emailed now."
            flash(message, "success")
            for p in incidents.not_told(incident):
                yp = p.young_person
                flash(f"No email address for {incidents.person_name(p)}'s parent or carer: phone "
                      f"{yp.emergency_contact_name or 'their emergency contact'} on "
                      f"{yp.emergency_contact_phone or 'the number they gave'} today.", "warning")
            return redirect(url_for("incidents.detail", org_slug=g.org.slug, incident_id=incident.id))
    return render_template("incidents/record.html", form=form, s=s), 400 if request.method == "POST" else 200


def _month(value: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 1900 <= year <= 2200 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


@bp.get(PREFIX + "/incidents")
@org_member_required("worker")
def index():
    """A lead's review list, one month at a time (?month=2026-12); a worker's own records."""
    if g.membership.role != "lead":
        return render_template("incidents/mine.html", rows=incidents.recorded_by(g.org, current_user),
                               name=incidents.person_name)
    today = to_local(utcnow(), g.org.timezone).date()
    month = _month(request.args.get("month"), today)
    prev = (month - timedelta(days=1)).replace(day=1)
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render_template("incidents/month.html", rows=incidents.for_month(g.org, month), month=month, prev=prev,
                           next=nxt if nxt <= today.replace(day=1) else None,
                           months=incidents.months_with_incidents(g.org), name=incidents.person_name)


@bp.get(PREFIX + "/incidents/<int:incident_id>")
@org_member_required("worker")
def detail(incident_id):
    incident = load_incident(incident_id, g.org)
    incidents.open_incident(incident, current_user)
    return render_template("incidents/detail.html", i=incident, name=incidents.person_name,
                           not_told=incidents.not_told(incident))
