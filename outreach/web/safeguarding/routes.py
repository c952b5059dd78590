"""Safeguarding concerns: any member raises one; the designated safeguarding leads read and move it."""
from datetime import datetime

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import UNNAMED, ConcernForm, StatusForm
from ..choices import choices
from ..forms import token_redirect
from ..params import row_id
from ...access import load, load_concern, load_young_person, org_member_required, safeguarding_lead_required
from ...errors import DomainError
from ...extensions import db
from ...models import CONCERN_STATUSES, Concern, ProgrammeSession, User
from ...services import checkin, safeguarding
from ...services.one_time import AlreadySavedError
from ...timeutil import local_to_utc, to_local, utcnow
from ..forms import field_error as _field_error

PREFIX = "/org/<org_slug>"


def _to_utc(local: datetime) -> datetime:
    return local_to_utc(local.date(), local.time(), g.org.timezone)


@bp.route(PREFIX + "/concerns/new", methods=["GET", "POST"])
@org_member_required("worker")
def raise_concern():
    """The short form, from a session page or a young person's row at the door (?session=, ?young_person=)."""
    session_id = request.args.get("session", type=row_id)
    session = load(ProgrammeSession, session_id, g.org) if session_id else None
    person_id = request.args.get("young_person", type=row_id)
    chosen = load_young_person(g.org, person_id) if person_id else None
    if (to_token := token_redirect()) is not None:
        return to_token
    people = [line.young_person for line in checkin.roster(session)] if session else []
    if chosen is not None and all(yp.id != chosen.id for yp in people):
        people.insert(0, chosen)
    form = ConcernForm()
    form.about.choices = choices([(str(yp.id), yp.display_name) for yp in people] + [(UNNAMED, "Someone not named")])
    if request.method == "GET":
        form.about.data = str(chosen.id) if chosen else (None if people else UNNAMED)
        form.occurred_at.data = to_local(utcnow(), g.org.timezone).replace(tzinfo=None, second=0, microsecond=0)
        form.location.data = session.effective_venue_name if session else None
    if form.validate_on_submit():
        about = form.about.data
        details = safeguarding.ConcernDetails(
            what_happened=form.what_happened.data or "", occurred_at=_to_utc(form.occurred_at.data),
            young_person_id=None if about == UNNAMED else int(about),
            unnamed_description=form.unnamed_description.data if about == UNNAMED else None,
            location=form.location.data, others_aware=form.others_aware.data, action_taken=form.action_taken.data)
        try:
            safeguarding.raise_concern(g.org, current_user, details, session=session, once=form.form_token.data)
        except AlreadySavedError:
            db.session.rollback()
            flash("This concern was already sent. The safeguarding lead has been told.", "info")
            return redirect(url_for("safeguarding.my_concerns", org_slug=g.org.slug))
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash("Received. The safeguarding lead has been told.", "success")
            return redirect(url_for("safeguarding.my_concerns", org_slug=g.org.slug,
                                    session=session.id if session else None))
    status = 400 if request.method == "POST" else 200
    return render_template("safeguarding/raise.html", form=form, s=session, chosen=chosen,
                           has_lead=safeguarding.has_safeguarding_lead(g.org)), status


@bp.get(PREFIX + "/concerns/mine")
@org_member_required("worker")
def my_concerns():
    """The concerns the signed-in member raised: when, and their status. Never their text, nor others'.
    ?session= (after raising one at the door) offers the way back to that session."""
    session_id = request.args.get("session", type=row_id)
    back = load(ProgrammeSession, session_id, g.org) if session_id else None
    return render_template("safeguarding/mine.html", raised=safeguarding.raised_by(g.org, current_user), back=back)


@bp.get(PREFIX + "/safeguarding")
@safeguarding_lead_required
def concerns():
    status = request.args.get("status")
    status = status if status in CONCERN_STATUSES else None
    rows = safeguarding.for_safeguarding_lead(g.org, current_user, status=status)
    return render_template("safeguarding/list.html", concerns=rows, status=status,
                           counts=safeguarding.counts_by_status(g.org), statuses=CONCERN_STATUSES,
                           about={c.id: safeguarding.about(c) for c in rows})


def _status_form(concern: Concern, form=None) -> StatusForm:
    form = form or StatusForm()
    form.to.choices = choices([(s, CONCERN_STATUSES[s]) for s in safeguarding.TRANSITIONS[concern.status]])
    return form


def _detail(concern: Concern, form, status=200):
    opened = safeguarding.who_opened(concern)
    ids = {c.by_id for c in concern.changes if c.by_id} | {actor for _, actor, _ in opened if actor}
    names = dict(db.session.execute(db.select(User.id, User.full_name).where(User.id.in_(ids))).all()) if ids else {}
    return render_template("safeguarding/concern.html", c=concern, form=form, about=safeguarding.about(concern),
                           statuses=CONCERN_STATUSES, opened=opened, names=names), status


@bp.get(PREFIX + "/safeguarding/<int:concern_id>")
@safeguarding_lead_required
def concern(concern_id):
    c = load_concern(concern_id, g.org)
    safeguarding.open_concern(c, current_user)
    return _detail(c, _status_form(c))


@bp.post(PREFIX + "/safeguarding/<int:concern_id>/status")
@safeguarding_lead_required
def change_status(concern_id):
    c = load_concern(concern_id, g.org)
    form = _status_form(c)
    if form.validate_on_submit():
        change = safeguarding.StatusChange(
            to=form.to.data, referred_to=form.referred_to.data or None, referred_to_other=form.referred_to_other.data,
            referral_reference=form.referral_reference.data, referred_on=form.referred_on.data,
            reason=form.reason.data)
        try:
            safeguarding.change_status(c, current_user, change)
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash(f"Status changed to {CONCERN_STATUSES[form.to.data].lower()}.", "success")
            return redirect(url_for("safeguarding.concern", org_slug=g.org.slug, concern_id=c.id))
    c = load_concern(concern_id, g.org)
    safeguarding.open_concern(c, current_user)  # the page shows its text again: a view like any other
    return _detail(c, _status_form(c, form), 400)
