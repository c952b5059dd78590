"""The door: today's sessions, a session's list, scanner, walk-ins, check-out, on-site register."""
from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .offline import door_copy, keep_today_until
from .words import door_words
from .forms import CheckOutForm, ManualCheckInForm, UndoForm, WalkInForm
from ..choices import choices
from ..params import row_id
from ...access import load, load_young_person, org_member_required, staff_attendance
from ...errors import DomainError
from ...extensions import db
from ...models import Attendance, ProgrammeSession
from ...services import audit, checkin
from ...services.register_lock import RegisterLock
from ...services.one_time import AlreadySavedError
from ..forms import token_redirect
from ...timeutil import age_on, utcnow
from ..forms import field_error

PREFIX = "/org/<org_slug>"


def _session(session_id):
    return load(ProgrammeSession, session_id, g.org)


def _window():
    return checkin.CheckinWindow.from_settings(current_app.config)


def _lock():
    return RegisterLock.from_settings(current_app.config)


def _lock_state(s, now):
    """(locked, message) for a session's page: the banner and the reason fields show when locked."""
    lock = _lock()
    locked = not s.is_cancelled and lock.is_locked(s, now)
    return locked, (lock.message(s, g.org.timezone) if locked else None)


def _form_id(value) -> int | None:
    try:
        return row_id(value or "")
    except ValueError:
        return None


@bp.get(PREFIX + "/today")
@org_member_required("worker")
def today():
    now = utcnow()
    sessions = checkin.todays_sessions(g.org, now, g.org.timezone)
    counts = {s.id: checkin.headcount(checkin.roster(s, now=now)) for s in sessions}
    window = _window()
    page = make_response(render_template("checkin/today.html", sessions=sessions, counts=counts, now=now,
                                         states={s.id: window.state(s, now) for s in sessions}, window=window))
    return door_copy(page, keep_today_until(sessions, window, now, g.org.timezone))


@bp.get(PREFIX + "/sessions/<int:session_id>")
@org_member_required("worker")
def session(session_id):
    s = _session(session_id)
    lines = checkin.roster(s)
    q = (request.args.get("q") or "").strip()[:60].lower()
    shown = [x for x in lines if q in x.young_person.display_name.lower()] if q else lines
    # The undo bar only for a check-in of this session (the id comes back in the URL).
    last = request.args.get("last", type=row_id)
    last = last if any(x.attendance is not None and x.attendance.id == last for x in lines) else None
    correct = request.args.get("correct", type=row_id)  # a refused correction, to show open again
    correct = correct if any(x.attendance is not None and x.attendance.id == correct for x in lines) else None
    now = utcnow()
    refusal = None if s.is_cancelled else _window().refusal(s, now, g.org.timezone)
    known = checkin.known_not_on_list(s, q, lines) if q and not refusal and not s.is_cancelled else []
    locked, lock_message = _lock_state(s, now)
    return render_template("checkin/session.html", s=s, lines=shown, count=checkin.headcount(lines), q=q,
                           form=ManualCheckInForm(), undo_form=UndoForm(), last=last, refusal=refusal,
                           locked=locked, lock_message=lock_message, correct=correct,
                           known=known, open=not refusal and not s.is_cancelled, now=now,
                           ages={yp.id: age_on(yp.date_of_birth, s.starts_at.date()) for yp in known
                                 if yp.date_of_birth})


@bp.post(PREFIX + "/sessions/<int:session_id>/check-in")
@org_member_required("worker")
def manual_check_in(session_id):
    s = _session(session_id)
    form = ManualCheckInForm()
    if not form.validate_on_submit():
        abort(400)
    # By name: only someone this organisation knows (a booking, an attendance, added by its staff);
    # walk_in=1 makes a known person's check-in a walk-in, it never widens who can be found.
    yp = load_young_person(g.org, _form_id(form.young_person_id.data))
    result = checkin.check_in_by_name(yp, s, by=current_user, method="manual", walk_in=form.walk_in.data == "1",
                                      tz_name=g.org.timezone, window=_window(), lock=_lock(),
                                      reason=form.reason.data)
    # A survey due now is said with the check-in, so the worker can ask there and then.
    flash(" ".join([result.message, *result.surveys_due]), {"ok": "success", "warn": "warning", "error": "error"}[result.status])
    last = result.attendance.id if result.code == "checked_in" else None
    return redirect(url_for("checkin.session", org_slug=g.org.slug, session_id=s.id, last=last))


@bp.post(PREFIX + "/sessions/<int:session_id>/undo")
@org_member_required("worker")
def undo(session_id):
    s = _session(session_id)
    form = UndoForm()
    if not form.validate_on_submit():
        abort(400)
    attendance = staff_attendance(_form_id(form.attendance_id.data), current_user)
    if attendance.session_id != s.id:
        abort(404)
    name = attendance.young_person.short_name
    try:
        undone = checkin.undo_check_in(attendance, by=current_user, lock=_lock(), reason=form.reason.data,
                                       tz_name=g.org.timezone)
    except DomainError as err:  # the register is locked and no reason was given
        db.session.rollback()
        flash(f"Not changed. {err.message}", "error")
        # Back with that line's correction open, its reason field marked.
        return redirect(url_for("checkin.session", org_slug=g.org.slug, session_id=s.id, correct=attendance.id,
                                _anchor=f"correct-{attendance.id}"))
    if undone:
        flash(f"Undone: {name} is no longer checked in.", "success")
    else:
        flash(f"{name}'s check-in was already undone.", "info")
    return redirect(url_for("checkin.session", org_slug=g.org.slug, session_id=s.id))


