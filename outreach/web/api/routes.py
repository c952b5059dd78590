"""The check-in JSON API: used by the scanner page, open to other clients.

Signed-in staff only (session cookie; CSRF token in the X-CSRFToken header).
Errors are JSON: {"error": {"code": ..., "message": ...}}. See docs/openapi.yaml.
"""
import re
from datetime import datetime

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from . import bp
from ...access import staff_attendance, staff_session
from ..checkin.offline import door_copy
from ...errors import ValidationError
from ...services import checkin
from ...timeutil import UTC
from ...services.register_lock import MAX_REASON, RegisterLock

MAX_BATCH = 200
# An ISO 8601 time with its offset, as a browser's Date.toISOString() writes it ("2026-12-05T18:44:07.120Z").
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


def _scanned_at(value) -> datetime | None:
    """The phone's time of an offline scan, in UTC; ValidationError for anything but an ISO time with offset.

    Whether the time is believed (not in the future, inside the check-in window) is the service's rule."""
    if value is None:
        return None
    if not isinstance(value, str) or not _ISO_TIME.fullmatch(value):
        raise ValidationError("scanned_at must be an ISO 8601 time with its offset, e.g. 2026-12-05T18:44:07Z.",
                              code="invalid_scanned_at")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):  # 2026-02-30, or year 1 and 9999 pushed past the calendar by the offset
        raise ValidationError("scanned_at is not a real time.", code="invalid_scanned_at") from None


def _reason(body) -> str | None:
    reason = body.get("reason") if isinstance(body, dict) else None
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise ValidationError(f"reason must be a string of at most {MAX_REASON} characters.", code="invalid_reason")
    return reason


def _one(session, item: dict):
    if not isinstance(item, dict):
        raise ValidationError("Each check-in must be an object.", code="invalid")
    scanned, ref = item.get("pass"), item.get("client_ref")
    if not isinstance(scanned, str) or not scanned.strip():
        raise ValidationError("Send the scanned pass as 'pass' (the URL or its code).", code="pass_required")
    if ref is not None and (not isinstance(ref, str) or not 8 <= len(ref) <= 64):
        raise ValidationError("client_ref must be a string of 8 to 64 characters.", code="invalid_client_ref")
    offline = item.get("offline") is True
    method = "offline_sync" if offline else "qr"
    # Only a scan queued without signal carries its own time; an online scan is checked in on arrival.
    scanned_at = _scanned_at(item.get("scanned_at")) if offline else None
    # A locked register takes a change only with a reason; a scan from the offline queue never
    # brings one (register_lock.py says why), so a late sync is refused once the register locks.
    reason = None if offline else _reason(item)
    tz_name = session.programme.organisation.timezone  # read before the commit expires it
    result = checkin.check_in_by_pass(scanned[:300], session, by=current_user, method=method, client_ref=ref,
                                      walk_in=item.get("walk_in") is True, tz_name=tz_name, scanned_at=scanned_at,
                                      window=checkin.CheckinWindow.from_settings(current_app.config),
                                      lock=RegisterLock.from_settings(current_app.config), reason=reason)
    data = result.as_dict(tz_name)
    if result.msgid:  # the scanner shows it, in the signed-in account's language
        data = dict(data, message=_(result.msgid, **result.params))
    return data


@bp.post("/sessions/<int:session_id>/checkins")
@login_required
def check_in(session_id):
    """Check in one scanned pass: {"pass": "<url or code>", "client_ref": "...", "walk_in": false}."""
    session = staff_session(session_id, current_user)
    # Not JSON, nested too deep or holding unpaired surrogates: 400 invalid_json (request_body.py).
    body = request.get_json()
    if body is None:
        raise ValidationError("Send a JSON body.", code="invalid_json")
    return jsonify(_one(session, body))


@bp.post("/sessions/<int:session_id>/checkins/batch")
@login_required
def check_in_batch(session_id):
    """Replay an offline queue: {"checkins": [{...}, ...]}. Each item answers on its own."""
    session = staff_session(session_id, current_user)
    body = request.get_json()
    items = body.get("checkins") if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) > MAX_BATCH:
        raise ValidationError(f"Send {{'checkins': [...]}} with at most {MAX_BATCH} items.", code="invalid_batch")
    results = []
    for item in items:
        try:
            results.append(_one(session, item))
        except ValidationError as err:
            results.append({"status": "error", "code": err.code, "message": err.message})
    return jsonify({"results": results})


@bp.post("/checkins/<int:attendance_id>/undo")
@login_required
def undo(attendance_id):
    # The body is optional ({"reason": "..."}, needed once the register is locked); one that is sent
    # must be JSON the app can take (400 invalid_json otherwise, request_body.py), read first like
    # every other endpoint's body.
    body = request.get_json() if request.content_length else None
    attendance = staff_attendance(attendance_id, current_user)
    tz_name = attendance.session.programme.organisation.timezone
    if checkin.undo_check_in(attendance, by=current_user, lock=RegisterLock.from_settings(current_app.config),
                             reason=_reason(body), tz_name=tz_name):
        return jsonify({"status": "ok", "code": "undone", "message": _("Check-in undone.")})
    return jsonify({"status": "ok", "code": "already_undone", "message": _("That check-in was already undone.")})


@bp.get("/sessions/<int:session_id>/roster")
@login_required
def roster(session_id):
    """Who is expected and who is in: what a door phone keeps for working without signal, and no more
    (first name, age, flags, hashes of pass codes, never the codes). X-Door-Keep-Until is when the
    session's check-in window closes: the phone's service worker deletes its copy then."""
    session = staff_session(session_id, current_user)
    window = checkin.CheckinWindow.from_settings(current_app.config)
    lines = checkin.roster(session)
    response = jsonify({
        "session": {"id": session.id, "title": session.programme.title, "starts_at": session.starts_at.isoformat(),
                    "ends_at": session.ends_at.isoformat(), "status": session.status,
                    "checkin_opens_at": window.opens_at(session).isoformat(),
                    "checkin_closes_at": window.closes_at(session).isoformat(),
                    "min_age": session.programme.min_age, "max_age": session.programme.max_age},
        "headcount": checkin.headcount(lines),
        "people": [{"first_name": x.young_person.first_name, "age": x.age, "booking": x.booking,
                    "pass_hash": x.pass_hash, "flags": checkin.flags_for(x.young_person),
                    "checked_in_at": x.attendance.checked_in_at.isoformat() if x.attendance else None}
                   for x in lines],
    })
    return door_copy(response, window.closes_at(session))
