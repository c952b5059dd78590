from flask import Blueprint

bp = Blueprint("programmes", __name__)

from . import routes  # noqa: E402,F401
