"""The one resilience wrapper (breaker, retries, quota), the fallback decision and the
micro-batcher, with fake providers: no network."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pybreaker
import pytest
from walletscan_contracts.chains import Network
from walletscan_contracts.events import AddressSummary, FetchAddress
from walletscan_contracts.providers import fallback_order, next_provider, parse_order
from walletscan_fetcher.batching import AddressBatcher
from walletscan_fetcher.providers import (
    AddressReport,
    PermanentProviderError,
    QuotaExhausted,
    TransientProviderError,
)
from walletscan_fetcher.resilience import ProviderUnavailable, ResiliencePolicy, ResilientProvider
from walletscan_fetcher.service import exhausted_reason, reroute
from walletscan_fetcher.settings import FetcherSettings

BTC = Network.BITCOIN


def report(address: str) -> AddressReport:
    summary = AddressSummary(
        address=address,
        chain_funded=0,
        chain_spent=0,
        mempool_funded=0,
        mempool_spent=0,
        chain_tx_count=0,
        mempool_tx_count=0,
    )
    return AddressReport(summary=summary, txs=[], utxos=[], tip_height=1)


class Scripted:
    """A provider whose next answers are scripted: an exception to raise, or None = success.
    `gate` (when set) holds every call until released, to observe concurrency."""

    name = "fake"
    networks = frozenset({BTC})

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def fetch_address(self, address: str, network: Network) -> AddressReport:
        self.calls += 1
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return report(address)

    async def aclose(self) -> None:
        return None


def wrap(provider: Scripted, **policy: float) -> ResilientProvider:
    defaults: dict[str, float] = {
        "retry_attempts": 1,
        "retry_wait_initial_seconds": 0.0,
        "retry_wait_max_seconds": 0.0,
        "breaker_fail_max": 3,
        "breaker_reset_seconds": 0.05,
    }
    return ResilientProvider(provider, ResiliencePolicy(**{**defaults, **policy}))  # type: ignore[arg-type]


def boom() -> TransientProviderError:
    return TransientProviderError("HTTP 500", provider="fake", status_code=500)


async def test_breaker_counts_failures_then_opens() -> None:
    provider = Scripted(boom(), boom(), boom())
    wrapped = wrap(provider)
    for expected in (1, 2):
        with pytest.raises(TransientProviderError):
            await wrapped.fetch_address("a", BTC)
        assert wrapped.breaker.fail_counter == expected
        assert wrapped.breaker.current_state == pybreaker.STATE_CLOSED
    with pytest.raises(ProviderUnavailable):  # the third failure trips it
        await wrapped.fetch_address("a", BTC)
    assert wrapped.breaker.current_state == pybreaker.STATE_OPEN
    with pytest.raises(ProviderUnavailable):  # open: the provider is not even called
        await wrapped.fetch_address("a", BTC)
    assert provider.calls == 3


async def test_half_open_lets_exactly_one_probe_through() -> None:
    provider = Scripted(boom(), boom(), boom())
    wrapped = wrap(provider)
    for _ in range(3):
        with pytest.raises((TransientProviderError, ProviderUnavailable)):
            await wrapped.fetch_address("a", BTC)
    assert wrapped.breaker.current_state == pybreaker.STATE_OPEN
    await asyncio.sleep(0.06)  # past breaker_reset_seconds: the next call may probe
    provider.gate = asyncio.Event()
    provider.entered.clear()
    probe = asyncio.create_task(wrapped.fetch_address("probe", BTC))
    await provider.entered.wait()  # the probe has reached the provider
    assert wrapped.breaker.current_state == pybreaker.STATE_HALF_OPEN
    others = await asyncio.gather(
        *(wrapped.fetch_address(f"x{i}", BTC) for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(e, ProviderUnavailable) for e in others), others
    assert provider.calls == 4  # only the probe reached the provider
    provider.gate.set()
    assert (await probe).summary.address == "probe"
    assert wrapped.breaker.current_state == pybreaker.STATE_CLOSED
    await wrapped.fetch_address("after", BTC)  # closed again: calls flow
    assert provider.calls == 5


async def test_a_failed_probe_reopens_the_breaker() -> None:
    provider = Scripted(boom(), boom(), boom(), boom())
    wrapped = wrap(provider)
    for _ in range(3):
        with pytest.raises((TransientProviderError, ProviderUnavailable)):
            await wrapped.fetch_address("a", BTC)
    await asyncio.sleep(0.06)
    with pytest.raises(ProviderUnavailable):
        await wrapped.fetch_address("probe", BTC)
    assert wrapped.breaker.current_state == pybreaker.STATE_OPEN
    assert provider.calls == 4


async def test_refusals_of_the_input_do_not_trip_the_breaker() -> None:
    provider = Scripted(*(PermanentProviderError("bad address") for _ in range(5)))
    wrapped = wrap(provider)
    for _ in range(5):
        with pytest.raises(PermanentProviderError):
            await wrapped.fetch_address("a", BTC)
    assert wrapped.breaker.current_state == pybreaker.STATE_CLOSED
    assert wrapped.breaker.fail_counter == 0


async def test_quota_exhausted_opens_the_breaker_at_once_without_retrying() -> None:
    provider = Scripted(QuotaExhausted("402"))
    wrapped = wrap(provider, retry_attempts=5)
    with pytest.raises(QuotaExhausted):
        await wrapped.fetch_address("a", BTC)
    assert provider.calls == 1
    assert wrapped.breaker.current_state == pybreaker.STATE_OPEN


async def test_transient_errors_are_retried_honouring_retry_after() -> None:
    provider = Scripted(
        TransientProviderError("429", status_code=429, retry_after=0.01), boom(), None
    )
    wrapped = wrap(provider, retry_attempts=3, breaker_fail_max=10)
    assert (await wrapped.fetch_address("a", BTC)).summary.address == "a"
    assert provider.calls == 3


# --------------------------------------------------------------------------- fallback order


def command(**extra: object) -> FetchAddress:
    return FetchAddress(
        scan_id="s1", network=BTC, address="bc1qabc", track_id="p2wpkh-0", index=7, **extra
    )  # type: ignore[arg-type]


def test_reroute_goes_down_the_order_and_records_attempts() -> None:
    order = ["esplora", "blockchair", "tatum"]
    first = reroute(command(), current="esplora", order=order, reason="breaker open")
    assert first is not None
    assert first.provider == "blockchair"
    assert first.command.attempts == ["esplora"]
    assert first.command.failures == ["esplora: breaker open"]
    assert first.msg_id == "s1:fetch:blockchair:p2wpkh-0:7"  # deterministic, per provider
    second = reroute(first.command, current="blockchair", order=order, reason="HTTP 402")
    assert second is not None and second.provider == "tatum"
    assert second.command.attempts == ["esplora", "blockchair"]
    assert reroute(second.command, current="tatum", order=order, reason="x") is None
    reason = exhausted_reason(second.command, current="tatum", reason="401")
    assert reason == (
        "no provider could fetch bc1qabc on bitcoin; tried esplora: breaker open; "
        "blockchair: HTTP 402; tatum: 401"
    )


def test_reroute_never_returns_to_a_provider_already_tried() -> None:
    cmd = command(attempts=["blockchair"], failures=["blockchair: down"])
    got = reroute(cmd, current="esplora", order=["blockchair", "esplora"], reason="down")
    assert got is None


def test_fallback_order_defaults_to_the_configured_providers() -> None:
    assert parse_order(" Esplora, blockchair,esplora ,") == ["esplora", "blockchair"]
    assert fallback_order(BTC, "tatum,esplora") == ["tatum", "esplora"]
    assert fallback_order(BTC, "", {"esplora", "blockchair"}) == ["esplora", "blockchair"]
    assert next_provider(["a", "b"], ["a"]) == "b"
    settings = FetcherSettings(tatum_api_key="k", electrum_bitcoin_url="tcp://h:50001")
    assert settings.provider_order(BTC) == ["esplora", "blockchair", "electrum", "tatum"]
    bare = FetcherSettings()
    assert bare.provider_order(BTC) == ["esplora", "blockchair"]
    assert bare.provider_order(Network.LITECOIN) == ["blockchair"]
    assert FetcherSettings(providers_bitcoin="blockchair").provider_order(BTC) == ["blockchair"]
    # Only to fetchers that run (the local runner says which).
    assert FetcherSettings(fetcher_providers="esplora").provider_order(BTC) == ["esplora"]


# --------------------------------------------------------------------------- micro-batching


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.fail: Exception | None = None

    async def __call__(
        self, addresses: Sequence[str], network: Network
    ) -> dict[str, AddressReport]:
        self.batches.append(list(addresses))
        if self.fail is not None:
            raise self.fail
        return {a: report(a) for a in addresses}


async def test_batcher_fills_batches_and_flushes_a_lone_address_after_linger() -> None:
    rec = Recorder()
    batcher = AddressBatcher(rec, max_batch=3, linger_seconds=0.01)
    got = await asyncio.gather(*(batcher.fetch(f"a{i}", BTC) for i in range(7)))
    assert [r.summary.address for r in got] == [f"a{i}" for i in range(7)]
    assert sorted(len(b) for b in rec.batches) == [1, 3, 3]


async def test_batcher_asks_once_for_a_repeated_address_and_shares_failures() -> None:
    rec = Recorder()
    batcher = AddressBatcher(rec, max_batch=10, linger_seconds=0.01)
    one, two = await asyncio.gather(batcher.fetch("a", BTC), batcher.fetch("a", BTC))
    assert one is two and rec.batches == [["a"]]
    rec.fail = QuotaExhausted("402")
    results = await asyncio.gather(
        batcher.fetch("b", BTC), batcher.fetch("c", BTC), return_exceptions=True
    )
    assert all(isinstance(r, QuotaExhausted) for r in results)


async def test_batcher_keeps_networks_apart() -> None:
    rec = Recorder()
    batcher = AddressBatcher(rec, max_batch=10, linger_seconds=0.01)
    await asyncio.gather(batcher.fetch("a", BTC), batcher.fetch("t", Network.BITCOIN_TESTNET))
    assert sorted(rec.batches) == [["a"], ["t"]]
