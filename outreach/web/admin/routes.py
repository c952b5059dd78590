"""Platform admin: approving partner organisations, the development outbox."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from . import bp
from .forms import DecisionForm
from ...access import admin_required
from ...errors import DomainError
from ...extensions import db
from ...models import ORG_STATUSES, Organisation
from ...services import organisations
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
