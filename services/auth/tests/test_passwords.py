from __future__ import annotations

import pytest
from walletscan_auth.passwords import PasswordHasher, WeakPassword, check_password_policy

EMAIL = "alice@example.com"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "at least 10 characters"),
        ("aaaaaaaaaaaa", "single character repeated"),
        ("alice@example.com", "must not be your email"),
        ("ALICE@EXAMPLE.COM", "must not be your email"),
        ("password123", "most common passwords"),
        ("Qwertyuiop", "most common passwords"),
        ("x" * 300 + "y", "at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, message: str) -> None:
    with pytest.raises(WeakPassword, match=message):
        check_password_policy(password, EMAIL)


def test_a_reasonable_password_passes() -> None:
    check_password_policy("correct horse battery", EMAIL)


def test_hash_is_argon2id_and_verifies(hasher: PasswordHasher) -> None:
    digest = hasher.hash("correct horse battery")
    assert digest.startswith("$argon2id$")
    assert hasher.verify("correct horse battery", digest)
    assert not hasher.verify("wrong horse battery", digest)


def test_verify_without_a_hash_is_false_and_never_raises(hasher: PasswordHasher) -> None:
    assert not hasher.verify("anything at all", None)
    assert not hasher.verify("anything at all", "not-a-hash")
