"""Outreach: youth outreach programmes, bookings, QR check-in and evaluation."""
import os

from flask_babel import gettext

from . import database  # noqa: F401  (installs the SQLite connection rules)
from .config import from_environment
from .errors import N_, register_error_handlers
from .extensions import csrf, db, limiter, login_manager, migrate
from .request_log import App

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def instance_path(environ=os.environ) -> str:
    """instance/ beside the package, or OUTREACH_INSTANCE_PATH (the web server and the worker agree)."""
    return environ.get("OUTREACH_INSTANCE_PATH") or os.path.join(ROOT, "instance")


def create_app(overrides: dict | None = None) -> App:
    app = App(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"

    from . import i18n, listeners, request_body, request_log, security, templating
    i18n.init_app(app)
    request_body.init_app(app)
    security.init_app(app)
    request_log.init_app(app)
    listeners.connect(app)
    from . import dashboard_marks  # noqa: F401  (marks kept dashboards a change touches)
    templating.init_app(app)

    from .web import register_blueprints
    register_blueprints(app)
    register_error_handlers(app)

    from .cli import register_commands
    register_commands(app)
    return app


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import flash, jsonify, redirect, request, url_for

    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": "not_signed_in", "message": "Sign in first."}}), 401
    flash(gettext(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


@login_manager.user_loader
def _load_user(identity: str):
    from .models import User

    user_id, _, version = identity.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version:
        return None
    return user
