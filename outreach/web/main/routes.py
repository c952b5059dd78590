"""Home: send each kind of person where they start their work."""
from flask import current_app, jsonify, redirect, url_for
from flask_login import current_user

from ...access import staff_memberships
from ...services import health
from . import bp


@bp.get("/")
def home():
    if current_user.is_authenticated:
        memberships = staff_memberships(current_user)
        if len(memberships) == 1:
            return redirect(url_for("orgs.dashboard", org_slug=memberships[0].organisation.slug))
        if current_user.is_platform_admin and not memberships:
            return redirect(url_for("admin.organisations"))
    return redirect(url_for("catalogue.index"))


@bp.get("/healthz")
def healthz():
    """200 when the database takes a committed write (and, on SQLite, the disk has room), else 503.

    Each part is named with one word, so monitoring can say what failed; nothing an outsider could use."""
    result = health.check(min_free_mb=current_app.config["HEALTH_MIN_FREE_MB"])
    body = {"status": "ok" if result.ok else "unavailable", **result.parts}
    return jsonify(body), (200 if result.ok else 503)
