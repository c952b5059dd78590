"""Staff side of bookings: a programme's registrations and waiting list, booking on
someone's behalf, moving between confirmed and waiting, and printable pass cards."""
import base64

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import ConfirmCancelForm, MoveForm, OnBehalfForm
from ...access import load, org_member_required
from ...errors import DomainError
from ...models import Programme, ProgrammeSession, Registration
from ...services import passes, registration, staff_booking
from ...services.one_time import AlreadySavedError
from ..forms import token_redirect
from ...services.staff_booking import OnBehalf
from ...timeutil import age_on, utcnow
from ..params import row_id

PREFIX = "/org/<org_slug>"


def _session_for(programme):
    """The session a per_session register is about (?session=id), else the next one."""
    if programme.registration_mode == "enrol":
        return None
    session_id = request.values.get("session", type=row_id) or request.values.get("session_id", type=row_id)
    if session_id:
        session = load(ProgrammeSession, session_id, g.org)
        if session.programme_id != programme.id:
            abort(404)
        return session
    upcoming = [s for s in programme.sessions if s.starts_at >= utcnow() and s.status == "scheduled"]
    return upcoming[0] if upcoming else (programme.sessions[-1] if programme.sessions else None)


@bp.get(PREFIX + "/programmes/<int:programme_id>/registrations")
@org_member_required("worker")
def programme(programme_id):
    prog = load(Programme, programme_id, g.org)
    session = _session_for(prog)
    confirmed, waiting = ([], []) if (prog.registration_mode == "per_session" and session is None) else \
        registration.registrations_for(prog, session)
    capacity = (session.effective_capacity if session is not None else prog.capacity)
    today = utcnow().date()
    return render_template("bookings/programme.html", programme=prog, session=session, confirmed=confirmed,
                           waiting=waiting, capacity=capacity, move_form=MoveForm(),
                           ages={r.id: age_on(r.young_person.date_of_birth, today)
                                 for r in confirmed + waiting if r.young_person.date_of_birth})


@bp.route(PREFIX + "/programmes/<int:programme_id>/registrations/new", methods=["GET", "POST"])
@org_member_required("worker")
def book_on_behalf(programme_id):
    prog = load(Programme, programme_id, g.org)
    if prog.registration_mode == "drop_in":
        flash("Drop-in sessions need no booking: check people in at the door.", "info")
        return redirect(url_for("bookings.programme", org_slug=g.org.slug, programme_id=prog.id))
    session = _session_for(prog)
    if (to_token := token_redirect()) is not None:
        return to_token
    form = OnBehalfForm()
    if form.validate_on_submit():
        details = OnBehalf(**{k: (v.strip() if isinstance(v, str) else v) for k, v in form.data.items()
                              if k in OnBehalf.__dataclass_fields__})
        details.medical_notes = details.medical_notes or None
        try:
            reg = staff_booking.book_on_behalf(g.org, current_user, details, prog, session,
                                               age_of_consent=current_app.config["AGE_OF_CONSENT"],
                                               once=form.form_token.data)
        except AlreadySavedError:  # sent again (a retry after an error page): the booking is on the register
            flash("This was already saved.", "info")
            return redirect(url_for("bookings.programme", org_slug=g.org.slug, programme_id=prog.id,
                                    session=session.id if session else None))
        except DomainError as err:
            if err.field and hasattr(form, err.field):
                getattr(form, err.field).errors.append(err.message)
            else:
                form.form_errors.append(err.message)
        else:
            word = "booked" if reg.status == "confirmed" else \
                f"on the waiting list at number {registration.waitlist_position(reg)}"
            flash(f"{details.first_name} {details.last_name} is {word}.", "success")
            return redirect(url_for("bookings.programme", org_slug=g.org.slug, programme_id=prog.id,
                                    session=session.id if session else None))
    return render_template("bookings/on_behalf.html", programme=prog, session=session, form=form)


def _load_registration(registration_id):
    reg = load(Registration, registration_id, g.org)
    if reg.status == "cancelled":
        abort(404)
    return reg


def _back(reg):
    programme_id = reg.programme_id or reg.session.programme_id
    return redirect(url_for("bookings.programme", org_slug=g.org.slug, programme_id=programme_id,
                            session=reg.session_id))


@bp.post(PREFIX + "/registrations/<int:registration_id>/move")
@org_member_required("worker")
def move(registration_id):
    reg = _load_registration(registration_id)
    form = MoveForm()
    if not form.validate_on_submit() or form.to.data not in ("waiting", "confirmed"):
        abort(400)
    try:
        if form.to.data == "waiting":
            registration.move_to_waiting_list(reg, by=current_user)
            flash(f"{reg.young_person.short_name} moved to the top of the waiting list.", "success")
        else:
            registration.confirm_from_waiting_list(reg, by=current_user)
            flash(f"{reg.young_person.short_name} now has a place; their family has been emailed.", "success")
    except DomainError as err:
        flash(err.message, "error")
    return _back(reg)


@bp.route(PREFIX + "/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@org_member_required("worker")
def cancel(registration_id):
    reg = _load_registration(registration_id)
    form = ConfirmCancelForm()
    if form.validate_on_submit():
        try:
            promoted = registration.cancel_booking(reg, by=current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            moved = f" {promoted[0].young_person.short_name} moved up from the waiting list." if promoted else ""
            flash(f"Booking cancelled.{moved}", "success")
        return _back(reg)
    return render_template("bookings/cancel.html", form=form, reg=reg)


@bp.get(PREFIX + "/programmes/<int:programme_id>/pass-cards")
@org_member_required("lead")
def pass_cards(programme_id):
    """A printable sheet of pass cards for the programme's confirmed young people."""
    prog = load(Programme, programme_id, g.org)
    session = _session_for(prog)
    confirmed, _ = registration.registrations_for(prog, session)
    base = current_app.config["BASE_URL"]
    cards = []
    for reg in confirmed:
        live = passes.ensure_pass(reg.young_person)
        png = passes.qr_png(passes.pass_url(base, live.secret), box_size=6)
        cards.append({"first_name": reg.young_person.first_name, "last_name": reg.young_person.last_name,
                      "qr": "data:image/png;base64," + base64.b64encode(png).decode()})
    return render_template("bookings/pass_cards.html", programme=prog, session=session, cards=cards)
