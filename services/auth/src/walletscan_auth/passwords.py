"""Password hashing (Argon2id through pwdlib) and the password policy."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 10
# Argon2 copes with long inputs, but nobody types more; the cap bounds the work per request.
MAX_PASSWORD_LENGTH = 256

# Passwords that head every leaked-password list and still pass a length rule. A short list
# on purpose: it stops the obvious, the length rule and the lockout do the rest.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "123456789a",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "asdfghjkl;",
        "asdfghjkl1",
        "zxcvbnm123",
        "password123",
        "password1234",
        "password12",
        "passw0rd123",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "welcome1234",
        "administrator",
        "admin12345",
        "changeme123",
        "football123",
        "baseball123",
        "sunshine123",
        "princess123",
        "starwars123",
        "dragon12345",
        "monkey12345",
        "superman123",
        "trustno1234",
        "abcdefghij",
        "abcd123456",
        "abc1234567",
        "bitcoin123",
        "satoshi123",
        "walletscan",
        "walletscan1",
        "walletscan123",
    }
)


class WeakPassword(ValueError):
    """The message says what is wrong; it is shown to the user."""


def check_password_policy(password: str, email: str) -> None:
    """Raise `WeakPassword` with a user-facing message when the password is not acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"password must be at least {MIN_PASSWORD_LENGTH} characters long"
        raise WeakPassword(msg)
    if len(password) > MAX_PASSWORD_LENGTH:
        msg = f"password must be at most {MAX_PASSWORD_LENGTH} characters long"
        raise WeakPassword(msg)
    if len(set(password)) == 1:
        msg = "password must not be a single character repeated"
        raise WeakPassword(msg)
    lowered = password.casefold()
    email_folded = email.casefold()
    if lowered in {email_folded, email_folded.split("@", 1)[0]}:
        msg = "password must not be your email address"
        raise WeakPassword(msg)
    if lowered in COMMON_PASSWORDS:
        msg = "password is one of the most common passwords; choose another"
        raise WeakPassword(msg)


class PasswordHasher:
    """Argon2id with pwdlib's defaults (argon2-cffi's RFC 9106 low-memory profile)."""

    def __init__(self, hasher: Argon2Hasher | None = None) -> None:
        self._hash = PasswordHash((hasher or Argon2Hasher(),))
        # Verified against when the email is unknown, so a login for a missing account costs
        # the same time as one with a wrong password (no account enumeration by timing).
        self._dummy = self._hash.hash("walletscan-timing-equaliser")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> bool:
        try:
            return self._hash.verify(password, password_hash or self._dummy) and bool(password_hash)
        except UnknownHashError:
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hash.current_hasher.check_needs_rehash(password_hash)
