from flask import Blueprint

bp = Blueprint("follow_up", __name__)

from . import routes  # noqa: E402,F401
