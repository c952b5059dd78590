from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.record_once
def _setup(state):
    from . import throttle

    throttle.init_app(state.app)


from . import routes  # noqa: E402,F401
