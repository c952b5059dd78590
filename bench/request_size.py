"""What one gunicorn worker does with a 100 MB JSON body on the check-in API, from a signed-in worker.

    python bench/request_size.py [--tree PATH] [--megabytes 100]

Serves the app in --tree (default: this checkout) under gunicorn.conf.py with one worker on SQLite,
signs a youth worker in, and sends the body through a raw socket while watching for the answer.
Prints the answer, how much of the body had been sent when it came, and the worker's resident memory
(VmRSS) and peak (VmHWM) before and after, from /proc (Linux). Before the request-size limit the
worker read the whole body and its peak grew by about three times the body's size.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = 8765
SETUP = """
from datetime import datetime, timedelta
from outreach import create_app
from outreach.extensions import db
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_session, make_user
app = create_app()
with app.app_context():
    worker = make_user("size@example.org", email_confirmed=True)
    org = make_org("Size Club", lead=make_user(), worker=worker)
    s = make_session(make_programme(org, registration_mode="drop_in"), starts_at=datetime.now(UTC) - timedelta(minutes=5))
    db.session.commit()
    print(org.slug, s.id)
"""


def memory(pid, key):
    return int(re.search(rf"{key}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1)) // 1024


def send(path, headers, body):
    """Send the body in 1 MB pieces, stopping as soon as an answer arrives: (status line, MB sent)."""
    conn = socket.create_connection(("127.0.0.1", PORT))
    conn.sendall(("\r\n".join([f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *headers,
                               f"Content-Length: {len(body)}", "Connection: close"]) + "\r\n\r\n").encode())
    conn.setblocking(False)
    sent, answer = 0, b""
    while sent < len(body) and not answer:
        try:
            answer += conn.recv(65536)
        except BlockingIOError:
            pass
        try:
            sent += conn.send(body[sent:sent + 1024 * 1024])
        except BlockingIOError:
            time.sleep(0.001)
        except (BrokenPipeError, ConnectionResetError):
            break
    conn.settimeout(30)
    while b"\r\n" not in answer:
        more = conn.recv(65536)
        if not more:
            break
        answer += more
    conn.close()
    return answer.split(b"\r\n")[0].decode(errors="replace"), sent / 1048576


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=str(ROOT), help="checkout whose app to serve")
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, OUTREACH_INSTANCE_PATH=tmp, DATABASE_URL=f"sqlite:///{tmp}/size.db", SECRET_KEY="size",
               REQUEST_LOG="0", WEB_CONCURRENCY="1", GUNICORN_BIND=f"127.0.0.1:{PORT}", PYTHONPATH=args.tree)
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=args.tree, env=env, check=True,
                   capture_output=True)
    slug, session_id = subprocess.run([sys.executable, "-c", SETUP], cwd=args.tree, env=env, check=True,
                                      capture_output=True, text=True).stdout.split()
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=args.tree, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        http = requests.Session()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(base + "/login").text).group(1)
        http.post(base + "/login", data={"email": "size@example.org", "password": "correct horse battery staple",
                                         "csrf_token": token}, allow_redirects=False).raise_for_status()
        scanner = http.get(f"{base}/org/{slug}/sessions/{session_id}/scan").text
        csrf = re.search(r'data-csrf-token="([^"]+)"', scanner).group(1)
        worker = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0]
        rss, peak = memory(worker, "VmRSS"), memory(worker, "VmHWM")
        body = json.dumps({"pass": "x" * (args.megabytes * 1048576)}).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        status, sent = send(f"/api/sessions/{session_id}/checkins",
                            ["Content-Type: application/json", f"X-CSRFToken: {csrf}", f"Cookie: {cookie}"], body)
        time.sleep(0.5)
        print(f"answer: {status}")
        print(f"sent before the answer: {sent:.1f} MB of {len(body) / 1048576:.0f} MB")
        print(f"worker_rss_mb: {rss} before, {memory(worker, 'VmRSS')} after")
        print(f"worker_peak_mb: {peak} before, {memory(worker, 'VmHWM')} after")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
