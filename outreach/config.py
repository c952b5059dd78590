"""Configuration read from the environment, with safe defaults for a laptop.

Every setting can be overridden by an environment variable of the same name.
`create_app(overrides)` applies a dict on top (tests use that).
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(value, default=False):
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_or_create_secret_key(instance_path: str, filename: str = "secret_key") -> str:
    """Return SECRET_KEY from instance/secret_key, creating it once.

    Generated rather than defaulted so no two installs share a key and none is
    ever committed (instance/ is git-ignored).
    """
    path = Path(instance_path) / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def from_environment(instance_path: str) -> dict:
    env = os.environ.get
    max_request_bytes = int(env("MAX_REQUEST_BYTES") or 1024 * 1024)
    database_url = env("DATABASE_URL") or "sqlite:///" + os.path.join(instance_path, "outreach.db")
    return {
        "SECRET_KEY": env("SECRET_KEY") or load_or_create_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # hide_parameters: a database error in the log must not carry a young person's details.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "BASE_URL": (env("BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Mail: with MAIL_SERVER unset, mail is written to instance/outbox.
        "MAIL_SERVER": env("MAIL_SERVER") or "",
        "MAIL_PORT": int(env("MAIL_PORT") or 25),
        "MAIL_USERNAME": env("MAIL_USERNAME") or "",
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or "",
        "MAIL_USE_TLS": _bool(env("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env("MAIL_USE_SSL")),
        "MAIL_FROM": env("MAIL_FROM") or "Outreach <no-reply@outreach.local>",
        "MAIL_OUTBOX_DIR": env("MAIL_OUTBOX_DIR") or os.path.join(instance_path, "outbox"),
        # The outbox worker (tasks.py): tries per message, the pause before the first retry
        # (doubling each time, at most OUTBOX_RETRY_MAX_SECONDS), the wait on a mail server.
        "OUTBOX_MAX_ATTEMPTS": int(env("OUTBOX_MAX_ATTEMPTS") or 10),
        "OUTBOX_RETRY_SECONDS": int(env("OUTBOX_RETRY_SECONDS") or 60),
        "OUTBOX_RETRY_MAX_SECONDS": int(env("OUTBOX_RETRY_MAX_SECONDS") or 3600),
        "OUTBOX_SMTP_TIMEOUT": float(env("OUTBOX_SMTP_TIMEOUT") or 10),
        # Days sent, failed and dropped messages are kept (they hold names and addresses).
        "OUTBOX_KEEP_DAYS": int(env("OUTBOX_KEEP_DAYS") or 30),
        # Wake the worker as soon as a change queued mail (else its one-minute sweep sends it).
        "OUTBOX_NUDGE": _bool(env("OUTBOX_NUDGE"), True),
        "DEFAULT_TIMEZONE": env("DEFAULT_TIMEZONE") or "Europe/London",
        # Kept dashboards (services/dashboard_snapshots.py): worked out again at most this often
        # per view after its data changed; the dates terms start on ("this term"); whether the
        # "work out now" button wakes the worker (else its one-minute round picks the view up).
        "DASHBOARD_REFRESH_MINUTES": float(env("DASHBOARD_REFRESH_MINUTES") or 3),
        "TERM_STARTS": env("TERM_STARTS") or "01-01,04-01,09-01",
        "DASHBOARD_NUDGE": _bool(env("DASHBOARD_NUDGE"), True),
        "AGE_OF_CONSENT": int(env("AGE_OF_CONSENT") or 13),
        # When a session takes check-ins: from this long before its start to this long after its end.
        # Check-out and undo stay open after it closes (everyone must be signed out).
        "CHECKIN_OPENS_MINUTES_BEFORE": int(env("CHECKIN_OPENS_MINUTES_BEFORE") or 60),
        "CHECKIN_CLOSES_HOURS_AFTER": float(env("CHECKIN_CLOSES_HOURS_AFTER") or 3),
        # A session's register locks this many days after the session ends: later changes need a reason.
        "REGISTER_LOCK_DAYS": float(env("REGISTER_LOCK_DAYS") or 7),
        # The follow-up list: a regular judged on their first N sessions offered, followed up after
        # missing this many in a row (a programme's lead can set its own of each).
        "FOLLOW_UP_FIRST_SESSIONS": int(env("FOLLOW_UP_FIRST_SESSIONS") or 4),
        "FOLLOW_UP_MISSED_IN_A_ROW": int(env("FOLLOW_UP_MISSED_IN_A_ROW") or 3),
        "PASSWORD_RESET_MAX_AGE": int(env("PASSWORD_RESET_MAX_AGE") or 3600),
        "CONFIRM_EMAIL_MAX_AGE": int(env("CONFIRM_EMAIL_MAX_AGE") or 7 * 24 * 3600),
        "INVITE_MAX_AGE_DAYS": int(env("INVITE_MAX_AGE_DAYS") or 14),
        # Rate limits live in Redis when REDIS_URL is set so they hold across processes.
        "RATELIMIT_STORAGE_URI": env("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": _bool(env("RATELIMIT_ENABLED"), True),
        # Several installs (or test runs) sharing one Redis keep their counts apart by a prefix.
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX") or "",
        "LOGIN_LIMIT_PER_ACCOUNT": env("LOGIN_LIMIT_PER_ACCOUNT") or "5 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": env("LOGIN_LIMIT_PER_ADDRESS") or "20 per 15 minutes",
        "SIGNUP_LIMIT": env("SIGNUP_LIMIT") or "10 per hour",
        "PASSWORD_RESET_LIMIT": env("PASSWORD_RESET_LIMIT") or "10 per hour",
        "BOOKING_LIMIT": env("BOOKING_LIMIT") or "30 per minute",
        # Pass pages are looked up by a secret in the URL: a guesser is slowed, a door is not.
        "PASS_LOOKUP_LIMIT": env("PASS_LOOKUP_LIMIT") or "120 per minute",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _is_https(env("BASE_URL")),
        # How long a sign-in lasts (outreach/web/auth/sessions.py, checked on the server at every
        # request). Staff (a member of an organisation, or a platform admin) see children's
        # medical notes and emergency contacts: 12 hours at most and 30 minutes without activity,
        # as OWASP ASVS 4.0.3 V3.3.2 asks at level 2. Families: 30 days at most, also with
        # "keep me signed in", which makes the session cookie outlast the browser.
        "STAFF_SESSION_HOURS": float(env("STAFF_SESSION_HOURS") or 12),
        "STAFF_IDLE_MINUTES": float(env("STAFF_IDLE_MINUTES") or 30),
        "FAMILY_SESSION_DAYS": float(env("FAMILY_SESSION_DAYS") or 30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=float(env("FAMILY_SESSION_DAYS") or 30)),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _is_https(env("BASE_URL")),
        "HSTS_MAX_AGE": int(env("HSTS_MAX_AGE") or 31536000),
        # How many proxies (the TLS terminator) stand in front and may set X-Forwarded-*.
        "TRUSTED_PROXY_COUNT": int(env("TRUSTED_PROXY_COUNT") or 0),
        # /healthz fails when the disk under an SQLite database has less free space than this.
        "HEALTH_MIN_FREE_MB": int(env("HEALTH_MIN_FREE_MB") or 200),
        # One JSON line per request on standard error (no personal data); off in tests.
        "REQUEST_LOG": _bool(env("REQUEST_LOG"), True),
        # Flask-WTF's HTTPS check wants a same-site Referer on every POST, but every page says
        # Referrer-Policy: no-referrer (pass secrets are in URLs), so browsers send none. The
        # session-bound CSRF token and SameSite=Lax cookies are the protection.
        "WTF_CSRF_SSL_STRICT": False,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead: a form left open over tea still posts
        "PER_PAGE": int(env("PER_PAGE") or 20),
        # Every request body (form or JSON) at most this many bytes: 413 beyond, read no further.
        # Forms here are a few kB; the largest API body, a 200-scan offline batch, under 100 kB.
        "MAX_CONTENT_LENGTH": max_request_bytes,
        "MAX_FORM_MEMORY_SIZE": max_request_bytes,
        "MAX_FORM_PARTS": 1000,
        # Evaluation. The pseudonym key makes evaluator codes; keep it (and back it up) apart
        # from the database: with both, codes can be linked back to young people.
        "PSEUDONYM_KEY": env("PSEUDONYM_KEY") or load_or_create_secret_key(instance_path, "pseudonym_key"),
        "EVAL_SUPPRESSION_THRESHOLD": int(env("EVAL_SUPPRESSION_THRESHOLD") or 5),
        "EVAL_RETENTION_THRESHOLD": float(env("EVAL_RETENTION_THRESHOLD") or 0.6),
        "EVAL_REGULAR_SHARE": float(env("EVAL_REGULAR_SHARE") or 0.75),
        "EVAL_RECENT_SESSIONS": int(env("EVAL_RECENT_SESSIONS") or 4),
        # Start/end pairs (same young people) below which a change is "too few pairs to say".
        "EVAL_MIN_PAIRS": int(env("EVAL_MIN_PAIRS") or 20),
        # Retention (flask --app wsgi purge-expired), in days after a young person's last activity.
        "RETENTION_MEDICAL_NOTES_DAYS": int(env("RETENTION_MEDICAL_NOTES_DAYS") or 365),
        "RETENTION_ANONYMISE_DAYS": int(env("RETENTION_ANONYMISE_DAYS") or 3 * 365),
        # Safeguarding concerns are never removed by the purge: it reports those past the young
        # person's 25th birthday (plus these years) for the designated lead to review (IRMS toolkit).
        "RETENTION_SAFEGUARDING_REVIEW_AGE": int(env("RETENTION_SAFEGUARDING_REVIEW_AGE") or 25),
        "RETENTION_SAFEGUARDING_YEARS_AFTER": int(env("RETENTION_SAFEGUARDING_YEARS_AFTER") or 0),
        # Incidents: the personal-injury claims period (Limitation Act 1980), after the incident and
        # after the 18th birthday of each young person in it.
        "RETENTION_INCIDENT_YEARS": int(env("RETENTION_INCIDENT_YEARS") or 3),
        # The timeline's records (services/retention.py), in days after they were written (notes),
        # reached (milestones) or made (referrals).
        "RETENTION_CONTACT_NOTES_DAYS": int(env("RETENTION_CONTACT_NOTES_DAYS") or 3 * 365),
        "RETENTION_RESTRICTED_NOTES_DAYS": int(env("RETENTION_RESTRICTED_NOTES_DAYS") or 6 * 365),
        "RETENTION_MILESTONES_DAYS": int(env("RETENTION_MILESTONES_DAYS") or 6 * 365),
        "RETENTION_REFERRALS_DAYS": int(env("RETENTION_REFERRALS_DAYS") or 6 * 365),
        "EVAL_COHORT_STEPS": int(env("EVAL_COHORT_STEPS") or 8),
        # Text messages (services/sms.py): outbox (files in MAIL_OUTBOX_DIR), notify or twilio.
        "SMS_PROVIDER": (env("SMS_PROVIDER") or "outbox").strip().lower(),
        "SMS_TIMEOUT": float(env("SMS_TIMEOUT") or 10),
        "NOTIFY_API_KEY": env("NOTIFY_API_KEY") or "",
        "NOTIFY_SMS_TEMPLATE_ID": env("NOTIFY_SMS_TEMPLATE_ID") or "",
        "NOTIFY_BASE_URL": env("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk",
        "NOTIFY_CALLBACK_TOKEN": env("NOTIFY_CALLBACK_TOKEN") or "",
        "TWILIO_ACCOUNT_SID": env("TWILIO_ACCOUNT_SID") or "",
        "TWILIO_AUTH_TOKEN": env("TWILIO_AUTH_TOKEN") or "",
        "TWILIO_FROM": env("TWILIO_FROM") or "",
        "TWILIO_BASE_URL": env("TWILIO_BASE_URL") or "https://api.twilio.com",
        # A confirmation code by text: minutes it is valid, wrong tries allowed, codes per hour.
        "MOBILE_CODE_MINUTES": int(env("MOBILE_CODE_MINUTES") or 15),
        "MOBILE_CODE_ATTEMPTS": int(env("MOBILE_CODE_ATTEMPTS") or 5),
        "MOBILE_CODES_PER_HOUR": int(env("MOBILE_CODES_PER_HOUR") or 3),
        # Who families write to about their data or a page they cannot use (privacy notice,
        # accessibility statement). Empty: the pages send them to the partner running their activity.
        "SERVICE_CONTACT_EMAIL": env("SERVICE_CONTACT_EMAIL") or "",
        # The date the accessibility statement was last reviewed (ISO date; shown on the statement).
        "ACCESSIBILITY_REVIEWED_ON": env("ACCESSIBILITY_REVIEWED_ON") or "2026-12-02",
    }


def _is_https(base_url):
    return bool(base_url) and base_url.startswith("https://")
