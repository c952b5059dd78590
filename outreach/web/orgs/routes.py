"""A partner organisation's own pages: applying, dashboard, members, settings."""
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from . import bp
from .forms import (AcceptNewAccountForm, ApplyForm, ConfirmForm, InviteForm, RoleForm, SafeguardingLeadForm,
                    SettingsForm)
from ...access import org_member_required, scoped
from ...errors import DomainError
from ...extensions import db
from ...models import AuditEvent, Programme, User
from ...services import accounts, audit, organisations, programmes, safeguarding
from ...services.organisations import OrganisationDetails
from ...timeutil import utcnow
from ..auth import sessions
from ..forms import field_error as _field_error

PREFIX = "/org/<org_slug>"


def _details(form) -> OrganisationDetails:
    return OrganisationDetails(name=form.name.data or "", kind=form.kind.data, contact_email=form.contact_email.data or "",
                               description=form.description.data or "", website=form.website.data,
                               timezone=form.timezone.data or "Europe/London")


@bp.route("/organisations/apply", methods=["GET", "POST"])
def apply():
    if not current_user.is_authenticated:
        # The applicant's own account comes first, through sign-up and its
        # emailed link, so this form never says whether an address is taken.
        return render_template("orgs/apply_account_first.html")
    form = ApplyForm()
    if request.method == "GET":
        form.contact_email.data = current_user.email
    if form.validate_on_submit():
        try:
            org = organisations.apply(current_user, _details(form))
        except DomainError as err:
            db.session.rollback()
            _field_error(form, err)
        else:
            flash("Thank you. Your application is with the Outreach team; we'll email you when it's decided.",
                  "success")
            return redirect(url_for("orgs.dashboard", org_slug=org.slug))
    return render_template("orgs/apply.html", form=form)


@bp.get(PREFIX + "/")
@org_member_required()
def dashboard():
    rows = db.session.execute(scoped(Programme, g.org).order_by(Programme.is_published.desc(), Programme.title)
                              ).scalars().all()
    dsl = g.membership.is_safeguarding_lead
    return render_template("orgs/dashboard.html", summaries=programmes.summaries(rows), org=g.org,
                           is_lead=g.membership.role == "lead", is_safeguarding_lead=dsl,
                           has_safeguarding_lead=safeguarding.has_safeguarding_lead(g.org),
                           open_concerns=safeguarding.counts_by_status(g.org)["open"] if dsl else 0)


@bp.get(PREFIX + "/members")
@org_member_required("lead")
def members():
    return render_template("orgs/members.html", org=g.org, members=organisations.members(g.org),
                           invitations=organisations.pending_invitations(g.org), invite_form=InviteForm(),
                           role_form=RoleForm())


@bp.post(PREFIX + "/members/invite")
@org_member_required("lead")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = organisations.invite(g.org, form.email.data, form.role.data, by=current_user,
                                              base_url=current_app.config["BASE_URL"],
                                              max_age_days=current_app.config["INVITE_MAX_AGE_DAYS"])
        except DomainError as err:
            _field_error(form, err)
        else:
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("orgs.members", org_slug=g.org.slug))
    return render_template("orgs/members.html", org=g.org, members=organisations.members(g.org),
                           invitations=organisations.pending_invitations(g.org), invite_form=form,
                           role_form=RoleForm()), 400


@bp.post(PREFIX + "/invitations/<int:invitation_id>/revoke")
@org_member_required("lead")
def revoke_invitation(invitation_id):
    try:
        organisations.revoke_invitation(g.org, invitation_id, by=current_user)
    except DomainError:
        abort(404)
    flash("Invitation withdrawn: its link no longer works.", "success")
    return redirect(url_for("orgs.members", org_slug=g.org.slug))


@bp.post(PREFIX + "/members/<int:membership_id>/role")
@org_member_required("lead")
def change_role(membership_id):
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose lead or worker.", "error")
    else:
        try:
            m = organisations.change_role(g.org, membership_id, form.role.data, by=current_user)
        except DomainError as err:
            if err.status == 404:
                abort(404)
            flash(err.message, "error")
        else:
            flash(f"{m.user.full_name} is now a {'programme lead' if m.role == 'lead' else 'youth worker'}.",
                  "success")
    return redirect(url_for("orgs.members", org_slug=g.org.slug))


