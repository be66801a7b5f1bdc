"""Provider faults through the whole pipeline (gateway → derivation → fetchers → aggregator):
Esplora first, Blockchair as fallback, each its own fetcher process. Whatever goes wrong, a
scan ends with the totals computed independently from the ledger (those of a clean run) and no
transaction counted twice — or, when every provider is gone, fails with a reason naming each.

The stack gets its own NATS and database (its consumers must not compete with the shared
stack's) and short retry/breaker/deadline settings so faults resolve in seconds."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from walletscan_platform import localstack
from walletscan_testkit.blockchair_sim import create_blockchair_app
from walletscan_testkit.chain import WalletTotals, expected_wallet_totals
from walletscan_testkit.esplora_sim import FaultPlan, FaultRule, create_esplora_app, run_server
from walletscan_testkit.stack import (
    Infrastructure,
    RunningProcess,
    ServiceStack,
    nats_beside,
    service_stack,
    start_process,
)

from tests.e2e.client import ApiUser
from tests.e2e.worlds import ZPUB, Wallet

ADDRESSES_ROUTE = "/{chain_name:path}/dashboards/addresses/{addresses}"


@dataclass
class Providers:
    esplora: FastAPI
    esplora_urls: list[str]  # two listening sockets on one simulator (replica test)
    blockchair: FastAPI

    @property
    def esplora_faults(self) -> FaultPlan:
        plan: FaultPlan = self.esplora.state.faults
        return plan

    @property
    def blockchair_faults(self) -> FaultPlan:
        plan: FaultPlan = self.blockchair.state.faults
        return plan

    def reset(self) -> None:
        for app in (self.esplora, self.blockchair):
            app.state.faults.clear()
            app.state.stats.reset()


@pytest.fixture(scope="module")
def providers(wallet: Wallet) -> Iterator[Providers]:
    esplora = create_esplora_app(wallet.chain)
    blockchair = create_blockchair_app(wallet.chain)
    with run_server(esplora) as e1, run_server(esplora) as e2, run_server(blockchair) as b:
        blockchair.state.url = b
        yield Providers(esplora, [e1, e2], blockchair)


@pytest.fixture(scope="module")
def own_nats(
    tmp_path_factory: pytest.TempPathFactory, infra: Infrastructure
) -> Iterator[Infrastructure]:
    """A NATS of its own (these consumers must not compete with the shared stack's)."""
    with nats_beside(infra, tmp_path_factory.mktemp("fallback")) as own:
        yield own


@pytest.fixture(scope="module")
def fallback_stack(own_nats: Infrastructure, providers: Providers) -> Iterator[ServiceStack]:
    env = {
        "WALLETSCAN_FETCHER_PROVIDERS": "esplora,blockchair",
        "WALLETSCAN_PROVIDERS_BITCOIN": "esplora,blockchair",
        "WALLETSCAN_ESPLORA_BITCOIN_URL": providers.esplora_urls[0],
        "WALLETSCAN_BLOCKCHAIR_URL": providers.blockchair.state.url,
        "WALLETSCAN_REQUESTS_PER_SECOND": "1000",
        "WALLETSCAN_CONCURRENCY": "4",
        "WALLETSCAN_RETRY_ATTEMPTS": "3",
        "WALLETSCAN_RETRY_WAIT_INITIAL_SECONDS": "0.05",
        "WALLETSCAN_RETRY_WAIT_MAX_SECONDS": "0.2",
        "WALLETSCAN_RETRY_TIMEOUT_SECONDS": "10",
        "WALLETSCAN_BREAKER_FAIL_MAX": "3",
        "WALLETSCAN_BREAKER_RESET_SECONDS": "2",
        "WALLETSCAN_CALL_DEADLINE_SECONDS": "2",
        "WALLETSCAN_HTTP_TIMEOUT_SECONDS": "1",
    }
    with service_stack(own_nats, env=env) as running:
        yield running


@pytest.fixture
async def fb_user(fallback_stack: ServiceStack, providers: Providers) -> AsyncIterator[ApiUser]:
    providers.reset()
    api = ApiUser(fallback_stack.gateway_url)
    await api.sign_up_and_in()
    yield api
    await api.aclose()
    providers.reset()


async def scan(user: ApiUser, **body: Any) -> dict[str, Any]:
    r = await user.start_scan(**body)
    assert r.status_code == 202, r.text
    scan_id = r.json()["id"]
    await user.follow(scan_id, timeout=60)
    return await user.scan(scan_id)


async def assert_clean_result(
    user: ApiUser, result: dict[str, Any], expected: WalletTotals, stack: ServiceStack
) -> None:
    assert result["status"] == "completed", (result, stack.logs())
    summary = result["summary"]
    assert int(summary["balance"]) == expected.balance
    assert int(summary["total_received"]) == expected.total_received
    assert int(summary["total_sent"]) == expected.total_sent
    assert int(summary["total_fees"]) == expected.total_fees
    assert summary["tx_count"] == expected.tx_count
    assert summary["reconciled"] is True
    txs = await user.all_transactions(result["id"], page_size=100)
    ids = [t["txid"] for t in txs]
    assert len(ids) == len(set(ids)) == expected.tx_count  # nothing counted twice
    assert {t["txid"]: int(t["delta"]) for t in txs} == expected.deltas


def expected_for(wallet: Wallet) -> WalletTotals:
    return expected_wallet_totals(wallet.chain, wallet.addresses(include_far=False))


async def test_two_replicas_share_the_work_and_fetch_nothing_twice(
    fb_user: ApiUser, fallback_stack: ServiceStack, providers: Providers, wallet: Wallet
) -> None:
    """A second fetcher-esplora (its own socket on the same simulator, so each replica's
    requests can be told apart) joins the durable consumer; then it is stopped with SIGTERM."""
    env = {k: v for k, v in fallback_stack.env.items() if k.startswith("WALLETSCAN_")}
    env["WALLETSCAN_ESPLORA_BITCOIN_URL"] = providers.esplora_urls[1]
    argv = [sys.executable, "-m", "walletscan_fetcher", "--provider", "esplora"]
    replica: RunningProcess = start_process(
        localstack.Process("fetcher-esplora-2", argv, env),
        fallback_stack.log_dir,
        dict(os.environ),
    )
    try:
        await wait_until_started(replica)
        providers.esplora.state.latency_seconds = 0.03  # spread the work over both
        result = await scan(fb_user, input=ZPUB)
        await assert_clean_result(fb_user, result, expected_for(wallet), fallback_stack)
        stats = providers.esplora.state.stats
        summaries = {p: n for p, n in stats.by_path.items() if p.count("/") == 2}
        assert summaries and set(summaries.values()) == {1}, summaries  # each address once
        ports = [int(u.rsplit(":", 1)[1]) for u in providers.esplora_urls]
        assert all(stats.by_port[p] > 0 for p in ports), stats.by_port  # both worked
        assert providers.blockchair.state.stats.total == 0
    finally:
        providers.esplora.state.latency_seconds = 0.0
        replica.popen.terminate()  # graceful: FastStream drains, the batcher flushes
        assert replica.popen.wait(20) == 0, replica.log_tail()


async def wait_until_started(proc: RunningProcess, timeout: float = 30) -> None:
    """Until FastStream reports the process consuming (its pull loop is then running)."""
    deadline = time.monotonic() + timeout
    while "started successfully" not in proc.log_tail(200):
        assert proc.popen.poll() is None, proc.log_tail()
        if time.monotonic() > deadline:
            raise TimeoutError(proc.log_tail())
        await asyncio.sleep(0.05)


async def test_transient_faults_are_retried_with_identical_totals(
    fb_user: ApiUser, fallback_stack: ServiceStack, providers: Providers, wallet: Wallet
) -> None:
    plan = providers.esplora_faults
    # Rules are taken in order: the first requests trickle, then a burst of 429s, then 500s.
    drip = plan.add(FaultRule.slow_drip(0.1, 1))  # a 200 trickling in: only the deadline ends it
    burst = plan.add(FaultRule.rate_limited(4, retry_after=0.2))
    plan.add(FaultRule.server_error(2, status=500))
    plan.add(FaultRule.garbage_json(2, path=r"/txs/chain"))
    plan.add(FaultRule.html_page(2, status=502))
    plan.add(FaultRule.hang_for(3.0, 1, path=r"/utxo$"))  # beyond the per-read timeout
    result = await scan(fb_user, input=ZPUB)
    await assert_clean_result(fb_user, result, expected_for(wallet), fallback_stack)
    # Whether later faults reach Esplora or the breaker (3 failures in a row) has sent their
    # addresses to Blockchair first depends on timing; the first ones always happen.
    assert drip.fired == 1 and burst.fired >= 3, plan.rules
    assert sum(r.fired for r in plan.rules) >= 4, plan.rules


async def test_provider_down_from_the_start_falls_back_to_blockchair(
    fb_user: ApiUser, fallback_stack: ServiceStack, providers: Providers, wallet: Wallet
) -> None:
    providers.esplora_faults.add(FaultRule.down())
    result = await scan(fb_user, input=ZPUB)
    await assert_clean_result(fb_user, result, expected_for(wallet), fallback_stack)
    blockchair = providers.blockchair.state.stats
    assert blockchair.by_route[ADDRESSES_ROUTE] > 0
    # Batching: far fewer address requests than addresses scanned.
    assert blockchair.by_route[ADDRESSES_ROUTE] < result["summary"]["scanned_address_count"]


async def test_provider_dying_mid_scan_falls_back(
    fb_user: ApiUser, fallback_stack: ServiceStack, providers: Providers, wallet: Wallet
) -> None:
    # The previous test left Esplora's breaker open; its reset is a clock (2 s here), not an
    # event, so wait it out to start this scan with Esplora in use.
    await asyncio.sleep(2.1)
    providers.esplora_faults.add(FaultRule("status", 1_000_000, None, status=503, skip=10))
    result = await scan(fb_user, input=ZPUB)
    await assert_clean_result(fb_user, result, expected_for(wallet), fallback_stack)
    assert providers.esplora.state.stats.faults["status"] > 0  # it did die
    assert providers.blockchair.state.stats.by_route[ADDRESSES_ROUTE] > 0  # and was replaced


async def test_every_provider_gone_fails_the_scan_with_each_reason(
    fb_user: ApiUser, fallback_stack: ServiceStack, providers: Providers, wallet: Wallet
) -> None:
    providers.esplora_faults.add(FaultRule.down())
    providers.blockchair_faults.add(
        FaultRule(
            "status",
            1_000_000,
            None,
            status=402,
            body='{"data":null,"context":{"code":402,"error":"Limit exceeded"}}',
        )
    )
    result = await scan(fb_user, input=wallet.receive[1])
    assert result["status"] == "failed", result
    error = result["error"]
    assert "no provider could fetch" in error
    assert "esplora:" in error and "blockchair: limit reached (code 402)" in error
