"""`make run PORT=...` as a developer types it: passes and links point at that port, and the
server's output never shows a pass secret that was asked for.

Runs the real Makefile target (migrate, seed the demo, serve) on a throwaway instance folder and
database, for a few seconds, then stops it.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import zxingcpp
from PIL import Image

from outreach.services.demo import DEMO_PASSWORD, GUARDIAN_EMAIL
from tests.conftest import ROOT, free_port


class Browser:
    """Just enough of a browser: one cookie jar, form posts with the page's CSRF token."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            for header in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return resp.status, data
        finally:
            conn.close()

    def sign_in(self, email, password):
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", "/login", {"email": email, "password": password, "csrf_token": token})
        assert status == 302


@pytest.fixture()
def make_run(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"BASE_URL", "DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "MAKEFLAGS", "MAKELEVEL"}}
    env.update(OUTREACH_INSTANCE_PATH=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'outreach.db'}")
    log_path = tmp_path / "make-run.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, "make run stopped:\n" + log_path.read_text()[-3000:]
            assert time.time() < deadline, "make run did not answer:\n" + log_path.read_text()[-3000:]
            try:
                if Browser(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        yield port, tmp_path, lambda: log_path.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C, as a developer stops it; the group is make and flask only
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _guardians_pass(database) -> str:
    with sqlite3.connect(database) as conn:
        return conn.execute(
            "SELECT p.secret FROM passes p JOIN guardian_links g ON g.young_person_id = p.young_person_id "
            "JOIN users u ON u.id = g.guardian_id WHERE u.email = ? AND p.revoked_at IS NULL LIMIT 1",
            (GUARDIAN_EMAIL,)).fetchone()[0]


def test_make_run_on_another_port_points_passes_there_and_never_prints_a_pass_secret(make_run):
    port, folder, output = make_run
    secret = _guardians_pass(folder / "outreach.db")
    browser = Browser(port)
    browser.sign_in(GUARDIAN_EMAIL, DEMO_PASSWORD)

    assert browser.request("GET", f"/p/{secret}")[0] == 200
    status, png = browser.request("GET", f"/p/{secret}/qr.png")
    assert status == 200
    (folder / "pass.png").write_bytes(png)
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(folder / "pass.png"))]
    assert decoded == [f"http://127.0.0.1:{port}/p/{secret}"]

    # A malformed request line is quoted in full in the server's error message ("Bad request syntax").
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"GET /p/{secret} extra HTTP/1.1\r\n\r\n".encode())
        assert b" 400 " in raw.recv(1024)

    time.sleep(0.5)  # let the server's last lines reach the log
    printed = output()
    assert secret not in printed
    assert '"route": "/p/<secret>"' in printed  # the app's own request line, with the route pattern
