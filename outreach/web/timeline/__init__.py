from flask import Blueprint

bp = Blueprint("timeline", __name__)

from . import routes  # noqa: E402,F401
