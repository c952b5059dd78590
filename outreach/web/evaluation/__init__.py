from flask import Blueprint

bp = Blueprint("evaluation", __name__)

from . import routes, comparison  # noqa: E402,F401
