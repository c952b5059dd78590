"""`make run`: the web server and the task queue's worker side by side; Ctrl+C stops both.

    python scripts/run_dev.py -- <web server command ...>

Starts the worker (`huey_consumer outreach.tasks.huey`: the outbox, the reminders, the
retention purge) and the web server command given after `--`, each in a process group of its
own, so that a signal reaches each exactly once: this script forwards Ctrl+C (SIGINT),
SIGTERM and SIGHUP to both. When either ends, the other is stopped too, so a crashed worker
never leaves a web server that quietly sends no mail, nor the reverse. Children still running
after STOP_WAIT seconds are killed; on Linux they are also told to stop should this script
die without forwarding anything (PR_SET_PDEATHSIG). No process is left behind.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

STOP_WAIT = 10
WORKER = [sys.executable, "-m", "huey.bin.huey_consumer", "outreach.tasks.huey",
          # Two threads, so a long retention purge never holds up the mail; quiet, so the
          # minute's sweep is not logged (what it sends is, by outreach.tasks); a task still
          # running 5 s after Ctrl+C is interrupted (its messages are retried, not lost).
          "--workers", "2", "--worker-type", "thread", "--quiet", "--shutdown-timeout", "5"]


def _child_setup():
    """In each child, before it runs: stop with this script even if it is killed outright."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the forwarding below still applies
        pass


def _say(text: str) -> None:
    print(f"run_dev: {text}", flush=True)


def _signal(proc: subprocess.Popen, signum: int) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass


def _stop(procs: dict[str, subprocess.Popen]) -> None:
    """Ask every child still running to stop, then insist."""
    for proc in procs.values():
        _signal(proc, signal.SIGINT)
    deadline = time.monotonic() + STOP_WAIT
    for sig in (signal.SIGTERM, signal.SIGKILL):
        while time.monotonic() < deadline and any(p.poll() is None for p in procs.values()):
            time.sleep(0.1)
        for name, proc in procs.items():
            if proc.poll() is None:
                _say(f"{name} (pid {proc.pid}) still running, sending {signal.Signals(sig).name}")
                _signal(proc, sig)
        deadline = time.monotonic() + 3
    for proc in procs.values():
        proc.wait()


def main(argv: list[str]) -> int:
    if "--" not in argv or not argv[argv.index("--") + 1:]:
        print(__doc__, file=sys.stderr)
        return 2
    web = argv[argv.index("--") + 1:]
    received = []

    def on_signal(signum, frame):
        received.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    procs = {}
    procs["worker"] = subprocess.Popen(WORKER, start_new_session=True, preexec_fn=_child_setup)
    _say(f"worker running (pid {procs['worker'].pid}): sends email right after each change and every minute, "
         "reminders hourly, the retention purge nightly")
    procs["web server"] = subprocess.Popen(web, start_new_session=True, preexec_fn=_child_setup)
    _say(f"web server running (pid {procs['web server'].pid}); Ctrl+C stops both")

    ended = None
    while not received and ended is None:
        ended = next((name for name, p in procs.items() if p.poll() is not None), None)
        time.sleep(0.1)
    if ended is not None:
        _say(f"the {ended} stopped (exit code {procs[ended].returncode}), stopping the rest")
    else:
        _say("stopping the web server and the worker")
    _stop(procs)
    _say("stopped")
    if received:
        return 0
    return procs[ended].returncode or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
