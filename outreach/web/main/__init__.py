from flask import Blueprint

bp = Blueprint("main", __name__)

from . import language, notices, routes  # noqa: E402,F401
