"""The door without signal: the service worker, the web app manifest, its start URL and the offline page.

A youth worker who has opened today's sessions, a session's scanner and its list once with signal
can open them again with none (PRODUCT.md: "at the door, often poor signal"). The service worker
(/sw.js, scope "/") keeps the app's scripts and styles in a cache named after a hash of their
contents, so a new release replaces them whole, and keeps door pages and rosters only when the
server marks them with X-Door-Keep-Until: the end of the session's check-in window. It deletes each
copy at that time, and a page shown to anyone but a signed-in member of staff deletes them all
(static/js/door.js). Sign-out also clears them with Clear-Site-Data (auth.logout).
"""
import hashlib
import json
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, redirect, render_template, url_for
from flask_login import current_user

from . import bp
from ...access import staff_memberships
from ...timeutil import UTC, local_to_utc, to_local, utcnow

KEEP_HEADER = "X-Door-Keep-Until"

# What the door pages load, kept by the service worker at install (paths under static/).
APP_FILES = ("css/app.css", "js/forms.js", "js/door.js", "js/door-store.js", "js/door-offline.js", "js/scanner.js",
             "vendor/qr-scanner/qr-scanner.min.js", "vendor/qr-scanner/qr-scanner-worker.min.js",
             "icons/door-192.png", "icons/door-512.png")


def door_copy(response: Response, keep_until: datetime) -> Response:
    """Mark a door page or roster as one a phone may keep for working offline, until `keep_until`.

    Only signed-in staff reach these responses (the routes require it), so only their pages are kept.
    The browser's own HTTP cache keeps none of them (no-store): the service worker's copy is the one
    copy, and it is deleted on time and at sign-out."""
    response.headers[KEEP_HEADER] = keep_until.astimezone(UTC).isoformat().replace("+00:00", "Z")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def keep_today_until(sessions, window, now: datetime, tz_name: str) -> datetime:
    """Today's list is kept until local midnight, or until the last of its sessions stops taking check-ins."""
    day = to_local(now, tz_name).date()
    midnight = local_to_utc(day + timedelta(days=1), time(0), tz_name)
    return max([midnight] + [window.closes_at(s) for s in sessions])


def _static_files(folder: str):
    root = Path(folder)
    return [name for name in APP_FILES if (root / name).is_file()]  # the decoder is absent without npm


@lru_cache(maxsize=4)
def _version(folder: str, stamp: tuple) -> str:
    """A hash of every kept file and of the service worker's own template: any change is a new cache."""
    digest = hashlib.sha256()
    for name in _static_files(folder):
        digest.update(name.encode() + b"\0" + (Path(folder) / name).read_bytes())
    digest.update(stamp[0].encode())
    return digest.hexdigest()[:12]


def app_version() -> str:
    folder = current_app.static_folder
    template = Path(current_app.root_path).parent / "templates" / "checkin" / "sw.js"
    stamps = tuple(str((Path(folder) / n).stat().st_mtime_ns) for n in _static_files(folder))
    return _version(folder, (template.read_text(),) + stamps)


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site's root so its scope covers every door page."""
    files = [url_for("static", filename=name) for name in _static_files(current_app.static_folder)]
    body = render_template("checkin/sw.js", version=app_version(), app_files=files + [url_for("checkin.offline")],
                           offline_url=url_for("checkin.offline"), start_url=url_for("checkin.door"),
                           keep_header=KEEP_HEADER)
    # Looked for afresh on every visit (the browser also checks at least daily), so a release is picked up.
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/manifest.webmanifest")
def manifest():
    """Lets a worker add the door to the phone's home screen; it opens on today's sessions."""
    data = {
        "name": "Outreach door", "short_name": "Door", "id": url_for("checkin.door"),
        "start_url": url_for("checkin.door"), "scope": "/", "display": "standalone",
        "background_color": "#14181d", "theme_color": "#0b5fad",
        "description": "Today's sessions, the scanner and the session's list, with or without signal.",
        "icons": [{"src": url_for("static", filename=f"icons/door-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in (192, 512)],
    }
    return Response(json.dumps(data), mimetype="application/manifest+json",
                    headers={"Cache-Control": "no-cache"})


@bp.get("/door")
def door():
    """Where the home-screen app opens: today's sessions of the worker's organisation, or the chooser."""
    memberships = staff_memberships(current_user)
    if len(memberships) == 1:
        return redirect(url_for("checkin.today", org_slug=memberships[0].organisation.slug))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("checkin.door")))
    return redirect(url_for("main.home"))


@bp.get("/door/offline")
def offline():
    """The page the service worker shows without signal: a session's list from the roster the phone
    kept, or a plain 'no signal' with the way to the pages that work offline. It holds no one's data
    (it is kept for every visitor the service worker serves); the script fills it from the kept roster."""
    from .words import door_words

    return render_template("checkin/offline.html", now=utcnow(), door_words=door_words())
