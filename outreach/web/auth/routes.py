"""Sign up, sign in and out, forgotten and changed passwords."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from . import bp
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, SignUpForm
from ...access import staff_memberships
from ...errors import DomainError
from ...extensions import limiter
from ...services import accounts
from ..redirects import safe_next


def _field_error(form, err: DomainError):
    if err.field and hasattr(form, err.field):
        getattr(form, err.field).errors.append(err.message)
    else:
        form.form_errors.append(err.message)


def _account_key():
    # Per-account limit: keyed by the address typed, whether or not it exists,
    # so the limit itself does not reveal who has an account.
    return "login-account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code != 302  # a successful sign-in redirects


_TOO_MANY = ("Too many sign-in attempts. For your safety, sign-in is paused for a few minutes: "
             "wait 15 minutes and try again, or reset your password.")


def _landing(user) -> str:
    memberships = staff_memberships(user)
    if memberships:
        return url_for("orgs.dashboard", org_slug=memberships[0].organisation.slug)
    if user.is_platform_admin:
        return url_for("admin.organisations")
    return url_for("family.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], scope="login-address",
               deduct_when=_failed, error_message=_TOO_MANY)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_account_key,
               scope="login-account", deduct_when=_failed, error_message=_TOO_MANY)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or _landing(user))
        form.form_errors.append("That email and password don't match an account. Check them, or reset your password.")
    return render_template("auth/login.html", form=form), (401 if form.form_errors else 200)


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("catalogue.index"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up(accounts.SignUp(
                kind=form.kind.data, full_name=form.full_name.data, email=form.email.data,
                password=form.password.data, phone=form.phone.data,
                date_of_birth=form.date_of_birth.data if form.kind.data == "young_person" else None,
            ), age_of_consent=current_app.config["AGE_OF_CONSENT"])
        except DomainError as err:
            _field_error(form, err)
        else:
            login_user(user)
            next_url = safe_next(request.args.get("next"))
            if form.kind.data == "guardian":
                flash("Welcome to Outreach. Add your children, then book their activities.", "success")
                return redirect(next_url or url_for("family.add_child"))
            flash("Welcome to Outreach. Find an activity and book your place.", "success")
            return redirect(next_url or url_for("catalogue.index"))
    return render_template("auth/signup.html", form=form, age_of_consent=current_app.config["AGE_OF_CONSENT"])


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="password-reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, secret_key=current_app.config["SECRET_KEY"],
                                        base_url=current_app.config["BASE_URL"])
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_sent.html", email=form.email.data.strip())
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    settings = dict(secret_key=current_app.config["SECRET_KEY"],
                    max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    try:
        user = accounts.user_for_reset_token(token, **settings)
    except DomainError as err:
        return render_template("auth/reset_invalid.html", message=err.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.new_password.data, **settings)
        except DomainError as err:
            _field_error(form, err)
        else:
            logout_user()
            flash("Your password has been changed. Sign in with the new one.", "success")
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
            login_user(current_user)  # keep this device signed in with the new session version
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, memberships=staff_memberships(current_user))
