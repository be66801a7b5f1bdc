"""`MongoAuthRepository` against a real MongoDB-compatible server: nx-27017 on a free
loopback port (WALLETSCAN_TEST_MONGODB_URL points at another server instead)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from walletscan_auth.repository import MongoAuthRepository
from walletscan_auth.service import EmailTaken, RefreshToken, User
from walletscan_platform.database import make_client

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("WALLETSCAN_TEST_MONGODB_URL"):
        yield url
        return
    binary = shutil.which("nx-27017") or str(Path(sys.executable).parent / "nx-27017")
    if not Path(binary).exists():
        pytest.skip("nx-27017 is not installed")
    port = _free_port()
    tmp = tmp_path_factory.mktemp("nx")
    proc = subprocess.Popen(
        [
            binary,
            "--db",
            "memory",
            "--port",
            str(port),
            "--log-file",
            str(tmp / "nx.log"),
            "--pid-file",
            str(tmp / "nx.pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.skip("nx-27017 did not start")
                time.sleep(0.1)
        yield f"mongodb://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
async def repository(mongodb_url: str) -> AsyncIterator[MongoAuthRepository]:
    client = make_client(mongodb_url)
    repo = MongoAuthRepository(client[f"auth_test_{uuid.uuid4().hex[:8]}"])
    await repo.create_indexes()
    try:
        yield repo
    finally:
        await client.close()


def _user(email: str = "alice@example.com") -> User:
    return User(id=uuid.uuid4().hex, email=email, password_hash="$argon2id$x", created_at=NOW)


async def test_users_round_trip_and_emails_are_unique(repository: MongoAuthRepository) -> None:
    user = _user()
    await repository.add_user(user)
    assert await repository.user_by_email("alice@example.com") == user
    assert await repository.user_by_id(user.id) == user
    with pytest.raises(EmailTaken):
        await repository.add_user(_user())
    await repository.set_password_hash(user.id, "$argon2id$y")
    again = await repository.user_by_id(user.id)
    assert again is not None
    assert again.password_hash == "$argon2id$y"


async def test_refresh_tokens_mark_used_once_and_revoke_by_family(
    repository: MongoAuthRepository,
) -> None:
    a = RefreshToken("hash-a", "u1", "fam", NOW, NOW + timedelta(days=30))
    b = RefreshToken("hash-b", "u1", "fam", NOW, NOW + timedelta(days=30))
    other = RefreshToken("hash-c", "u1", "other", NOW, NOW + timedelta(days=30))
    for token in (a, b, other):
        await repository.add_refresh_token(token)
    assert await repository.refresh_token("hash-a") == a

    assert await repository.mark_refresh_token_used("hash-a", NOW)
    assert not await repository.mark_refresh_token_used("hash-a", NOW)
    stored = await repository.refresh_token("hash-a")
    assert stored is not None
    assert stored.used_at == NOW

    await repository.revoke_family("fam", NOW)
    revoked = await repository.refresh_token("hash-b")
    assert revoked is not None
    assert revoked.revoked_at == NOW
    assert not await repository.mark_refresh_token_used("hash-b", NOW)
    untouched = await repository.refresh_token("hash-c")
    assert untouched is not None
    assert untouched.revoked_at is None


async def test_failed_logins_are_counted_per_window_and_locks_stored(
    repository: MongoAuthRepository,
) -> None:
    for minutes in (0, 10, 20, 21):
        await repository.add_failed_login("email:a", NOW + timedelta(minutes=minutes))
    await repository.add_failed_login("email:b", NOW)
    assert await repository.count_failed_logins("email:a", NOW + timedelta(minutes=6)) == 3
    await repository.clear_failed_logins("email:a")
    assert await repository.count_failed_logins("email:a", NOW) == 0
    assert await repository.count_failed_logins("email:b", NOW) == 1

    assert await repository.locked_until("email:a") is None
    await repository.lock("email:a", NOW + timedelta(minutes=15))
    await repository.lock("email:a", NOW + timedelta(minutes=30))
    assert await repository.locked_until("email:a") == NOW + timedelta(minutes=30)
