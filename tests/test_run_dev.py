"""`make run` (scripts/run_dev.py) runs the worker beside the web server; Ctrl+C stops both,
and when one of them dies the other is stopped too: no process is left behind."""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, free_port

SCRIPT = ROOT / "scripts" / "run_dev.py"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as fh:
        return fh.read().replace(b"\0", b" ").decode()


def _start(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "TASK_QUEUE_FILE")}
    env.update(OUTREACH_INSTANCE_PATH=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'dev.db'}",
               SECRET_KEY="run-dev-test", REQUEST_LOG="0", PYTHONUNBUFFERED="1")
    web = [sys.executable, "-m", "flask", "--app", "wsgi", "--no-debug", "run", "--host", "127.0.0.1",
           "--port", str(port), "--no-reload"]
    log = open(tmp_path / "run_dev.log", "w+")
    # Its own process group, like a terminal's foreground job: Ctrl+C goes to the whole group.
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--", *web], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    return proc, port, log


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _answers(port):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).status == 200
    except OSError:
        return False


def _pids(log):
    log.seek(0)
    text = log.read()
    worker = re.search(r"worker running \(pid (\d+)\)", text)
    web = re.search(r"web server running \(pid (\d+)\)", text)
    return (int(worker.group(1)) if worker else None), (int(web.group(1)) if web else None), text


def test_ctrl_c_stops_the_web_server_and_the_worker(tmp_path):
    proc, port, log = _start(tmp_path)
    try:
        assert _wait_for(lambda: _answers(port)), _pids(log)[2]
        worker, web, text = _pids(log)
        assert worker and web, text
        assert _alive(worker) and "huey_consumer outreach.tasks.huey" in _cmdline(worker)
        assert _alive(web) and "flask" in _cmdline(web)

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C does to the foreground job
        assert proc.wait(timeout=30) == 0
        assert _wait_for(lambda: not _alive(worker) and not _alive(web), 10), "a process was left behind"
        assert "run_dev: stopped" in _pids(log)[2]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_when_the_worker_dies_the_web_server_is_stopped_too(tmp_path):
    proc, port, log = _start(tmp_path)
    try:
        assert _wait_for(lambda: _answers(port)), _pids(log)[2]
        worker, web, _ = _pids(log)
        os.kill(worker, signal.SIGKILL)
        assert proc.wait(timeout=30) != 0  # make run fails loudly rather than run without mail
        assert _wait_for(lambda: not _alive(web), 10), "the web server was left running"
        assert "the worker stopped" in _pids(log)[2]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
