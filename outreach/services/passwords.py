"""Password hashing with Argon2id (memory-hard), via argon2-cffi."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# RFC 9106's low-memory profile (64 MiB, 3 passes), computed in one lane. Several lanes
# finish one sign-in sooner by taking every core of a small server at once, which
# stalls the check-ins running beside it; one lane costs the same CPU and the same to
# an attacker (memory x passes), and leaves the other cores free. Hashes made with
# other settings still verify and are renewed at the next sign-in.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
