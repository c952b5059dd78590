"""Flask extensions, created unbound; `create_app` binds them with init_app."""
from flask import has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations can alter them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Session(_FlaskSession):
    """Flask-SQLAlchemy's session, but an explicit `bind=` wins.

    Lets the test suite bind every session to one connection inside an outer
    transaction (rolled back after each test) without touching app code.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, but `paginate` reads `?page=` through web.params.page_number.

    Its own reading turns `?page=99999999999999999999` into an OFFSET no database
    holds (a 500); here every list in the app answers 404 for a page that cannot exist,
    and a `?per_page=` in the URL is never obeyed.
    """

    def paginate(self, select, *, page=None, per_page=None, **kwargs):
        if page is None and has_request_context():
            from .web.params import page_number

            page = page_number(request.args.get("page"))
        return super().paginate(select, page=page, per_page=per_page or 20, **kwargs)


db = Database(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
