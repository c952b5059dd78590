"""Local stand-ins for the text message providers' HTTP APIs, written from their public API
documentation, so the official clients (notifications-python-client, twilio) talk real HTTP to
something that answers as the provider does. Nothing here leaves the machine.

FakeNotify: GOV.UK Notify's API (docs.notifications.service.gov.uk/rest-api, "Send a text message",
"Get the status of one message", "Callbacks", "Receive text messages"):
- POST /v2/notifications/sms: checks the API key's JWT (HS256 under the key's secret, `iss` the
  service id, `iat` within 30 seconds), the template id and the number; answers 201
  {id, reference, content: {body, from_number}, uri, template: {id, version, uri}, scheduled_for},
  or 400 BadRequestError / ValidationError, 403 AuthError, in Notify's
  {"status_code", "errors": [{"error", "message"}]} shape.
- GET /v2/notifications/<id>: the message with its status.
- Callbacks it would make to us: `delivery_receipt(...)` (id, reference, to, status, created_at,
  completed_at, sent_at, notification_type) and `inbound(...)` (id, source_number,
  destination_number, message, date_received), each with `Authorization: Bearer <callback token>`.

FakeTwilio: Twilio's Programmable Messaging REST API (twilio.com/docs/messaging/api/message-resource,
/docs/usage/webhooks/webhooks-security, /docs/messaging/guides/webhook-request):
- POST /2010-04-01/Accounts/<AccountSid>/Messages.json: HTTP Basic auth (account SID and auth
  token), form fields To, From or MessagingServiceSid, Body, StatusCallback; answers 201 with the
  Message resource (sid "SM...", status "queued", to, from, body, date_created, uri ...), or 400
  with Twilio's {code, message, more_info, status} (21211 invalid To, 21602 no Body), 401 (20003).
- Webhooks it would make to us: `inbound(...)` (MessageSid, AccountSid, From, To, Body, NumMedia ...)
  and `status(...)` (MessageSid, MessageStatus ...), signed as Twilio documents: X-Twilio-Signature
  = base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value, sorted by name)).
  Computed here from that description, not with the client library, so the app's check is
  compared with an independent reading of the documentation.

Both can be told to misbehave: `mode = "hang"` (answers after `hang_seconds`) or `"error"` (500).
"""
import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt


