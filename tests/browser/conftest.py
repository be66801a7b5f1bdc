"""The browser tests' world: the whole stack on real servers with the Esplora simulator, and the
built dashboard (frontend/server.mjs) in front of it on a free loopback port."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from walletscan_testkit.esplora_sim import create_esplora_app, run_server
from walletscan_testkit.stack import (
    RunningProcess,
    free_port,
    infrastructure,
    service_stack,
    wait_for_port,
)

from tests.e2e.worlds import Wallet, build_wallet

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Per request, so a scan takes a few seconds and the progress bar visibly moves.
SIMULATOR_LATENCY_SECONDS = 0.05


def missing_prerequisites() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not (FRONTEND / "node_modules" / ".bin" / "playwright").exists():
        missing.append("frontend/node_modules (npm ci)")
    if not (FRONTEND / ".next" / "BUILD_ID").exists():
        missing.append("frontend/.next (npm run build)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    return missing


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    missing = missing_prerequisites()
    if not missing:
        return
    message = "browser tests need " + ", ".join(missing) + "; `make frontend` prepares them"
    if os.environ.get("WALLETSCAN_BROWSER_TESTS") == "required":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Dashboard:
    url: str
    gateway_url: str
    wallet: Wallet
    logs: Path


@pytest.fixture(scope="session")
def dashboard(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dashboard]:
    wallet = build_wallet()
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    data_dir = tmp_path_factory.mktemp("browser")
    app = create_esplora_app(wallet.chain, latency_seconds=SIMULATOR_LATENCY_SECONDS)
    with (
        run_server(app) as esplora_url,
        infrastructure(data_dir) as infra,
        service_stack(
            infra,
            env={
                "WALLETSCAN_ESPLORA_BITCOIN_URL": esplora_url,
                "WALLETSCAN_ESPLORA_TESTNET_URL": esplora_url,
                "WALLETSCAN_REQUESTS_PER_SECOND": "1000",
                "WALLETSCAN_ALLOWED_ORIGINS": origin,
            },
        ) as stack,
    ):
        log_path = data_dir / "frontend.log"
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WALLETSCAN_API_URL": stack.gateway_url,
            "NEXT_TELEMETRY_DISABLED": "1",
            "NODE_ENV": "production",
        }
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                ["node", "server.mjs"],
                cwd=FRONTEND,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        frontend = RunningProcess("frontend", popen, log_path)
        try:
            wait_for_port(port, timeout=60, proc=popen)
            yield Dashboard(url=origin, gateway_url=stack.gateway_url, wallet=wallet, logs=log_path)
        finally:
            frontend.stop()