@bp.get(PREFIX + "/sessions/<int:session_id>/scan")
@org_member_required("worker")
def scan(session_id):
    s = _session(session_id)
    window = _window()
    refusal = None if s.is_cancelled else window.refusal(s, utcnow(), g.org.timezone)
    page = make_response(render_template("checkin/scan.html", s=s, refusal=refusal, closes_at=window.closes_at(s),
                                         door_words=door_words()))
    # Kept on the phone for a reload without signal, until check-in closes (offline.py); a refusal is not kept.
    return page if refusal or s.is_cancelled else door_copy(page, window.closes_at(s))


@bp.route(PREFIX + "/sessions/<int:session_id>/walk-in", methods=["GET", "POST"])
@org_member_required("worker")
def walk_in(session_id):
    s = _session(session_id)
    if (to_token := token_redirect()) is not None:
        return to_token
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            attendance, booked = checkin.walk_in(
                g.org, current_user, s, first_name=form.first_name.data.strip(), last_name=form.last_name.data.strip(),
                date_of_birth=form.date_of_birth.data, guardian_name=form.guardian_name.data.strip(),
                guardian_phone=form.guardian_phone.data.strip(), medical_notes=(form.medical_notes.data or "").strip(),
                consent_by_phone=form.consent_by_phone.data, age_of_consent=current_app.config["AGE_OF_CONSENT"],
                window=_window(), once=form.form_token.data, lock=_lock(), reason=form.reason.data)
        except AlreadySavedError as repeat:  # sent again (a retry, a double tap): back to the first one
            first = db.session.get(Attendance, repeat.saved.result_id or 0)
            last = first.id if first is not None and first.session_id == s.id else None
            flash(f"This was already saved: {first.young_person.first_name} is checked in." if last
                  else "This was already saved.", "info")
            return redirect(url_for("checkin.session", org_slug=g.org.slug, session_id=s.id, last=last))
        except DomainError as err:
            field_error(form, err)
        else:
            extra = "" if booked or s.programme.registration_mode == "drop_in" else \
                " No booking was made: the session is full."
            flash(f"{attendance.young_person.short_name} is checked in as a walk-in.{extra}", "success")
            return redirect(url_for("checkin.session", org_slug=g.org.slug, session_id=s.id, last=attendance.id))
    locked, lock_message = _lock_state(s, utcnow())
    return render_template("checkin/walk_in.html", s=s, form=form, locked=locked, lock_message=lock_message,
                           refusal=None if s.is_cancelled else _window().refusal(s, utcnow(), g.org.timezone))


@bp.route(PREFIX + "/attendances/<int:attendance_id>/check-out", methods=["GET", "POST"])
@org_member_required("worker")
def check_out(attendance_id):
    attendance = load(Attendance, attendance_id, g.org)
    yp = attendance.young_person
    form = CheckOutForm()
    options = [(c.name, c.name + (f" ({c.relationship_label})" if c.relationship_label else ""))
               for c in yp.collectors]
    if yp.emergency_contact_name:
        options.append((yp.emergency_contact_name, f"{yp.emergency_contact_name} (emergency contact)"))
    form.collector.choices = choices(options)
    if not options:  # nobody on record: the free text is the only way to say who it was
        form.collected_by_other.label.text = "Who collected them? Their name, and how they know them"
    if form.validate_on_submit():
        who = (form.collected_by_other.data or "").strip() or form.collector.data
        try:
            checkin.check_out(attendance, by=current_user, collected_by=who, went_home_alone=form.went_home_alone.data,
                              lock=_lock(), reason=form.reason.data, tz_name=g.org.timezone)
        except DomainError as err:
            db.session.rollback()
            if err.field in ("went_home_alone", "reason"):
                getattr(form, err.field).errors.append(err.message)
            elif err.field:
                form.collected_by_other.errors.append(err.message)
            elif err.code != "already_checked_out":  # that one the page shows instead of the form
                form.form_errors.append(err.message)
        else:
            flash(f"{yp.short_name} checked out: {attendance.how_they_left}.", "success")
            return redirect(url_for("checkin.on_site", org_slug=g.org.slug, session_id=attendance.session_id))
    locked, lock_message = _lock_state(attendance.session, utcnow())
    return render_template("checkin/check_out.html", attendance=attendance, yp=yp, form=form, locked=locked,
                           lock_message=lock_message)


@bp.get(PREFIX + "/sessions/<int:session_id>/on-site")
@org_member_required("worker")
def on_site(session_id):
    """Everyone in and not out, with emergency contacts and medical notes: the fire register."""
    s = _session(session_id)
    lines = [x for x in checkin.roster(s) if x.attendance is not None and x.attendance.checked_out_at is None]
    audit.record("medical_notes.viewed", actor=current_user, organisation=g.org, subject=s, count=len(lines))
    db.session.commit()
    return render_template("checkin/on_site.html", s=s, lines=lines, now=utcnow())
