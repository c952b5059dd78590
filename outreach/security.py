"""Response headers and the proxy in front: what a browser and a TLS proxy are told to trust.

Flask-Talisman writes the headers. The policy allows scripts and styles from
this site only (no inline script, no inline style), images from this site and
`data:` URLs, the scanner's worker from a `blob:` URL, and no framing by
anyone. `Referrer-Policy: no-referrer` because pass secrets live in URLs and
must never travel in a Referer.
"""
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # The scanner's decoder (qr-scanner) starts its Web Worker from a blob: URL
    # of a script it loaded from this site.
    "worker-src": ["'self'", "blob:"],
    "img-src": ["'self'", "data:"],
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def init_app(app):
    talisman.init_app(
        app,
        # The TLS proxy redirects http to https; the app only says so with HSTS,
        # which Talisman sends on secure requests alone.
        force_https=False,
        strict_transport_security=True,
        strict_transport_security_max_age=app.config["HSTS_MAX_AGE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="no-referrer",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        # Only as many X-Forwarded-* hops as there are proxies we run: more
        # would let a client choose its own address and dodge rate limits.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
