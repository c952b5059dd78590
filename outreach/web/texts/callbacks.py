"""The providers' callbacks: replies to our texts and delivery receipts.

Each is verified as its provider documents before anything is read: Twilio signs every webhook
(X-Twilio-Signature, HMAC-SHA1 with the auth token over the URL and the POST parameters, checked
with the client's RequestValidator), Notify sends the bearer token set on the service's callbacks.
A missing or wrong signature: 403. A body that is not what the provider sends: 400. Anything
that matches nothing (an unknown number, no reminder, an unknown message id): 200 with nothing
touched, so the provider does not retry it and a prober learns nothing.
"""
from flask import Response, abort, current_app, jsonify, request

from . import bp
from ...extensions import csrf, db
from ...services import replies, sms

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _settings():
    return sms.SmsSettings.from_config(current_app.config)


def _public_url() -> str:
    """The URL Twilio signed: the public address it was configured with (BASE_URL), not whatever
    Host a proxy passed on."""
    return current_app.config["BASE_URL"].rstrip("/") + request.path


def _twilio_form() -> dict:
    # The signature first: whoever is not Twilio learns nothing about what we would accept.
    form = request.form if request.mimetype == "application/x-www-form-urlencoded" else {}
    params = {k: form.get(k) for k in form.keys()}
    if not sms.verify_twilio(_settings(), _public_url(), params, request.headers.get("X-Twilio-Signature")):
        abort(403)
    if not params or any(len(v) > 2000 for v in params.values()):
        abort(400)
    return params


def _notify_json() -> dict:
    if not sms.verify_notify(_settings(), request.headers.get("Authorization")):
        abort(403)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


def _text(body: dict, key: str, limit: int = 2000) -> str:
    value = body.get(key)
    if not isinstance(value, str) or len(value) > limit:
        abort(400)
    return value


@bp.post("/sms/twilio/inbound")
@csrf.exempt
def twilio_inbound():
    params = _twilio_form()
    if not isinstance(params.get("From"), str) or "Body" not in params:
        abort(400)
    replies.handle_reply(params["From"], params.get("Body") or "")
    db.session.rollback()  # nothing left open when nothing matched
    return Response(_EMPTY_TWIML, mimetype="text/xml")


@bp.post("/sms/twilio/status")
@csrf.exempt
def twilio_status():
    params = _twilio_form()
    if not params.get("MessageSid") or not params.get("MessageStatus"):
        abort(400)
    replies.record_delivery("twilio", params["MessageSid"], params["MessageStatus"])
    return Response("", status=204)


@bp.post("/sms/notify/inbound")
@csrf.exempt
def notify_inbound():
    body = _notify_json()
    replies.handle_reply(_text(body, "source_number", 40), _text(body, "message"))
    db.session.rollback()
    return jsonify({"result": "ok"})


@bp.post("/sms/notify/status")
@csrf.exempt
def notify_status():
    body = _notify_json()
    if body.get("notification_type", "sms") != "sms":
        return jsonify({"result": "ignored"})
    replies.record_delivery("notify", _text(body, "id", 64), _text(body, "status", 40))
    return jsonify({"result": "ok"})
