from __future__ import annotations

import jwt
import pytest
from walletscan_auth.memory import InMemoryAuthRepository
from walletscan_auth.service import AuthService
from walletscan_auth.tokens import hash_refresh_token
from walletscan_contracts.auth import (
    ACCESS_TOKEN_AUDIENCE,
    AuthReply,
    Credentials,
    LogoutRequest,
    RefreshRequest,
)

PASSWORD = "correct horse battery"
EMAIL = "alice@example.com"


async def register(service: AuthService, email: str = EMAIL) -> AuthReply:
    return (await service.register(Credentials(email=email, password=PASSWORD))).reply


async def login(
    service: AuthService, password: str = PASSWORD, ip: str | None = "10.0.0.1"
) -> AuthReply:
    return (await service.login(Credentials(email=EMAIL, password=password, client_ip=ip))).reply


# -- register ----------------------------------------------------------------------------


async def test_register_normalises_the_email_and_hashes_the_password(
    service: AuthService, repository: InMemoryAuthRepository
) -> None:
    outcome = await service.register(Credentials(email="  Alice@Example.COM ", password=PASSWORD))
    assert outcome.reply.status == 201
    assert outcome.reply.user is not None
    assert outcome.reply.user.email == EMAIL
    assert outcome.reply.tokens is None
    stored = await repository.user_by_email(EMAIL)
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert [a.action for a in outcome.audits] == ["register"]


async def test_register_twice_is_409(service: AuthService) -> None:
    await register(service)
    reply = await register(service, email="ALICE@example.com")
    assert reply.status == 409
    assert reply.detail == "an account with this email already exists"


@pytest.mark.parametrize("email", ["", "alice", "alice@", "@example.com", "a b@x.io", "a@b"])
async def test_register_with_an_invalid_email_is_422(service: AuthService, email: str) -> None:
    reply = await register(service, email=email)
    assert reply.status == 422
    assert reply.detail == "invalid email address"


async def test_register_with_a_weak_password_is_422_with_the_reason(service: AuthService) -> None:
    outcome = await service.register(Credentials(email=EMAIL, password="short"))
    assert outcome.reply.status == 422
    assert "at least 10 characters" in (outcome.reply.detail or "")
    assert outcome.audits == []


# -- login -------------------------------------------------------------------------------


async def test_login_issues_an_access_token_and_a_stored_hashed_refresh_token(
    service: AuthService, repository: InMemoryAuthRepository
) -> None:
    user = (await register(service)).user
    assert user is not None
    outcome = await service.login(Credentials(email="ALICE@example.com", password=PASSWORD))
    reply = outcome.reply
    assert reply.status == 200
    assert reply.tokens is not None
    claims = jwt.decode(
        reply.tokens.access_token,
        options={"verify_signature": False},
        audience=ACCESS_TOKEN_AUDIENCE,
    )
    assert claims["sub"] == user.id
    assert claims["email"] == EMAIL
    assert reply.tokens.refresh_token not in repository.refresh_tokens
    assert hash_refresh_token(reply.tokens.refresh_token) in repository.refresh_tokens
    assert [a.action for a in outcome.audits] == ["login"]


async def test_wrong_password_and_unknown_email_answer_the_same(service: AuthService) -> None:
    await register(service)
    wrong = await login(service, password="wrong password!")
    unknown = (await service.login(Credentials(email="bob@example.com", password=PASSWORD))).reply
    assert wrong.status == unknown.status == 401
    assert wrong.detail == unknown.detail == "invalid email or password"


# -- throttling ----------------------------------------------------------------------------


async def test_five_failures_lock_the_account_even_for_the_right_password(
    service: AuthService, clock
) -> None:
    await register(service)
    for _ in range(5):
        assert (await login(service, password="wrong password!")).status == 401
    locked = await service.login(Credentials(email=EMAIL, password=PASSWORD))
    assert locked.reply.status == 429
    assert locked.reply.retry_after_seconds == 15 * 60
    assert "too many failed logins" in (locked.reply.detail or "")

    clock.advance(minutes=10)
    assert (await login(service)).retry_after_seconds == 5 * 60

    clock.advance(minutes=5, seconds=1)
    assert (await login(service)).status == 200


async def test_the_locking_failure_emits_a_locked_audit(service: AuthService) -> None:
    await register(service)
    for _ in range(4):
        await login(service, password="wrong password!")
    outcome = await service.login(Credentials(email=EMAIL, password="wrong password!"))
    assert [a.action for a in outcome.audits] == ["login_failed", "locked"]


async def test_failures_outside_the_window_do_not_count(service: AuthService, clock) -> None:
    await register(service)
    for _ in range(4):
        await login(service, password="wrong password!")
    clock.advance(minutes=16)
    for _ in range(4):
        assert (await login(service, password="wrong password!")).status == 401
    assert (await login(service)).status == 200


async def test_a_successful_login_resets_the_count(service: AuthService) -> None:
    await register(service)
    for _ in range(4):
        await login(service, password="wrong password!")
    assert (await login(service)).status == 200
    for _ in range(4):
        await login(service, password="wrong password!")
    assert (await login(service)).status == 200


