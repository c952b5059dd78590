"""The follow-up list of a programme, a young person's follow-up (contact attempts, closing), and the
leads' list of sessions held with no register taken."""
from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user

from . import bp
from .forms import CloseForm, ContactForm
from ...access import load, load_young_person, org_member_required
from ...errors import DomainError
from ...extensions import db
from ...models import Programme
from ...services import follow_up
from ...timeutil import local_to_utc, to_local, utcnow

PREFIX = "/org/<org_slug>/programmes/<int:programme_id>/follow-up"


def _rule(programme):
    return follow_up.rule_from_settings(programme, current_app.config)


def _line_or_404(programme, young_person_id):
    yp = load_young_person(g.org, young_person_id)  # privacy.py: someone the organisation knows
    try:
        return follow_up.line_for(programme, yp, _rule(programme))
    except DomainError:
        # Not on this programme's list (another programme's, back already, closed): nothing to show.
        abort(404)


@bp.get(PREFIX)
@org_member_required("worker")
def index(programme_id):
    programme = load(Programme, programme_id, g.org)
    rule = _rule(programme)
    lines = follow_up.follow_up_list(programme, rule)
    return render_template("follow_up/list.html", programme=programme, lines=lines, rule=rule)


def _person_page(programme, line, contact_form, close_form, status=200):
    return render_template("follow_up/person.html", programme=programme, line=line, yp=line.young_person,
                           form=contact_form, close_form=close_form, rule=_rule(programme)), status


@bp.route(PREFIX + "/<int:young_person_id>", methods=["GET", "POST"])
@org_member_required("worker")
def person(programme_id, young_person_id):
    programme = load(Programme, programme_id, g.org)
    line = _line_or_404(programme, young_person_id)
    form, close_form = ContactForm(), CloseForm(formdata=None)
    if not form.is_submitted():
        form.made_at.data = to_local(utcnow(), g.org.timezone).replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit():
        when = form.made_at.data
        details = follow_up.ContactDetails(method=form.method.data, outcome=form.outcome.data,
                                           made_at=local_to_utc(when.date(), when.time(), g.org.timezone),
                                           note=form.note.data or "")
        try:
            follow_up.record_contact(programme, line.young_person, current_user, details, _rule(programme))
        except DomainError as err:
            db.session.rollback()
            (getattr(form, err.field).errors if err.field and hasattr(form, err.field) else form.form_errors) \
                .append(err.message)
        else:
            flash(f"Saved: your attempt to reach {line.young_person.short_name}.", "success")
            return redirect(url_for("follow_up.person", org_slug=g.org.slug, programme_id=programme.id,
                                    young_person_id=line.young_person.id))
    return _person_page(programme, line, form, close_form, 400 if form.errors or form.form_errors else 200)


@bp.post(PREFIX + "/<int:young_person_id>/close")
@org_member_required("worker")
def close(programme_id, young_person_id):
    programme = load(Programme, programme_id, g.org)
    line = _line_or_404(programme, young_person_id)
    close_form = CloseForm()
    if close_form.validate_on_submit():
        try:
            follow_up.close_follow_up(programme, line.young_person, current_user, close_form.reason.data,
                                      _rule(programme))
        except DomainError as err:
            db.session.rollback()
            close_form.reason.errors.append(err.message)
        else:
            flash(f"Follow-up closed: {line.young_person.short_name} is off the list until they come back.",
                  "success")
            return redirect(url_for("follow_up.index", org_slug=g.org.slug, programme_id=programme.id))
    form = ContactForm(formdata=None)
    form.made_at.data = to_local(utcnow(), g.org.timezone).replace(tzinfo=None, second=0, microsecond=0)
    return _person_page(programme, line, form, close_form, 400)


@bp.get("/org/<org_slug>/registers-not-taken")
@org_member_required("lead")
def registers_not_taken():
    sessions = follow_up.registers_not_taken(g.org)
    return render_template("follow_up/registers_not_taken.html", sessions=sessions, limit=100)