@bp.post(PREFIX + "/members/<int:membership_id>/safeguarding-lead")
@org_member_required("lead")
def set_safeguarding_lead(membership_id):
    form = SafeguardingLeadForm()
    if not form.validate_on_submit():
        flash("Choose whether they are a designated safeguarding lead.", "error")
        return redirect(url_for("orgs.members", org_slug=g.org.slug))
    on = form.on.data == "1"
    try:
        m = organisations.set_safeguarding_lead(g.org, membership_id, on, by=current_user)
    except DomainError as err:
        if err.status == 404:
            abort(404)
        flash(err.message, "error")
    else:
        flash(f"{m.user.full_name} is now a designated safeguarding lead: they receive and read the concerns staff "
              "raise." if on else f"{m.user.full_name} is no longer a designated safeguarding lead.", "success")
    return redirect(url_for("orgs.members", org_slug=g.org.slug))


@bp.route(PREFIX + "/members/<int:membership_id>/remove", methods=["GET", "POST"])
@org_member_required("lead")
def remove_member(membership_id):
    try:
        m = organisations.membership(g.org, membership_id)
    except DomainError:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        name, leaving_self = m.user.full_name, m.user_id == current_user.id
        try:
            organisations.remove_member(g.org, membership_id, by=current_user)
        except DomainError as err:
            flash(err.message, "error")
            return redirect(url_for("orgs.members", org_slug=g.org.slug))
        flash(f"{name} has been removed from {g.org.name}.", "success")
        return redirect(url_for("main.home") if leaving_self else url_for("orgs.members", org_slug=g.org.slug))
    return render_template("orgs/remove_member.html", org=g.org, member=m, form=form)


@bp.route(PREFIX + "/settings", methods=["GET", "POST"])
@org_member_required("lead")
def settings():
    form = SettingsForm(obj=g.org) if request.method == "GET" else SettingsForm()
    if form.validate_on_submit():
        try:
            organisations.update_settings(g.org, _details(form), by=current_user)
        except DomainError as err:
            _field_error(form, err)
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("orgs.settings", org_slug=g.org.slug))
    return render_template("orgs/settings.html", org=g.org, form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invitation = organisations.invitation_for_token(token)
    except DomainError as err:
        return render_template("orgs/invitation_invalid.html", message=err.message), err.status
    new_account = AcceptNewAccountForm()
    existing = db.session.execute(select(User).where(User.email == invitation.email)
                                  ).scalar_one_or_none()
    if current_user.is_authenticated and request.method == "POST":
        try:
            m = organisations.accept_invitation(token, current_user)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(f"Welcome to {m.organisation.name}.", "success")
            return redirect(url_for("orgs.dashboard", org_slug=m.organisation.slug))
    elif not current_user.is_authenticated and existing is None and new_account.validate_on_submit():
        try:
            user = accounts.sign_up(accounts.SignUp(kind="staff", full_name=new_account.full_name.data,
                                                    email=invitation.email, password=new_account.password.data),
                                    # The invitation link came to this address, which proves it.
                                    age_of_consent=current_app.config["AGE_OF_CONSENT"], email_confirmed=True)
            if user is None:  # the address got an account since the page was shown
                raise DomainError("This address has an account now: sign in to accept.", code="email_taken")
            m = organisations.accept_invitation(token, user)
        except DomainError as err:
            _field_error(new_account, err)
        else:
            sessions.start(user)
            flash(f"Welcome to {m.organisation.name}.", "success")
            return redirect(url_for("orgs.dashboard", org_slug=m.organisation.slug))
    return render_template("orgs/accept.html", invitation=invitation, form=new_account, existing=existing,
                           confirm=ConfirmForm(), now=utcnow())


@bp.get(PREFIX + "/audit-log")
@org_member_required("lead")
def audit_log():
    """Who viewed, exported or changed personal data, for the organisation's lead."""
    page = db.paginate(audit.newest_first(scoped(AuditEvent, g.org)), per_page=50, error_out=False)
    actors, subjects = audit.names_for(page.items)
    return render_template("orgs/audit_log.html", org=g.org, page=page, actors=actors, subjects=subjects,
                           describe=audit.describe)
