"""Mail servers that misbehave, for the tests of what a page and the worker do then.

A server that accepts the connection and never answers (the SMTP greeting never comes), and
a real SMTP server (aiosmtpd) started on a port of the test's choosing, e.g. where the
hanging one was.
"""
import socket
import threading
from contextlib import contextmanager

from tests.conftest import _Inbox, free_port


class HangingSMTP:
    """Accepts connections on a loopback port and never says a word; counts the connections."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.connections = 0
        self._held: list[socket.socket] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(16)
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> "HangingSMTP":
        self._thread.start()
        return self

    def _accept(self):
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            self.connections += 1
            self._held.append(conn)

    def stop(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()


@contextmanager
def hanging_smtp(port: int | None = None):
    server = HangingSMTP(port).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def real_smtp(port: int):
    """aiosmtpd on 127.0.0.1:port; yields the inbox (its `received` messages, parsed)."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
