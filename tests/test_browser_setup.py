"""`make test` brings the browser tests' Chromium itself, or says plainly how.

The install itself (apt-get as root) is not run here, to leave the machine's packages alone:
these tests take the paths where Chromium is missing and cannot be installed, and check that
`make test` asks for it before pytest runs.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

APT_LINE = "apt-get install -y --no-install-recommends chromium fonts-dejavu-core"
NOBODY = 65534


def _as_a_user_without_root(cmd, cwd):
    """Run cmd as someone who cannot install packages: 'nobody' when the suite runs as root."""
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv (util-linux) is needed to drop root")
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        pytest.skip("this user can install packages with sudo")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_without_chromium_and_without_root_make_says_how_to_install_it():
    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    folder = tempfile.mkdtemp(prefix="outreach-make-")
    try:
        os.chmod(folder, 0o755)  # readable by the unprivileged user
        shutil.copy(ROOT / "Makefile", folder)
        os.chmod(Path(folder) / "Makefile", 0o644)
        done = _as_a_user_without_root(
            ["make", "--no-print-directory", "browser", f"CHROMIUM_PATH={folder}/no-chromium"], folder)
    finally:
        shutil.rmtree(folder)
    assert done.returncode == 0, done.stdout + done.stderr  # the suite still runs; its browser tests say why
    assert "Chromium not found" in done.stdout and APT_LINE in done.stdout, done.stdout + done.stderr


def test_make_test_asks_for_chromium_before_pytest_and_ci_leaves_it_to_make_test():
    plan = subprocess.run(["make", "-n", "--no-print-directory", "test", "CHROMIUM_PATH=/no-chromium"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    assert "apt-get install -y --no-install-recommends chromium fonts-dejavu-core" in plan
    assert plan.index("apt-get install") < plan.index("bin/pytest")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "apt-get install" not in ci


def test_browser_tests_without_chromium_fail_with_that_message_not_a_traceback(tmp_path):
    env = {**os.environ, "CHROMIUM_PATH": str(tmp_path / "no-chromium")}
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/browser/test_keyboard_and_referrer.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert f"Chromium not found at {tmp_path / 'no-chromium'}" in done.stdout and APT_LINE in done.stdout
    assert "def playwright_instance" not in done.stdout and "Traceback" not in done.stdout
