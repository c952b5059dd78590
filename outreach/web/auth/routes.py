"""Sign up, sign in and out, forgotten and changed passwords."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _, ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from ..main.notices import privacy_terms
from . import bp, sessions, throttle
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, SignUpForm
from ...access import staff_memberships
from ...errors import DomainError
from ...extensions import limiter
from ...services import accounts
from ..redirects import safe_next
from ..forms import field_error as _field_error


def _too_many(attempt) -> str:
    return ngettext("Too many sign-in attempts. For your safety, sign-in is paused for %(num)d minute. "
                    "To get in now, choose \"Forgotten your password?\" below: we'll email you a link to reset "
                    "your password.",
                    "Too many sign-in attempts. For your safety, sign-in is paused for %(num)d minutes. "
                    "To get in now, choose \"Forgotten your password?\" below: we'll email you a link to reset "
                    "your password.", attempt.wait_minutes)


def _landing(user) -> str:
    memberships = staff_memberships(user)
    if memberships:
        return url_for("orgs.dashboard", org_slug=memberships[0].organisation.slug)
    if user.is_platform_admin:
        return url_for("admin.organisations")
    return url_for("family.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        # Counted before the password is checked; over the limit, it is not checked at all.
        attempt = throttle.attempt(form.email.data, get_remote_address())
        if not attempt.allowed:
            form.form_errors.append(_too_many(attempt))
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            attempt.succeeded()
        if user is not None and not user.email_confirmed:
            # Only someone who knows the password learns the address is waiting for confirmation.
            accounts.send_confirmation(user, next_url=safe_next(request.args.get("next")), **_link_settings())
            form.form_errors.append(_("Confirm your email address first: we've sent the link again to %(email)s.",
                                      email=user.email))
        elif user is not None:
            sessions.start(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or _landing(user))
        else:
            form.form_errors.append(
                _("That email and password don't match an account. Check them, or reset your password."))
    return render_template("auth/login.html", form=form), (401 if form.form_errors else 200)


@bp.post("/logout")
def logout():
    sessions.end(current_user)
    flash(_("You are signed out."), "success")
    response = redirect(url_for("catalogue.index"))
    # The door phone forgets what it kept for working offline (rosters, door pages, the service
    # worker); the page's script has already cleared them where it could (static/js/door.js).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _link_settings() -> dict:
    return dict(secret_key=current_app.config["SECRET_KEY"], base_url=current_app.config["BASE_URL"])


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMIT"], methods=["POST"], scope="signup")
def signup():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            # The worker creates the account and emails the link, or tells the owner they have one.
            accounts.request_sign_up(accounts.SignUp(
                kind=form.kind.data, full_name=form.full_name.data, email=form.email.data,
                password=form.password.data, phone=form.phone.data,
                date_of_birth=form.date_of_birth.data if form.kind.data == "young_person" else None,
                **(dict(emergency_contact_name=form.emergency_contact_name.data,
                        emergency_contact_phone=form.emergency_contact_phone.data,
                        may_go_home_alone=form.may_go_home_alone.data) if form.kind.data == "young_person" else {}),
                # The new account reads Outreach in the language the visitor is using now.
                language=str(get_locale() or ""),
            ), age_of_consent=current_app.config["AGE_OF_CONSENT"], next_url=safe_next(request.args.get("next")))
        except DomainError as err:
            _field_error(form, err)
        else:
            # The same page, after the same work, whether the address was new or already had an account.
            return render_template("auth/signup_sent.html", email=form.email.data.strip())
    return render_template("auth/signup.html", form=form, age_of_consent=current_app.config["AGE_OF_CONSENT"],
                           terms=privacy_terms())


@bp.get("/signup/confirm/<token>")
def confirm_email(token):
    try:
        user, next_url = accounts.confirm_email(token, secret_key=current_app.config["SECRET_KEY"],
                                                max_age=current_app.config["CONFIRM_EMAIL_MAX_AGE"])
    except DomainError as err:
        return render_template("auth/confirm_invalid.html", message=err.translated()), 400
    sessions.start(user)
    if not accounts.is_young_person(user):
        flash(_("Your email is confirmed. Welcome to Outreach: add your children, then book their activities."),
              "success")
        return redirect(safe_next(next_url) or url_for("family.add_child"))
    flash(_("Your email is confirmed. Welcome to Outreach."), "success")
    return redirect(safe_next(next_url) or _landing(user))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT"], methods=["POST"], scope="password-reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        # The same answer, after the same work, whether or not the address has an account.
        return render_template("auth/reset_sent.html", email=form.email.data.strip())
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    settings = dict(secret_key=current_app.config["SECRET_KEY"],
                    max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    try:
        user = accounts.user_for_reset_token(token, **settings)
    except DomainError as err:
        return render_template("auth/reset_invalid.html", message=err.translated()), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.new_password.data, **settings)
        except DomainError as err:
            _field_error(form, err)
        else:
            # The emailed link proves the owner: guesses by anyone else no longer keep them out.
            throttle.forget_account(user.email)
            sessions.end(current_user)
            flash(_("Your password has been changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as err:
            _field_error(form, err)
        else:
            # Keep this device signed in with the new session version, remembered as it was.
            sessions.start(current_user, remember=session.permanent)
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, memberships=staff_memberships(current_user))
