"""A lead's programmes and sessions: create, edit, publish, schedule, cancel."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import (ENGLISH_NAMES, OTHER_LANGUAGES, TEXT_PARTS, CancelSessionForm, ConfirmForm, ProgrammeForm,
                    SessionForm, WeeklyRuleForm, text_field_name)
from ...access import load, org_member_required
from ...errors import DomainError
from ...models import Programme, ProgrammeSession
from ...services import places, programmes, safeguarding
from ...services.programmes import LanguageText, ProgrammeDetails, SessionTimes, WeeklyRule
from ...timeutil import utcnow

PREFIX = "/org/<org_slug>/programmes"


def _field_error(form, err: DomainError):
    if err.field and hasattr(form, err.field):
        getattr(form, err.field).errors.append(err.message)
    else:
        form.form_errors.append(err.message)


def _details(form) -> ProgrammeDetails:
    return ProgrammeDetails(
        title=form.title.data, description=form.description.data or "", category=form.category.data,
        venue_name=form.venue_name.data, venue_address=form.venue_address.data,
        postcode_district=form.postcode_district.data, min_age=form.min_age.data, max_age=form.max_age.data,
        capacity=form.capacity.data, registration_mode=form.registration_mode.data,
        regular_sessions=form.regular_sessions.data, end_survey_weeks=form.end_survey_weeks.data,
        follow_up_first_sessions=form.follow_up_first_sessions.data, follow_up_missed=form.follow_up_missed.data,
        venue_directions=form.venue_directions.data or "",
        texts={lang.code: LanguageText(**{part: getattr(form, text_field_name(lang.code, part)).data or ""
                                          for part in TEXT_PARTS})
               for lang in OTHER_LANGUAGES})


def _text_data(programme) -> dict:
    """The edit form's other-language fields, filled from the programme's texts."""
    return {text_field_name(row.language, part): getattr(row, part) or ""
            for row in programme.texts for part in TEXT_PARTS}


def _programme(programme_id) -> Programme:
    return load(Programme, programme_id, g.org)


def _session(programme, session_id) -> ProgrammeSession:
    session = load(ProgrammeSession, session_id, g.org)
    if session.programme_id != programme.id:
        abort(404)
    return session


def _to_detail(programme):
    return redirect(url_for("programmes.detail", org_slug=g.org.slug, programme_id=programme.id))


@bp.route(PREFIX + "/new", methods=["GET", "POST"])
@org_member_required("lead")
def new():
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = programmes.create(g.org, _details(form), by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash("Programme created. Now add its sessions.", "success")
            return redirect(url_for("programmes.generate", org_slug=g.org.slug, programme_id=programme.id))
    return render_template("programmes/form.html", form=form, programme=None, org=g.org,
                           text_languages=OTHER_LANGUAGES, english_names=ENGLISH_NAMES)


@bp.get(PREFIX + "/<int:programme_id>")
@org_member_required()
def detail(programme_id):
    programme = _programme(programme_id)
    now = utcnow()
    show_past = request.args.get("past") == "1"
    sessions = [s for s in programme.sessions if show_past or s.ends_at >= now]
    return render_template("programmes/detail.html", programme=programme, sessions=sessions, org=g.org,
                           places=places.places_left_for_sessions(s.id for s in sessions), now=now,
                           show_past=show_past, past_count=sum(1 for s in programme.sessions if s.ends_at < now),
                           is_lead=g.membership.role == "lead", confirm=ConfirmForm(),
                           text_languages=[lang for lang in OTHER_LANGUAGES
                                           if lang.code in programmes.languages(programme)],
                           english_names=ENGLISH_NAMES,
                           has_safeguarding_lead=safeguarding.has_safeguarding_lead(g.org))


@bp.route(PREFIX + "/<int:programme_id>/edit", methods=["GET", "POST"])
@org_member_required("lead")
def edit(programme_id):
    programme = _programme(programme_id)
    form = ProgrammeForm(obj=programme, **_text_data(programme)) if request.method == "GET" else ProgrammeForm()
    if form.validate_on_submit():
        try:
            programmes.update(programme, _details(form), by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash("Programme saved.", "success")
            return _to_detail(programme)
    return render_template("programmes/form.html", form=form, programme=programme, org=g.org,
                           text_languages=OTHER_LANGUAGES, english_names=ENGLISH_NAMES)


@bp.post(PREFIX + "/<int:programme_id>/publish")
@org_member_required("lead")
def publish(programme_id):
    programme = _programme(programme_id)
    if ConfirmForm().validate_on_submit():
        try:
            programmes.publish(programme, by=current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"{programme.title} is published: families can find and book it now.", "success")
    return _to_detail(programme)


@bp.post(PREFIX + "/<int:programme_id>/unpublish")
@org_member_required("lead")
def unpublish(programme_id):
    programme = _programme(programme_id)
    if ConfirmForm().validate_on_submit():
        programmes.unpublish(programme, by=current_user)
        flash(f"{programme.title} is hidden from the catalogue. Existing bookings stay.", "success")
    return _to_detail(programme)


@bp.route(PREFIX + "/<int:programme_id>/sessions/new", methods=["GET", "POST"])
@org_member_required("lead")
def add_session(programme_id):
    programme = _programme(programme_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            programmes.add_session(programme, _times(form), by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash("Session added.", "success")
            return _to_detail(programme)
    return render_template("programmes/session_form.html", form=form, programme=programme, session=None, org=g.org)


def _times(form) -> SessionTimes:
    return SessionTimes(form.day.data, form.start.data, form.end.data, form.venue_name.data,
                        form.venue_address.data, form.capacity.data)


@bp.route(PREFIX + "/<int:programme_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@org_member_required("lead")
def edit_session(programme_id, session_id):
    programme = _programme(programme_id)
    session = _session(programme, session_id)
    if request.method == "GET":
        form = SessionForm(obj=programmes.local_parts(session))
    else:
        form = SessionForm()
    if form.validate_on_submit():
        try:
            programmes.update_session(session, _times(form), by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash("Session saved. People already booked are not emailed about changes; tell them if it matters.",
                  "success")
            return _to_detail(programme)
    return render_template("programmes/session_form.html", form=form, programme=programme, session=session,
                           org=g.org)


@bp.route(PREFIX + "/<int:programme_id>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@org_member_required("lead")
def cancel_session(programme_id, session_id):
    programme = _programme(programme_id)
    session = _session(programme, session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            told = programmes.cancel_session(session, reason=form.reason.data, by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(f"Session cancelled. {len(told)} {'family has' if len(told) == 1 else 'families have'} "
                  "been emailed.", "success")
            return _to_detail(programme)
    return render_template("programmes/cancel_session.html", form=form, programme=programme, session=session,
                           org=g.org, booked=programmes.people_booked(session))


@bp.route(PREFIX + "/<int:programme_id>/sessions/generate", methods=["GET", "POST"])
@org_member_required("lead")
def generate(programme_id):
    programme = _programme(programme_id)
    form = WeeklyRuleForm()
    planned = None
    if form.validate_on_submit():
        try:
            rule = WeeklyRule(weekday=int(form.weekday.data), start=form.start.data, end=form.end.data,
                              first_date=form.first_date.data, last_date=form.last_date.data,
                              skip_dates=programmes.parse_skip_dates(form.skip_dates.data))
            if request.form.get("action") == "create":
                made = programmes.generate(programme, rule, by=current_user)
                flash(f"{len(made)} sessions added.", "success")
                return _to_detail(programme)
            planned = programmes.plan(programme, rule)
        except DomainError as err:
            _field_error(form, err)
    return render_template("programmes/generate.html", form=form, programme=programme, org=g.org, planned=planned,
                           weekday_name=programmes.WEEKDAYS)
