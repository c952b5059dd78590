"""My family: a guardian's children, their bookings and passes; booking a place."""
import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import bp
from ..choices import choices
from ... import i18n
from .forms import (BookForm, CalendarFeedForm, ChildForm, ConfirmForm, ConsentForm, EqualityForm, NewChildForm,
                    PassCheckInForm, StopCalendarFeedForm)
from ...errors import DomainError
from ...extensions import db
from .. import limits
from ..downloads import content_disposition
from ..main.notices import privacy_terms
from ..params import row_id
from ...filenames import name_slug
from ...models import Registration
from ...access import staff_memberships, staff_session
from ...services import (attendance_history, calendar_feed, checkin, comparison, consent, family, passes,
                        registration, survey_timing, surveys)
from ...services.family import ChildDetails
from ...services.one_time import AlreadySavedError
from ..forms import token_redirect
from ..redirects import safe_next, with_query
from ...timeutil import age_on, to_local, utcnow


def _field_error(form, err: DomainError) -> bool:
    if err.field and hasattr(form, err.field):
        getattr(form, err.field).errors.append(err.translated())
        return True
    flash(err.translated(), "error")
    return False


def _load_child(young_person_id):
    try:
        return family.load_child(current_user, young_person_id)
    except DomainError:
        abort(404)


@bp.get("/family")
@login_required
def index():
    children = family.children_of(current_user)
    own = family.own_profile(current_user)
    people = ([own] if own else []) + children
    return render_template("family/index.html", people=people, own=own, booking_result=browser_session.pop(_RESULT, None),
                           bookings=family.bookings_by_child(people),
                           needs_consent={yp.id for yp in children if not consent.has_current_consent(yp)},
                           pass_urls={yp.id: _pass_url(yp) for yp in people},
                           feed=calendar_feed.feed_of(current_user),
                           attendance=attendance_history.history_by_child(people))


def _pass_url(yp):
    live = passes.live_pass(yp)
    return url_for("family.pass_page", secret=live.secret) if live else None


@bp.route("/family/children/new", methods=["GET", "POST"])
@login_required
def add_child():
    family.check_is_guardian_account(current_user)  # a young person's own account: 403, nothing written
    if (to_token := token_redirect()) is not None:
        return to_token
    # Where "Add a child" was tapped from (a booking page): only ever a path on this site.
    back = safe_next(request.args.get("next"))
    form = NewChildForm()
    if form.validate_on_submit():
        try:
            child = family.add_child(current_user, ChildDetails(**form.details_kwargs()), consent_given=True,
                                     once=form.form_token.data)
        except AlreadySavedError as saved:  # the same form sent again: the child is saved already
            flash(_("This was already saved."), "info")
            return redirect(_after_adding(back, saved.saved.result_id))
        except DomainError as err:
            _field_error(form, err)
        else:
            if back:
                flash(_("%(name)s has been added.", name=child.first_name), "success")
            else:
                flash(_("%(name)s has been added. You can book activities for them now.", name=child.first_name),
                      "success")
            return redirect(_after_adding(back, child.id))
    return render_template("family/child_form.html", form=form, child=None, back=back, terms=privacy_terms(),
                           wording=_(consent.wording("guardian")), version=consent.CURRENT_VERSION)


def _after_adding(back, child_id):
    """Back to the booking page the guardian came from, the new child chosen; else My family."""
    if back and child_id:
        return with_query(back, child=child_id)
    return url_for("family.index")


@bp.route("/family/children/<int:young_person_id>/edit", methods=["GET", "POST"])
@login_required
def edit_child(young_person_id):
    child = _load_child(young_person_id)
    form = ChildForm(obj=child) if request.method == "GET" else ChildForm()
    if request.method == "GET":
        for i, c in enumerate(child.collectors[:5]):
            if i >= len(form.collectors):
                form.collectors.append_entry()
            form.collectors[i].form.name.data = c.name
            form.collectors[i].form.relationship_label.data = c.relationship_label
            form.collectors[i].form.phone.data = c.phone
    own = child.user_id == current_user.id
    if own:  # a young person's own profile: they answer for themself
        form.may_go_home_alone.label.text = _("I may go home on my own after a session")
        form.photo_consent.label.text = _("Photos: I may appear in photos taken at sessions")
    if form.validate_on_submit():
        try:
            family.update_child(current_user, child, ChildDetails(**form.details_kwargs()))
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(_("Your details are saved.") if own else _("%(name)s's details are saved.", name=child.first_name),
                  "success")
            return redirect(url_for("family.index"))
    return render_template("family/child_form.html", form=form, child=child, own=own)


