"""Sign-in limits: per account and per client address, counted before any password is checked.

Each attempt takes a place in both counters *before* the password is verified, in one atomic
step of the storage (INCR in Redis, a lock in memory), so forty guesses sent at once are no
better than forty sent one after another: only as many as the limit allows reach the password
check, and the rest are refused without it. A successful sign-in gives its place back to the
address and clears the account's counter; so does a password reset by the emailed link, so
whoever locked an account by guessing never locks its owner out.

The account counter is keyed on the address exactly as `accounts.authenticate` looks it up
(`accounts.sign_in_name`), so "Target@Example.org", "target@example.org\\x00" and
"target@ｅｘａｍｐｌｅ.org" share one count. Keys hold a keyed hash of the address, never the
address itself (the counters live in Redis, outside the database and its access rules).

The counts are in Redis when REDIS_URL is set, so they hold across app processes; without it
each process counts on its own (one process with `make run`; N gunicorn workers would allow
N times the limit). If Redis stops answering, each process falls back to counting in its own
memory rather than letting every guess through or shutting everyone out.
"""
import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string

from ...services import accounts

log = logging.getLogger(__name__)
_EXTENSION = "sign_in_throttle"


class SignInThrottle:
    def __init__(self, storage_uri: str, *, secret: str, prefix: str = ""):
        options = {"wrap_exceptions": True}
        if storage_uri.startswith(("redis", "rediss", "valkey")):
            # A Redis that has gone away must not hold a sign-in page for long.
            options.update(socket_connect_timeout=2, socket_timeout=2)
        self.storage = storage_from_string(storage_uri, **options)
        self.fallback = self.storage if isinstance(self.storage, MemoryStorage) else MemoryStorage()
        self._secret = secret.encode()
        self._prefix = prefix
        self._warned = -math.inf

    def _key(self, scope: str, who: str, limit) -> str:
        digest = hmac.new(self._secret, who.encode(), hashlib.sha256).hexdigest()[:32]
        return limit.key_for(*([self._prefix] if self._prefix else []), "sign-in", scope, digest)

    def _call(self, method: str, *args, **kwargs):
        try:
            return getattr(self.storage, method)(*args, **kwargs)
        except StorageError as err:
            if self.storage is self.fallback:
                raise
            if time.monotonic() - self._warned > 60:  # once a minute, not once per call
                self._warned = time.monotonic()
                log.warning("sign-in limits: storage unavailable, counting in this process",
                            extra={"error": type(err.storage_error).__name__})
            return getattr(self.fallback, method)(*args, **kwargs)

    def _hit(self, key: str, limit) -> bool:
        return self._call("incr", key, limit.get_expiry()) <= limit.amount

    def _wait(self, key: str, limit) -> int:
        try:
            reset = self._call("get_expiry", key)
        except StorageError:
            reset = time.time() + limit.get_expiry()
        return max(1, math.ceil(reset - time.time()))

    def attempt(self, email: str, address: str, *, per_account: str, per_address: str) -> "Attempt":
        """Count one sign-in attempt for this account and client address, before any check.

        The answer says whether the password may be checked at all.
        """
        account = accounts.sign_in_name(email)
        account_limit, address_limit = parse(per_account), parse(per_address)
        keys = (self._key("account", account, account_limit), self._key("address", address, address_limit))
        address_ok = self._hit(keys[1], address_limit)
        account_ok = self._hit(keys[0], account_limit)
        wait = 0
        if not address_ok:
            wait = self._wait(keys[1], address_limit)
        if not account_ok:
            wait = max(wait, self._wait(keys[0], account_limit))
        return Attempt(self, keys[0], keys[1], address_limit, allowed=address_ok and account_ok, wait_seconds=wait)

    def forget_account(self, email: str, *, per_account: str) -> None:
        """Clear the account's failed attempts (its owner proved who they are another way)."""
        limit = parse(per_account)
        self._call("clear", self._key("account", accounts.sign_in_name(email), limit))


@dataclass
class Attempt:
    throttle: SignInThrottle
    account_key: str
    address_key: str
    address_limit: object
    allowed: bool
    wait_seconds: int = 0

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))

    def succeeded(self) -> None:
        """The password was right: the account starts afresh and the address gets its place back."""
        self.throttle._call("clear", self.account_key)
        # The -1 at the moment a window ends lands in the next one and gives it one extra
        # attempt; that moment is a few milliseconds of a 15-minute window.
        self.throttle._call("incr", self.address_key, self.address_limit.get_expiry(), amount=-1)


class _Unlimited:
    """What `attempt` returns while limits are switched off (RATELIMIT_ENABLED=false)."""
    allowed = True
    wait_seconds = 0
    wait_minutes = 0

    def succeeded(self) -> None:
        pass


def init_app(app) -> None:
    app.extensions[_EXTENSION] = SignInThrottle(
        app.config["RATELIMIT_STORAGE_URI"], secret=app.config["SECRET_KEY"],
        prefix=app.config.get("RATELIMIT_KEY_PREFIX", ""))


def attempt(email: str, address: str):
    """Count a sign-in attempt for the app in this request (see SignInThrottle.attempt)."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return _Unlimited()
    return current_app.extensions[_EXTENSION].attempt(
        email, address, per_account=config["LOGIN_LIMIT_PER_ACCOUNT"], per_address=config["LOGIN_LIMIT_PER_ADDRESS"])


def forget_account(email: str) -> None:
    config = current_app.config
    if config["RATELIMIT_ENABLED"]:
        current_app.extensions[_EXTENSION].forget_account(email, per_account=config["LOGIN_LIMIT_PER_ACCOUNT"])
