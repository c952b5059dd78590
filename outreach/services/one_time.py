"""One-time tokens: a form that creates a young person or a booking does it once, however often it is sent.

During a database restart staff saw a 500 for bookings that had in fact been saved, and the natural
retry created the young person again. Each such form carries a random token; the service claims it
(`claim`) in the same transaction as what it creates and notes what it made (`made`). A second
submission with the same token, even one sent at the same moment, finds the first one's row and
gets AlreadySavedError holding it, having written nothing. Tokens are per user and form, and old ones
go with the retention purge (`purge`).
"""
import re
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..errors import ConflictError
from ..extensions import db
from ..models import FormToken
from ..timeutil import utcnow

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP_DAYS = 30


class AlreadySavedError(ConflictError):
    code = "already_saved"

    def __init__(self, saved: FormToken):
        super().__init__("This was already saved.")
        self.saved = saved


def claim(user, action: str, token: str | None, *, now: datetime | None = None) -> FormToken | None:
    """Claim `token` for `user`'s `action` inside the caller's transaction, before it creates anything.

    Returns the row to pass to `made`, or None without a usable token (a client that sends none gets
    no protection, and no error). Raises AlreadySavedError when the token was used before: waits,
    if that first submission is still running, until it has committed."""
    if not token or not TOKEN.fullmatch(token):
        return None
    row = FormToken(user_id=user.id, action=action, token=token, created_at=now or utcnow())
    try:
        # A savepoint, so the clash with the first submission's row leaves the transaction usable.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        saved = db.session.get(FormToken, (user.id, action, token), populate_existing=True)
        raise AlreadySavedError(saved) from None
    return row


def made(claimed: FormToken | None, thing) -> None:
    """Note what the claimed submission created (flushed, so it has its id), for a repeat to lead to."""
    if claimed is not None:
        claimed.result_type, claimed.result_id = type(thing).__name__, thing.id


def purge(*, now: datetime, keep_days: int = KEEP_DAYS) -> int:
    """Forget tokens older than keep_days (a repeat after that creates again); returns how many."""
    result = db.session.execute(delete(FormToken).where(FormToken.created_at < now - timedelta(days=keep_days)))
    return result.rowcount or 0
