"""An account's mobile number (add, confirm with a code, choose what to get by text, remove), and
the lead's list of the text messages their organisation sent, with what the provider said."""
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from . import bp
from .forms import ChoicesForm, CodeForm, MobileForm, PlainForm
from ...access import org_member_required
from ...errors import DomainError
from ...extensions import db
from ...models import OutgoingMessage
from ...services import mobile
from ...timeutil import utcnow


def _allowed_or_403():
    if not mobile.may_have_mobile(current_user, age_of_consent=current_app.config["AGE_OF_CONSENT"],
                                  today=utcnow().date()):
        abort(403)


def _masked(number: str) -> str:
    """+447700900123 -> 07700 900 123 shown to its owner; the lead sees only the last digits."""
    return ("0" + number[3:7] + " " + number[7:10] + " " + number[10:]) if number.startswith("+44") else number


@bp.route("/account/mobile", methods=["GET", "POST"])
@login_required
def mobile_number():
    _allowed_or_403()
    current = mobile.mobile_of(current_user)
    form = MobileForm()
    if form.validate_on_submit():
        try:
            mobile.start(current_user, form.number.data, secret_key=current_app.config["SECRET_KEY"],
                         age_of_consent=current_app.config["AGE_OF_CONSENT"],
                         policy=mobile.CodePolicy.from_config(current_app.config))
        except DomainError as err:
            db.session.rollback()
            form.number.errors.append(err.translated())
        else:
            flash(_("We have texted you a code. Enter it below to confirm your number."), "success")
            return redirect(url_for("texts.confirm"))
    choices = ChoicesForm(data={"bookings": current.text_bookings, "reminders": current.text_reminders,
                                "cancellations": current.text_cancellations}) if current else None
    return render_template("texts/mobile.html", form=form, current=current, shown=_masked(current.number) if current else "",
                           choices=choices, plain=PlainForm())


@bp.route("/account/mobile/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    _allowed_or_403()
    current = mobile.mobile_of(current_user)
    if current is None:
        return redirect(url_for("texts.mobile_number"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            mobile.confirm(current_user, form.code.data, secret_key=current_app.config["SECRET_KEY"],
                           policy=mobile.CodePolicy.from_config(current_app.config))
        except DomainError as err:
            form.code.errors.append(err.translated())
        else:
            flash(_("Your mobile number is confirmed. Choose below what you would like by text."), "success")
            return redirect(url_for("texts.mobile_number"))
    return render_template("texts/confirm.html", form=form, current=current, shown=_masked(current.number),
                           plain=PlainForm())


@bp.post("/account/mobile/resend")
@login_required
def resend():
    _allowed_or_403()
    current = mobile.mobile_of(current_user)
    if current is None or not PlainForm().validate_on_submit():
        return redirect(url_for("texts.mobile_number"))
    try:
        mobile.start(current_user, current.number, secret_key=current_app.config["SECRET_KEY"],
                     age_of_consent=current_app.config["AGE_OF_CONSENT"],
                     policy=mobile.CodePolicy.from_config(current_app.config))
    except DomainError as err:
        db.session.rollback()
        flash(err.translated(), "error")
    else:
        flash(_("We have texted you a new code."), "success")
    return redirect(url_for("texts.confirm"))


@bp.post("/account/mobile/choices")
@login_required
def choices():
    _allowed_or_403()
    form = ChoicesForm()
    if form.validate_on_submit():
        try:
            mobile.set_choices(current_user, bookings=form.bookings.data, reminders=form.reminders.data,
                               cancellations=form.cancellations.data)
        except DomainError as err:
            flash(err.translated(), "error")
        else:
            flash(_("Saved. Emails still come as before."), "success")
    return redirect(url_for("texts.mobile_number"))


@bp.post("/account/mobile/remove")
@login_required
def remove():
    if PlainForm().validate_on_submit():
        mobile.remove(current_user)
        flash(_("Your mobile number is removed. We will send no more texts to it."), "success")
    return redirect(url_for("texts.mobile_number"))


@bp.get("/org/<org_slug>/messages")
@org_member_required("lead")
def org_messages():
    """The texts sent about this organisation's sessions, newest first, with the provider's latest
    word on each. Numbers show only their last three digits: the lead needs to see that texts
    arrive, not to collect families' numbers."""
    m = OutgoingMessage
    query = (select(m).where(m.organisation_id == g.org.id, m.channel == "sms")
             .order_by(m.created_at.desc(), m.id.desc()))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("texts/messages.html", page=page)