@bp.route("/family/children/<int:young_person_id>/equality", methods=["GET", "POST"])
@login_required
def equality_questions(young_person_id):
    """The optional equality questions, on their own page: special category data, asked apart
    from what staff need, with the reason, and never shown to staff."""
    from ...services import equality

    child = _load_child(young_person_id)
    own = child.user_id == current_user.id
    saved = equality.answers_of(current_user, child)
    form = EqualityForm(obj=saved) if request.method == "GET" else EqualityForm()
    if own:
        form.disability.label.text = _("Disability: do you have a disability or a long-term health condition?")
        form.special_needs.label.text = _("Special educational needs: do you have special educational needs (SEN)?")
    if form.validate_on_submit():
        try:
            row = equality.save_answers(current_user, child, **form.answers())
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(_("Thank you: your answers are saved.") if row else _("Nothing is kept: no answers given."), "success")
            return redirect(url_for("family.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("family/equality.html", form=form, child=child, own=own, saved=saved), status


@bp.route("/family/children/<int:young_person_id>/consent", methods=["GET", "POST"])
@login_required
def give_consent(young_person_id):
    child = _load_child(young_person_id)
    family.check_may_give_consent(current_user, child)
    form = ConsentForm()
    if form.validate_on_submit():
        family.give_consent(current_user, child)
        flash(_("Thank you: consent recorded."), "success")
        return redirect(url_for("family.index"))
    return render_template("family/consent.html", form=form, child=child,
                           wording=_(consent.wording("guardian")), version=consent.CURRENT_VERSION)


@bp.get("/family/children/<int:young_person_id>/data.json")
@login_required
def download(young_person_id):
    child = _load_child(young_person_id)
    data = family.export_child(current_user, child)
    # The download's notes to the family in their language (its keys stay as they are, for software).
    for key in ("safeguarding_records", "restricted_notes"):
        if key in data:
            note = data[key]["note"]  # marked with N_ in services/family.py
            data[key]["note"] = _(note)
    filename = f"outreach-data-{child.first_name or 'young-person'}.json".replace(" ", "-")
    return Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/family/children/<int:young_person_id>/delete", methods=["GET", "POST"])
@login_required
def delete_child(young_person_id):
    child = _load_child(young_person_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = child.first_name
        family.erase_child(current_user, child)
        flash(_("%(name)s's personal data has been deleted.", name=name), "success")
        return redirect(url_for("family.index"))
    return render_template("family/delete.html", form=form, child=child)


@bp.route("/family/bookings/<int:registration_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_booking(registration_id):
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.status == "cancelled" or not family.may_manage(current_user, reg.young_person):
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            registration.cancel_booking(reg, by=current_user)
        except DomainError as err:
            flash(err.translated(), "error")
        else:
            flash(_("Booking cancelled. Thank you for letting us know: the place goes to the next on the list."),
                  "success")
        return redirect(url_for("family.index"))
    return render_template("family/cancel.html", form=form, reg=reg)


@bp.route("/activities/<int:programme_id>/book", methods=["GET", "POST"])
@login_required
@limits.booking
def book(programme_id):
    """Book one or several of the family's young people onto a session or a course in one step."""
    programme = family.bookable_programme(programme_id)
    if programme is None:
        abort(404)
    if (to_token := token_redirect()) is not None:
        return to_token
    now = utcnow()
    people = family.people_of(current_user)
    sessions = family.upcoming_sessions(programme, now)
    form = BookForm()
    form.young_person_id.choices = choices((yp.id, f"{yp.first_name} {yp.last_name}") for yp in people)
    form.session_id.choices = choices((s.id, s.starts_at.isoformat()) for s in sessions)
    if request.method == "GET":
        form.session_id.data = request.args.get("session", type=row_id)
    by_id = {s.id: s for s in sessions}
    chosen_session = by_id.get(form.session_id.data)
    # Who cannot be booked, and why, shown greyed rather than offered.
    not_offered = {yp_id: err.translated() if err is not None else None
                   for yp_id, err in family.not_offered(people, programme, sessions, chosen_session, now=now).items()}
    if request.method == "GET":
        asked = set(request.args.getlist("child", type=row_id))
        form.young_person_id.data = [yp.id for yp in people
                                     if not not_offered.get(yp.id) and (yp.id in asked or len(people) == 1)]
    if programme.registration_mode == "per_session" and request.method == "POST" and chosen_session is None:
        form.session_id.errors = [_("Choose a session.")]
    elif form.validate_on_submit():
        chosen = [yp for yp in people if yp.id in set(form.young_person_id.data)]
        try:
            results = registration.book_places(chosen, programme, chosen_session, booked_by=current_user,
                                               once=form.form_token.data, now=now)
        except AlreadySavedError:  # sent twice: the first one's bookings are on My family
            flash(_("This was already saved."), "info")
            return redirect(url_for("family.index"))
        except DomainError as err:
            form.young_person_id.errors.append(err.translated())
        else:
            if any(r.registration is not None for r in results):
                browser_session[_RESULT] = _result_lines(programme, chosen_session, results)
                return redirect(url_for("family.index"))
            # Nobody could be booked: say why next to the choice, and let them choose again.
            form.young_person_id.errors.extend(r.translated() for r in results)
    return render_template("family/book.html", form=form, programme=programme, sessions=sessions, people=people,
                           ages={yp.id: age_on(yp.date_of_birth, now.date()) for yp in people if yp.date_of_birth},
                           not_offered=not_offered, places=family.places_for(sessions),
                           add_child_url=None if family.own_profile(current_user) else url_for(
                               # Coming back, the children ticked so far stay ticked beside the new one.
                               "family.add_child", next=url_for("family.book", programme_id=programme.id,
                                                                session=form.session_id.data or None,
                                                                child=list(form.young_person_id.data or []))))


# The outcome of the last booking, shown once at the top of My family (like a flash message).
_RESULT = "booking_result"


def _result_lines(programme, chosen_session, results) -> dict:
    lines = []
    for r in results:
        name = r.young_person.first_name
        # Worded now, in the language of the person booking, who reads it on the next page.
        if r.status == "confirmed":
            lines.append({"status": "confirmed", "name": name,
                          "text": _("%(name)s has a place. A confirmation is on its way by email.", name=name)})
        elif r.status == "waitlisted":
            lines.append({"status": "waitlisted", "name": name,
                          "text": _("That was full, so %(name)s is on the waiting list at number %(num)s. "
                                    "We'll email you if a place comes up.", name=name,
                                    num=i18n.format_number(r.waitlist_position))})
        else:
            lines.append({"status": "refused", "name": name,
                          "text": _("%(name)s is not booked. %(reason)s", name=name, reason=r.translated())})
    tz = programme.organisation.timezone
    title_in = current_app.jinja_env.filters["in_language"]
    return {"title": title_in(programme, "title"), "lines": lines,
            "when": i18n.format_moment(to_local(chosen_session.starts_at, tz), "%a %-d %b %Y, %H:%M")
            if chosen_session else None}


@bp.get("/p/<secret>")
@limits.pass_lookup
def pass_page(secret):
    """The URL inside every QR pass. Staff get a one-tap check-in; the holder's family sees
    the pass; anyone else learns only what the pass is for."""
    found = passes.find_by_secret_or_none(secret)
    live = found is not None and not found.is_revoked and found.young_person.erased_at is None
    if live and current_user.is_authenticated:
        if family.may_manage(current_user, found.young_person):
            url = passes.pass_url(current_app.config["BASE_URL"], found.secret)
            now = utcnow()
            return render_template("family/pass.html", yp=found.young_person, secret=found.secret, url=url,
                                   open_surveys=surveys.open_for(found.young_person_id, now),
                                   waiting_surveys=comparison.surveys_open_for(found.young_person_id, now),
                                   due={d.survey.id: d for d in survey_timing.due_now(found.young_person_id, now)
                                        + survey_timing.comparison_due(found.young_person_id, now)})
        memberships = staff_memberships(current_user)
        if memberships:
            # The pass shown at the door is the family's act for that door: staff learn who it is
            # only while one of their own sessions takes check-ins, and then only to check them in.
            now = utcnow()
            sessions = checkin.sessions_taking_checkins([m.organisation_id for m in memberships], now,
                                                        checkin.CheckinWindow.from_settings(current_app.config))
            if not sessions:
                return render_template("family/pass_staff.html", yp=None, sessions=[])
            yp = found.young_person
            return render_template("family/pass_staff.html", yp=yp, secret=found.secret, sessions=sessions,
                                   age=age_on(yp.date_of_birth, now.date()) if yp.date_of_birth else None,
                                   flags=checkin.flags_for(yp),
                                   status={s.id: checkin.booking_status(yp, s)[0] for s in sessions},
                                   attendance=checkin.attendance_at(yp, sessions), form=PassCheckInForm())
    return render_template("family/pass_public.html", revoked=bool(found and found.is_revoked),
                           unknown=found is None), (404 if found is None else 200)


@bp.post("/p/<secret>/check-in")
@limits.pass_lookup
@login_required
def pass_check_in(secret):
    """One tap from the phone's own camera: check this pass in to a session happening now."""
    form = PassCheckInForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        session_id = row_id(form.session_id.data)
    except ValueError:
        abort(404)
    session = staff_session(session_id, current_user)
    # The service refuses a session outside its check-in window (outside_checkin_window), whatever id is sent.
    result = checkin.check_in_by_pass(secret, session, by=current_user, method="qr",
                                      walk_in=form.walk_in.data == "1", tz_name=session.programme.organisation.timezone,
                                      window=checkin.CheckinWindow.from_settings(current_app.config))
    return render_template("family/pass_result.html", result=result, session=session, secret=secret,
                           form=PassCheckInForm()), (200 if result.status != "error" else 422)


def _own_live_pass(secret):
    found = passes.find_by_secret_or_none(secret)
    if (found is None or found.is_revoked or not current_user.is_authenticated
            or not family.may_manage(current_user, found.young_person)):
        abort(404)
    return found


@bp.get("/p/<secret>/qr.png")
@limits.pass_lookup
def pass_png(secret):
    """The pass as PNG, the first name drawn under the code; `plain=1` leaves it off (the
    pass page writes the name as text beside the image)."""
    found = _own_live_pass(secret)
    first_name = found.young_person.first_name
    png = passes.qr_png(passes.pass_url(current_app.config["BASE_URL"], found.secret),
                        label=None if request.args.get("plain") else first_name)
    return Response(png, mimetype="image/png", headers={
        "Content-Disposition": _pass_file(first_name, "png", inline=not request.args.get("download")),
        "Cache-Control": "private, no-store"})


@bp.get("/p/<secret>/qr.svg")
@limits.pass_lookup
def pass_svg(secret):
    found = _own_live_pass(secret)
    first_name = found.young_person.first_name
    svg = passes.qr_svg(passes.pass_url(current_app.config["BASE_URL"], found.secret), label=first_name)
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Disposition": _pass_file(first_name, "svg"), "Cache-Control": "private, no-store"})


def _pass_file(first_name, ending, inline=False):
    """"maya-pass.png": a family with three children keeps three passes apart."""
    slug = name_slug(first_name)
    return content_disposition(f"{slug}-pass.{ending}" if slug else f"pass.{ending}", fallback=f"pass.{ending}",
                               inline=inline)


@bp.route("/family/children/<int:young_person_id>/pass/replace", methods=["GET", "POST"])
@login_required
def replace_pass(young_person_id):
    child = _load_child(young_person_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        new = passes.reissue_pass(child, by=current_user, reason="Replaced by guardian")
        flash(_("The old pass no longer works. Here is the new one."), "success")
        return redirect(url_for("family.pass_page", secret=new.secret))
    return render_template("family/replace_pass.html", form=form, child=child)


# ------------------------------------------------------------------ the family's calendar feed

_NEW_FEED = "new_calendar_feed"


@bp.route("/family/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    """Make, replace or stop the family's private calendar link. The link is shown once, just
    after it is made (only its hash is kept)."""
    feed = calendar_feed.feed_of(current_user)
    form = CalendarFeedForm()
    if form.validate_on_submit():
        if feed is not None and not form.confirm.data:
            form.confirm.errors.append(_("Tick the box: the link your calendar uses now will stop working."))
        else:
            browser_session[_NEW_FEED] = calendar_feed.make_feed(current_user)
            flash(_("Your new calendar link is ready. The old one no longer works.") if feed else
                  _("Your calendar link is ready."), "success")
            return redirect(url_for("family.calendar"))
    token = browser_session.pop(_NEW_FEED, None)
    url = (current_app.config["BASE_URL"] + url_for("family.calendar_feed_ics", token=token)) if token else None
    return render_template("family/calendar.html", feed=feed, form=form, stop_form=StopCalendarFeedForm(), url=url,
                           webcal=("webcal://" + url.split("://", 1)[1]) if url else None)


@bp.route("/family/calendar/stop", methods=["GET", "POST"])
@login_required
def stop_calendar():
    form = StopCalendarFeedForm()
    if form.validate_on_submit():
        calendar_feed.stop_feed(current_user)
        flash(_("Your calendar link no longer works. Calendars that used it stop updating."), "success")
    elif request.method == "POST":
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Tick the box to confirm."),
              "error")
    return redirect(url_for("family.calendar"))


@bp.get("/calendar/<token>.ics")
@limits.pass_lookup
def calendar_feed_ics(token):
    """The feed a calendar app fetches, without a sign-in: the secret in the URL is the key.
    A wrong, replaced or stopped secret gets 404, the same for all."""
    feed = calendar_feed.find_feed(token)
    if feed is None:
        abort(404)
    # No one is signed in: the feed is in the language of the account it belongs to.
    with i18n.in_language(feed.user.language):
        title_in = current_app.jinja_env.filters["in_language"]
        body = calendar_feed.feed_calendar(feed, say=_, title=lambda programme: title_in(programme, "title"))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="outreach-family.ics"',
        "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})