async def test_unknown_emails_are_locked_too(service: AuthService) -> None:
    # Otherwise a 429 versus 401 would reveal which emails have accounts.
    for _ in range(5):
        await service.login(Credentials(email="ghost@example.com", password="wrong password!"))
    reply = (
        await service.login(Credentials(email="ghost@example.com", password="wrong password!"))
    ).reply
    assert reply.status == 429


async def test_one_address_trying_many_emails_is_locked(
    repository: InMemoryAuthRepository, issuer, hasher, clock
) -> None:
    from walletscan_auth.service import AuthPolicy

    service = AuthService(
        repository, issuer, hasher, AuthPolicy(max_failed_logins_per_ip=3), clock=clock
    )
    for i in range(3):
        await service.login(
            Credentials(email=f"u{i}@example.com", password="wrong password!", client_ip="1.2.3.4")
        )
    reply = (
        await service.login(
            Credentials(email="new@example.com", password="wrong password!", client_ip="1.2.3.4")
        )
    ).reply
    assert reply.status == 429
    other_ip = (
        await service.login(
            Credentials(email="new@example.com", password="wrong password!", client_ip="5.6.7.8")
        )
    ).reply
    assert other_ip.status == 401


# -- refresh -----------------------------------------------------------------------------


async def test_refresh_rotates_and_the_new_token_works(
    service: AuthService, repository: InMemoryAuthRepository
) -> None:
    await register(service)
    first = (await login(service)).tokens
    assert first is not None
    outcome = await service.refresh(RefreshRequest(refresh_token=first.refresh_token))
    second = outcome.reply.tokens
    assert outcome.reply.status == 200
    assert second is not None
    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    old = repository.refresh_tokens[hash_refresh_token(first.refresh_token)]
    new = repository.refresh_tokens[hash_refresh_token(second.refresh_token)]
    assert old.used_at is not None
    assert new.family_id == old.family_id
    assert [a.action for a in outcome.audits] == ["refresh"]

    third = (await service.refresh(RefreshRequest(refresh_token=second.refresh_token))).reply
    assert third.status == 200


async def test_reuse_of_a_used_refresh_token_revokes_the_whole_family(
    service: AuthService,
) -> None:
    await register(service)
    first = (await login(service)).tokens
    other_session = (await login(service)).tokens
    assert first is not None
    assert other_session is not None
    second = (await service.refresh(RefreshRequest(refresh_token=first.refresh_token))).reply
    assert second.tokens is not None

    # The thief replays the old token...
    reuse = await service.refresh(RefreshRequest(refresh_token=first.refresh_token))
    assert reuse.reply.status == 401
    assert "already used" in (reuse.reply.detail or "")
    assert [a.action for a in reuse.audits] == ["refresh_reuse"]

    # ...and the legitimate holder's newer token is dead as well.
    after = (await service.refresh(RefreshRequest(refresh_token=second.tokens.refresh_token))).reply
    assert after.status == 401

    # Another login (another family) is untouched.
    untouched = (
        await service.refresh(RefreshRequest(refresh_token=other_session.refresh_token))
    ).reply
    assert untouched.status == 200


async def test_unknown_and_expired_refresh_tokens_are_401(service: AuthService, clock) -> None:
    assert (await service.refresh(RefreshRequest(refresh_token="nope"))).reply.status == 401
    await register(service)
    tokens = (await login(service)).tokens
    assert tokens is not None
    clock.advance(days=31)
    reply = (await service.refresh(RefreshRequest(refresh_token=tokens.refresh_token))).reply
    assert reply.status == 401
    assert "expired" in (reply.detail or "")


# -- logout ------------------------------------------------------------------------------


async def test_logout_revokes_the_refresh_token(service: AuthService) -> None:
    user = (await register(service)).user
    tokens = (await login(service)).tokens
    assert user is not None
    assert tokens is not None
    outcome = await service.logout(
        LogoutRequest(refresh_token=tokens.refresh_token, user_id=user.id)
    )
    assert outcome.reply.status == 200
    assert [(a.action, a.user_id) for a in outcome.audits] == [("logout", user.id)]
    reply = (await service.refresh(RefreshRequest(refresh_token=tokens.refresh_token))).reply
    assert reply.status == 401


async def test_logout_ignores_a_token_of_another_user(service: AuthService) -> None:
    await register(service)
    tokens = (await login(service)).tokens
    assert tokens is not None
    await service.logout(LogoutRequest(refresh_token=tokens.refresh_token, user_id="someone-else"))
    reply = (await service.refresh(RefreshRequest(refresh_token=tokens.refresh_token))).reply
    assert reply.status == 200


async def test_jwks_lists_the_signing_key(service: AuthService) -> None:
    keys = service.jwks().keys
    assert [k["kid"] for k in keys] == [service.issuer.kid]
    assert keys[0]["crv"] == "Ed25519"


async def test_addresses_are_not_locked_unless_configured(service: AuthService) -> None:
    # Behind a proxy every user may share one address; see AuthSettings.
    for i in range(10):
        await service.login(
            Credentials(email=f"u{i}@example.com", password="wrong password!", client_ip="1.2.3.4")
        )
    reply = (
        await service.login(
            Credentials(email="new@example.com", password="wrong password!", client_ip="1.2.3.4")
        )
    ).reply
    assert reply.status == 401
