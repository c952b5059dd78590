"""Is the service able to do its job? Used by /healthz for the load balancer and monitoring."""
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db


def database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True
