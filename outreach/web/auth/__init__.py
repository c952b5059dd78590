from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.record_once
def _setup(state):
    from . import throttle

    throttle.init_app(state.app)


from . import routes  # noqa: E402,F401
from .sessions import enforce_lifetime  # noqa: E402

bp.before_app_request(enforce_lifetime)