class _Server:
    def __init__(self):
        self.sent: list[dict] = []
        self.mode = "ok"
        self.hang_seconds = 5.0
        self.requests = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, h, method):
        self.requests += 1
        if self.mode == "hang":
            time.sleep(self.hang_seconds)
        if self.mode == "error":
            return self._reply(h, 500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal server error"}]})
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        status, body = self.route(method, h.path, h.headers, raw)
        self._reply(h, status, body)

    @staticmethod
    def _reply(h, status, body):
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        try:
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
            pass


def _now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeNotify(_Server):
    """GOV.UK Notify's REST API, v2 (see the module docstring for what it covers)."""

    def __init__(self):
        super().__init__()
        self.service_id, self.secret = str(uuid.uuid4()), str(uuid.uuid4())
        self.api_key = f"outreach_test-{self.service_id}-{self.secret}"
        self.template_id = str(uuid.uuid4())
        self.callback_token = "notify-callback-" + uuid.uuid4().hex
        self.inbound_number = "07860003000"
        self.by_id: dict[str, dict] = {}

    def configure(self, config: dict) -> dict:
        return {"SMS_PROVIDER": "notify", "NOTIFY_BASE_URL": self.url, "NOTIFY_API_KEY": self.api_key,
                "NOTIFY_SMS_TEMPLATE_ID": self.template_id, "NOTIFY_CALLBACK_TOKEN": self.callback_token}

    def _error(self, status, kind, message):
        return status, {"status_code": status, "errors": [{"error": kind, "message": message}]}

    def route(self, method, path, headers, raw):
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return self._error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(auth[7:], self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return self._error(403, "AuthError", "Invalid token: API key not found")
        if claims.get("iss") != self.service_id or abs(time.time() - int(claims.get("iat", 0))) > 30:
            return self._error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        if method == "GET" and (m := re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", path)):
            found = self.by_id.get(m.group(1))
            return (200, found) if found else self._error(404, "NoResultFound", "No result found")
        if method != "POST" or path != "/v2/notifications/sms":
            return self._error(404, "NotFound", "Not found")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._error(400, "ValidationError", "Invalid JSON")
        number, template = body.get("phone_number"), body.get("template_id")
        if template != self.template_id:
            return self._error(400, "BadRequestError", "Template not found")
        if not isinstance(number, str) or not re.fullmatch(r"\+?[0-9 ()-]{10,20}", number):
            return self._error(400, "ValidationError", "phone_number Not a UK mobile number")
        personalisation = body.get("personalisation") or {}
        if "body" not in personalisation:
            return self._error(400, "BadRequestError", "Missing personalisation: body")
        notification_id = str(uuid.uuid4())
        sent = {"id": notification_id, "reference": body.get("reference"), "phone_number": number,
                "body": personalisation["body"], "status": "sending", "created_at": _now_iso()}
        self.sent.append(sent)
        self.by_id[notification_id] = {"id": notification_id, "reference": body.get("reference"),
                                       "phone_number": number, "type": "sms", "status": "sending",
                                       "body": personalisation["body"], "created_at": sent["created_at"],
                                       "template": {"id": self.template_id, "version": 1}}
        return 201, {"id": notification_id, "reference": body.get("reference"),
                     "content": {"body": personalisation["body"], "from_number": "OUTREACH"},
                     "uri": f"{self.url}/v2/notifications/{notification_id}",
                     "template": {"id": self.template_id, "version": 1,
                                  "uri": f"{self.url}/v2/template/{self.template_id}"},
                     "scheduled_for": None}

    # What Notify would send to our callbacks: (headers, JSON body).
    def delivery_receipt(self, notification_id: str, status: str = "delivered", token: str | None = None):
        sent = self.by_id.get(notification_id, {})
        return ({"Authorization": f"Bearer {token if token is not None else self.callback_token}"},
                {"id": notification_id, "reference": sent.get("reference"), "to": sent.get("phone_number"),
                 "status": status, "created_at": _now_iso(), "completed_at": _now_iso(), "sent_at": _now_iso(),
                 "notification_type": "sms", "template_id": self.template_id, "template_version": 1})

    def inbound(self, source_number: str, message: str, token: str | None = None):
        return ({"Authorization": f"Bearer {token if token is not None else self.callback_token}"},
                {"id": str(uuid.uuid4()), "source_number": source_number,
                 "destination_number": self.inbound_number, "message": message, "date_received": _now_iso()})


def twilio_signature(auth_token: str, url: str, params: dict) -> str:
    """Twilio's webhook signature, from its "Webhooks security" page: the full URL, then each POST
    parameter's name and value appended in name order, HMAC-SHA1 with the auth token, base64."""
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


class FakeTwilio(_Server):
    """Twilio's Messages resource, API version 2010-04-01 (see the module docstring)."""

    def __init__(self):
        super().__init__()
        self.account_sid = "AC" + uuid.uuid4().hex
        self.auth_token = uuid.uuid4().hex
        self.number = "+447700900999"
        self.by_sid: dict[str, dict] = {}

    def configure(self, config: dict) -> dict:
        return {"SMS_PROVIDER": "twilio", "TWILIO_BASE_URL": self.url, "TWILIO_ACCOUNT_SID": self.account_sid,
                "TWILIO_AUTH_TOKEN": self.auth_token, "TWILIO_FROM": self.number}

    def _error(self, status, code, message):
        return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status}

    def route(self, method, path, headers, raw):
        auth = headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if not hmac.compare_digest(auth, expected):
            return self._error(401, 20003, "Authenticate")
        m = re.fullmatch(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json", path)
        if method != "POST" or not m or m.group(1) != self.account_sid:
            return self._error(404, 20404, "The requested resource was not found")
        form = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        to = form.get("To", "")
        if not re.fullmatch(r"\+[1-9][0-9]{7,14}", to):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not form.get("Body"):
            return self._error(400, 21602, "Message body is required.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return self._error(400, 21603, "The 'From' phone number is required.")
        sid = "SM" + uuid.uuid4().hex
        created = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
        resource = {"sid": sid, "account_sid": self.account_sid, "to": to, "from": form.get("From"),
                    "messaging_service_sid": form.get("MessagingServiceSid"), "body": form["Body"],
                    "status": "queued", "num_segments": "1", "num_media": "0", "direction": "outbound-api",
                    "api_version": "2010-04-01", "price": None, "price_unit": None, "error_code": None,
                    "error_message": None, "date_created": created, "date_updated": created, "date_sent": None,
                    "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
                    "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"}}
        self.by_sid[sid] = resource
        self.sent.append({"sid": sid, "to": to, "body": form["Body"], "status_callback": form.get("StatusCallback")})
        return 201, resource

    def _signed(self, url, params, token):
        return {"X-Twilio-Signature": twilio_signature(token or self.auth_token, url, params)}, params

    # What Twilio would send to our webhooks: (headers, form parameters).
    def inbound(self, url: str, from_number: str, body: str, token: str | None = None):
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "SmsSid": "", "AccountSid": self.account_sid,
                  "MessagingServiceSid": "", "From": from_number, "To": self.number, "Body": body,
                  "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
                  "FromCountry": "GB", "ToCountry": "GB"}
        params["SmsSid"] = params["MessageSid"]
        return self._signed(url, params, token)

    def status(self, url: str, sid: str, status: str = "delivered", token: str | None = None):
        sent = self.by_sid.get(sid, {})
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": self.account_sid, "MessageStatus": status,
                  "SmsStatus": status, "To": sent.get("to", ""), "From": self.number, "ApiVersion": "2010-04-01"}
        return self._signed(url, params, token)
