"""Platform admin: approving partner organisations, messages that could not be sent, the development outbox."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import DecisionForm
from ...access import admin_required
from ...errors import ConflictError, DomainError
from ...extensions import db
from ...models import ORG_STATUSES, Organisation
from ...services import organisations, outbox as outgoing
from ...services.mail import read_outbox


@bp.get("/admin/organisations")
@admin_required
def organisations_list():
    status = request.args.get("status", "pending")
    if status not in ORG_STATUSES and status != "all":
        status = "pending"
    page = db.paginate(organisations.by_status(None if status == "all" else status),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/organisations.html", page=page, status=status,
                           counts=organisations.status_counts())


# The menu and the home redirect know this page as admin.organisations.
bp.add_url_rule("/admin/", "organisations", organisations_list)


@bp.route("/admin/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_required
def organisation(organisation_id):
    org = db.session.get(Organisation, organisation_id) or abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        decision = request.form.get("decision")
        if decision not in ("approve", "decline"):
            abort(400)
        try:
            organisations.decide(org, approve=decision == "approve", by=current_user, note=form.note.data)
        except DomainError as err:
            form.note.errors.append(err.message)
        else:
            flash(f"{org.name} is {org.status}. The applicant has been emailed.", "success")
            return redirect(url_for("admin.organisations_list", status="pending"))
    return render_template("admin/organisation.html", org=org, form=form,
                           members=organisations.members(org))


@bp.get("/admin/outbox")
@admin_required
def outbox():
    using_smtp = bool(current_app.config["MAIL_SERVER"])
    return render_template("admin/outbox.html", messages=[] if using_smtp else read_outbox(
        current_app.config["MAIL_OUTBOX_DIR"], limit=50), using_smtp=using_smtp)


@bp.get("/admin/messages")
@admin_required
def messages():
    """Emails the worker gave up on, with the reason, to send again once the cause is fixed.
    Recipients are personal data: this page is for platform admins only."""
    page = db.paginate(outgoing.failed_messages(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/messages.html", page=page, counts=outgoing.status_counts(), kinds=_KINDS)


# What a message composed by the worker is, before it has a subject.
_KINDS = {"sign_up": "Sign-up (confirmation link, or 'you already have an account')",
          "password_reset": "Password reset link"}


@bp.post("/admin/messages/<int:message_id>/send-again")
@admin_required
def send_message_again(message_id):
    try:
        message = outgoing.send_again(message_id, by=current_user)
    except ConflictError as err:  # sent again from another tab, or meanwhile: say so, no error page
        flash(err.message, "info")
    else:
        flash(f"The message to {message.recipient} is back in the queue: it goes as soon as the mail "
              "server takes it.", "success")
    return redirect(url_for("admin.messages"))
