"""Starting and ending a signed-in session, the same way from every page that does it."""
from flask import session
from flask_login import login_user, logout_user

from ...services import accounts


def start(user, *, remember: bool = False) -> None:
    # A fresh session at sign-in: nothing set before it (a planted session,
    # an old CSRF token) carries over into the signed-in one.
    session.clear()
    login_user(user, remember=remember)


def end(user) -> None:
    # The cookie alone can't be recalled, so the account's session version moves
    # on: a copy of this cookie (and any other device's) stops working.
    if user.is_authenticated:
        accounts.end_sessions(user)
    logout_user()
    session.clear()
