"""The language switcher on every page: a visitor's choice is kept in a cookie, an account's on
the account (outreach/i18n.py decides which language a page is in)."""
from flask import redirect, request, url_for
from flask_login import current_user

from ... import i18n
from ...services import accounts
from ..redirects import safe_next
from . import bp

_YEAR = 365 * 24 * 3600


@bp.post("/language")
def choose_language():
    code = i18n.known(request.form.get("language"))
    back = safe_next(request.form.get("next")) or url_for("main.home")
    response = redirect(back)
    if code is None:
        return response  # a language we do not ship: the page stays as it was
    if current_user.is_authenticated:
        accounts.choose_language(current_user, code)
    response.set_cookie(i18n.COOKIE, code, max_age=_YEAR, samesite="Lax", secure=request.is_secure,
                        httponly=True)
    return response
