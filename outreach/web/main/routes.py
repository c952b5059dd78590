"""Home: send each kind of person where they start their work."""
from flask import jsonify, redirect, url_for
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
    """200 when the database answers, 503 when it does not; no details an outsider could use."""
    if health.database_answers():
        return jsonify({"status": "ok", "database": "ok"})
    return jsonify({"status": "unavailable", "database": "unreachable"}), 503
