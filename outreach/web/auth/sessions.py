"""Starting and ending a signed-in session, the same way from every page that does it, and how
long a session lasts.

The time of sign-in and of the last request are kept in the (signed) session and checked on the
server at every request, so a copied cookie ends when the session would have:

- staff (a member of any organisation, or a platform admin; their pages show children's medical
  notes and emergency contacts): 12 hours after sign-in at the latest, and after 30 minutes
  without a request (OWASP ASVS 4.0.3 V3.3.2, level 2). At a door the scanner keeps its offline
  queue on the phone and a worker signs in again in seconds; a phone left on a bench stops
  showing who is on site within half an hour. "Keep me signed in" does not make a staff sign-in
  outlast the browser.
- families: 30 days after sign-in at the latest. "Keep me signed in" makes the session cookie
  outlast the browser for those 30 days (PERMANENT_SESSION_LIFETIME).

The limits are STAFF_SESSION_HOURS, STAFF_IDLE_MINUTES and FAMILY_SESSION_DAYS. Flask-Login's own
remember-me cookie is not used: one issued before these limits (valid for a year) is never read,
and is deleted when it comes in.
"""
import time

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from ...errors import N_, wants_json
from ...services import accounts

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# The last-seen time is rewritten at most this often, so a burst of requests (the scanner)
# does not send a new cookie with every answer; the idle limit is kept to within this.
_TOUCH_EVERY = 60
# Answered the same for everyone, without looking up who is signed in (the health check must
# answer when the database does not).
_NOT_SIGNED_IN = {"static", "main.healthz"}
# Signing out is let through even after a limit, so that it still signs out every device.
_EXEMPT = _NOT_SIGNED_IN | {"auth.logout"}


def start(user, *, remember: bool = False, now: float | None = None) -> None:
    # A fresh session at sign-in: nothing set before it (a planted session,
    # an old CSRF token) carries over into the signed-in one.
    session.clear()
    # The account itself, never the current_user proxy: Flask-Login keeps what it is given as the
    # request's user, and a proxy that stands for itself recurses until the process crashes.
    login_user(getattr(user, "_get_current_object", lambda: user)())
    stamp = int(now if now is not None else time.time())
    session[SIGNED_IN_AT] = stamp
    session[LAST_SEEN] = stamp
    session.permanent = bool(remember) and not accounts.is_staff(user)


def end(user) -> None:
    # The cookie alone can't be recalled, so the account's session version moves
    # on: a copy of this cookie (and any other device's) stops working.
    if user.is_authenticated:
        accounts.end_sessions(user)
    logout_user()
    session.clear()


# Whole sentences, so each reads naturally in the reader's language (the JSON answer stays English).
_STAFF_HOURS = N_("You were signed out because staff sign-ins last %(num)s hours at most. Sign in again to carry on.")
_STAFF_IDLE = N_("You were signed out after %(num)s minutes without activity. Sign in again to carry on.")
_FAMILY_DAYS = N_("You were signed out because sign-ins last %(num)s days at most. Sign in again to carry on.")


def _expired(now: float):
    """Why the signed-in session must end now (a message and its figures), "unknown", or None."""
    config = current_app.config
    signed_in_at, last_seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if not isinstance(signed_in_at, int) or not isinstance(last_seen, int):
        return "unknown"
    if accounts.is_staff(current_user):
        hours, minutes = config["STAFF_SESSION_HOURS"], config["STAFF_IDLE_MINUTES"]
        if now - signed_in_at > hours * 3600:
            return _STAFF_HOURS, {"num": _number(hours)}
        if now - last_seen > minutes * 60:
            return _STAFF_IDLE, {"num": _number(minutes)}
    else:
        days = config["FAMILY_SESSION_DAYS"]
        if now - signed_in_at > days * 86400:
            return _FAMILY_DAYS, {"num": _number(days)}
    return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def enforce_lifetime():
    """Before every request: end a signed-in session that has outlived its limits (see above)."""
    if request.endpoint in _EXEMPT:
        return None
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies \
            and session.get("_remember") != "clear":
        # Flask-Login would sign this browser in from a remember-me cookie; those are no longer
        # issued, and one from before (valid for a year) is refused and deleted.
        session["_remember"] = "clear"
    if "_user_id" not in session or not current_user.is_authenticated:
        return None
    now = time.time()
    reason = _expired(now)
    if reason == "unknown":
        # Signed in before sign-in times were kept: the clocks start now.
        session[SIGNED_IN_AT] = session[LAST_SEEN] = int(now)
        return None
    if reason is None:
        if now - session[LAST_SEEN] >= _TOUCH_EVERY:
            session[LAST_SEEN] = int(now)
        return None
    # Only this browser's session ends: the account's other devices are left alone.
    logout_user()
    session.clear()
    message, figures = reason
    if wants_json():
        return jsonify({"error": {"code": "signed_out", "message": message % figures}}), 401
    flash(gettext(message, **figures), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
