from flask import Blueprint

bp = Blueprint("safeguarding", __name__)

from . import routes  # noqa: E402,F401
