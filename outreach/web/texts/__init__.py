from flask import Blueprint

bp = Blueprint("texts", __name__)

from . import callbacks, routes  # noqa: E402,F401
