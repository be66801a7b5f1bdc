"""The whole stack on real servers: NATS, nx-27017 (or MongoDB), every service as a process,
and an Esplora simulator serving a wallet whose totals are known."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from walletscan_testkit.esplora_sim import create_esplora_app, run_server
from walletscan_testkit.stack import Infrastructure, ServiceStack, infrastructure, service_stack

from tests.e2e.client import ApiUser
from tests.e2e.worlds import Wallet, build_wallet


@pytest.fixture(scope="session")
def wallet() -> Wallet:
    return build_wallet()


@pytest.fixture(scope="session")
def esplora_app(wallet: Wallet) -> FastAPI:
    """The simulator serving the wallet; tests may change `app.state.latency_seconds` and
    `app.state.faults` (and must restore them)."""
    return create_esplora_app(wallet.chain)


@pytest.fixture(scope="session")
def esplora_url(esplora_app: FastAPI) -> Iterator[str]:
    with run_server(esplora_app) as url:
        yield url


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    with infrastructure(tmp_path_factory.mktemp("infra")) as running:
        yield running


@pytest.fixture(scope="session")
def trace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every service of the stack writes its spans, one JSON line each."""
    return tmp_path_factory.mktemp("traces")


@pytest.fixture(scope="session")
def stack(infra: Infrastructure, esplora_url: str, trace_dir: Path) -> Iterator[ServiceStack]:
    env = {
        "WALLETSCAN_TRACE_DIR": str(trace_dir),
        "WALLETSCAN_ESPLORA_BITCOIN_URL": esplora_url,
        "WALLETSCAN_ESPLORA_TESTNET_URL": esplora_url,
        "WALLETSCAN_REQUESTS_PER_SECOND": "1000",
        # A killed consumer's unacknowledged messages come back after this many seconds.
        "WALLETSCAN_ACK_WAIT_SECONDS": "3",
        # A scan with no event for 3 s is resumed (the stall watch looks every second).
        "WALLETSCAN_STALL_AFTER_SECONDS": "3",
        "WALLETSCAN_STALL_CHECK_SECONDS": "1",
    }
    with service_stack(infra, env=env) as running:
        yield running


@pytest.fixture
async def user(stack: ServiceStack) -> AsyncIterator[ApiUser]:
    api = ApiUser(stack.gateway_url)
    await api.sign_up_and_in()
    yield api
    await api.aclose()


@pytest.fixture
def artifacts() -> Path:
    path = Path(__file__).resolve().parents[2] / ".artifacts"
    path.mkdir(exist_ok=True)
    return path
