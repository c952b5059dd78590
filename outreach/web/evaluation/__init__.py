from flask import Blueprint

bp = Blueprint("evaluation", __name__)

from . import routes  # noqa: E402,F401
