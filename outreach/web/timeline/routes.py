"""The young person's timeline, for staff of an organisation that knows them (privacy.py):
contact notes, milestones, referrals in and out, beside their attendance, incidents and (for
designated safeguarding leads) that a concern exists. Who sees what: access.py."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import MilestoneForm, MilestoneKindForm, NoteForm, OutcomeForm, ReferralForm
from ..choices import choices
from ..forms import token_redirect
from ...access import (load, load_referral, load_young_person, org_member_required, scoped, timeline_reader)
from ...errors import DomainError
from ...extensions import db
from ...models import MilestoneKind, Programme
from ...services import contact_notes, milestones, referrals, timeline
from ...services.one_time import AlreadySavedError
from ...timeutil import to_local, utcnow
from ..forms import field_error as _field_error

PREFIX = "/org/<org_slug>"


def _today():
    return to_local(utcnow(), g.org.timezone).date()


def _programme_choices(form, first="No programme"):
    programmes = db.session.execute(scoped(Programme, g.org).order_by(Programme.title)).scalars().all()
    form.programme.choices = choices([("", first)] + [(str(p.id), p.title) for p in programmes])


def _programme_id(form):
    value = form.programme.data
    return int(value) if value and value.isdigit() and len(value) < 11 else None


def _to_timeline(yp, kind=None):
    return redirect(url_for("timeline.show", org_slug=g.org.slug, young_person_id=yp.id, kind=kind))


@bp.get(PREFIX + "/young-people")
@org_member_required("worker")
def find():
    """Find a young person the organisation knows, by name, to open their timeline."""
    query = (request.args.get("q") or "").strip()[:100]
    return render_template("timeline/find.html", q=query, found=timeline.find_known(g.org, query))


@bp.get(PREFIX + "/young-people/<int:young_person_id>")
@org_member_required("worker")
def show(young_person_id):
    yp = load_young_person(g.org, young_person_id)
    kind = request.args.get("kind")
    kind = kind if kind in timeline.KINDS else None
    rows = timeline.entries(g.org, yp, timeline_reader(g.membership), kind=kind)
    timeline.opened(g.org, yp, current_user, shown=timeline.counts(rows))
    return render_template("timeline/show.html", yp=yp, rows=rows, kind=kind, kinds=timeline.KINDS,
                           is_lead=g.membership.role == "lead")


@bp.route(PREFIX + "/young-people/<int:young_person_id>/notes/new", methods=["GET", "POST"])
@org_member_required("worker")
def add_note(young_person_id):
    yp = load_young_person(g.org, young_person_id)
    if (to_token := token_redirect()) is not None:
        return to_token
    form = NoteForm()
    _programme_choices(form)
    if request.method == "GET":
        form.contact_on.data = _today()
    if form.validate_on_submit():
        details = contact_notes.NoteDetails(text=form.text.data or "", contact_on=form.contact_on.data,
                                            contact=form.contact.data, restricted=form.visibility.data == "restricted",
                                            programme_id=_programme_id(form))
        try:
            contact_notes.add_note(g.org, current_user, yp, details, once=form.form_token.data)
        except AlreadySavedError:
            db.session.rollback()
            flash("This note was already saved.", "info")
            return _to_timeline(yp)
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash("Note saved." + (" Only the leads and safeguarding leads can read it."
                                   if details.restricted else ""), "success")
            return _to_timeline(yp)
    return render_template("timeline/note.html", yp=yp, form=form), 400 if request.method == "POST" else 200


@bp.route(PREFIX + "/young-people/<int:young_person_id>/milestones/new", methods=["GET", "POST"])
@org_member_required("worker")
def add_milestone(young_person_id):
    yp = load_young_person(g.org, young_person_id)
    form = MilestoneForm()
    kinds = milestones.kinds(g.org)
    form.kind.choices = choices([(str(k.id), k.name) for k in kinds])
    _programme_choices(form)
    if request.method == "GET":
        form.reached_on.data = _today()
    if form.validate_on_submit():
        details = milestones.MilestoneDetails(kind_id=int(form.kind.data), reached_on=form.reached_on.data,
                                              programme_id=_programme_id(form), note=form.note.data)
        try:
            m = milestones.record_milestone(g.org, current_user, yp, details)
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash(f"Milestone recorded: {m.kind.name}.", "success")
            return _to_timeline(yp)
    return render_template("timeline/milestone.html", yp=yp, form=form, kinds=kinds,
                           is_lead=g.membership.role == "lead"), 400 if request.method == "POST" else 200


@bp.route(PREFIX + "/young-people/<int:young_person_id>/referrals/new", methods=["GET", "POST"])
@org_member_required("worker")
def add_referral(young_person_id):
    yp = load_young_person(g.org, young_person_id)
    form = ReferralForm()
    _programme_choices(form, first="Not for one programme")
    if request.method == "GET":
        form.referred_on.data = _today()
        form.direction.data = request.args.get("direction") if request.args.get("direction") in ("in", "out") else None
    if form.validate_on_submit():
        details = referrals.ReferralDetails(
            direction=form.direction.data, referred_on=form.referred_on.data, programme_id=_programme_id(form),
            source=form.source.data or None, source_other=form.source_other.data,
            signposted_to=form.signposted_to.data, note=form.note.data)
        try:
            referrals.record_referral(g.org, current_user, yp, details)
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash("Referral recorded.", "success")
            return _to_timeline(yp)
    return render_template("timeline/referral.html", yp=yp, form=form), 400 if request.method == "POST" else 200


@bp.route(PREFIX + "/young-people/<int:young_person_id>/referrals/<int:referral_id>/outcome",
          methods=["GET", "POST"])
@org_member_required("worker")
def referral_outcome(young_person_id, referral_id):
    yp = load_young_person(g.org, young_person_id)
    referral = load_referral(referral_id, g.org, yp)
    if referral.direction != "out":
        return _to_timeline(yp)
    form = OutcomeForm()
    if request.method == "GET" and referral.outcome and referral.outcome != "waiting":
        form.outcome.data, form.outcome_note.data = referral.outcome, referral.outcome_note
    if form.validate_on_submit():
        try:
            referrals.record_outcome(g.org, current_user, referral, form.outcome.data, form.outcome_note.data)
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash("Outcome recorded.", "success")
            return _to_timeline(yp)
    return render_template("timeline/outcome.html", yp=yp, r=referral, form=form), \
        400 if request.method == "POST" else 200


@bp.route(PREFIX + "/milestones", methods=["GET", "POST"])
@org_member_required("lead")
def milestone_kinds():
    """The lead's list of milestones offered on every timeline."""
    form = MilestoneKindForm()
    if form.validate_on_submit():
        try:
            kind = milestones.add_kind(g.org, current_user, form.name.data)
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash(f"Added “{kind.name}”.", "success")
            return redirect(url_for("timeline.milestone_kinds", org_slug=g.org.slug))
    current = milestones.kinds(g.org, include_retired=True)
    taken = {k.name.lower() for k in current if k.retired_at is None}
    return render_template("timeline/kinds.html", form=form, kinds=current, used=milestones.counts_by_kind(g.org),
                           suggested=[s for s in milestones.SUGGESTED if s.lower() not in taken]), \
        400 if request.method == "POST" else 200


@bp.post(PREFIX + "/milestones/<int:kind_id>/retire")
@org_member_required("lead")
def retire_kind(kind_id):
    kind = load(MilestoneKind, kind_id, g.org)
    milestones.retire_kind(g.org, kind, current_user)
    flash(f"“{kind.name}” is no longer offered. Milestones already recorded keep it.", "success")
    return redirect(url_for("timeline.milestone_kinds", org_slug=g.org.slug))
