"""Requests and time per provider to fetch a simulated wallet of N addresses (default 1,000)
at 50 ms latency per request and a 10 requests/second limit (issue 4).

Each provider's simulator serves the same ledger; its real client runs behind the real
resilience wrapper (rate limiter, concurrency 8, retries, breaker), and Blockchair behind the
fetcher's micro-batcher (100 addresses a request). This is the fetch stage of a scan in one
process — every address once, as a fetcher replica would — without NATS or the aggregator.
The numbers of every provider are checked to be identical before the table is printed.

    .venv/bin/python bench/providers.py [--addresses 1000] [--used 0.1] [--rate 10]
        [--latency 0.05] [--providers esplora,blockchair,tatum,electrum]

Requests are HTTP requests (Electrum: JSON-RPC calls). Time is roughly requests / rate once
the rate limit binds, so fewer addresses give a quick run that scales linearly.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from walletscan_contracts.chains import Network, ScriptType
from walletscan_fetcher.batching import AddressBatcher
from walletscan_fetcher.providers import AddressReport, Provider
from walletscan_fetcher.providers.blockchair import BlockchairClient
from walletscan_fetcher.providers.electrum import ElectrumClient
from walletscan_fetcher.providers.esplora import EsploraClient
from walletscan_fetcher.providers.tatum import TatumClient
from walletscan_fetcher.resilience import (
    ResiliencePolicy,
    ResilientProvider,
    rate_limited_http,
    rate_limiter,
)
from walletscan_keys import derive_addresses
from walletscan_testkit.blockchair_sim import create_blockchair_app
from walletscan_testkit.chain import SimChain
from walletscan_testkit.electrum_sim import ElectrumSim
from walletscan_testkit.esplora_sim import create_esplora_app, serve_async
from walletscan_testkit.tatum_sim import create_tatum_app

BTC = Network.BITCOIN
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31"
    "mGDtKsAYz2oz2AGutZYs"
)
OUTSIDER = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def build_wallet(count: int, used_share: float) -> tuple[SimChain, list[str]]:
    """`count` receive addresses; every 1/used_share-th is used: 3 payments in, and every
    other used one spends one of them to an outsider."""
    chain = SimChain(BTC, tip_height=100)
    addresses = [d.address for d in derive_addresses(ZPUB, ScriptType.P2WPKH, 0, 0, count)]
    step = max(1, round(1 / used_share)) if used_share > 0 else count + 1
    height = 101
    for n, address in enumerate(addresses[::step]):
        coins = [chain.fund(address, 50_000 + i, height=height + i) for i in range(3)]
        height += 3
        if n % 2 == 0:
            chain.send([coins[0]], [(OUTSIDER, 40_000), (address, 9_000)], fee=1_000, height=height)
            height += 1
    return chain, addresses


@dataclass
class Row:
    provider: str
    requests: int
    seconds: float
    cost: float | None = None


async def run_one(
    name: str, chain: SimChain, addresses: list[str], args: argparse.Namespace
) -> Row:
    policy = ResiliencePolicy(concurrency=8, retry_attempts=3)
    limiter = rate_limiter(args.rate)
    http = rate_limited_http(limiter, 30)
    electrum_sim = ElectrumSim(chain, latency_seconds=args.latency)
    apps = {
        "esplora": lambda: create_esplora_app(chain, latency_seconds=args.latency),
        "blockchair": lambda: create_blockchair_app(chain, latency_seconds=args.latency),
        "tatum": lambda: create_tatum_app(chain, api_key="k", latency_seconds=args.latency),
    }
    cost: float | None = None
    try:
        if name == "electrum":
            async with electrum_sim.serve() as url:
                client: Provider = ElectrumClient({BTC: url}, limiter=limiter, deadline_seconds=600)
                seconds = await timed_fetch(
                    ResilientProvider(client, policy), addresses, batch=False
                )
                await client.aclose()
            return Row(name, sum(electrum_sim.stats.calls.values()), seconds)
        app = apps[name]()
        async with serve_async(app) as url:
            if name == "esplora":
                client = EsploraClient({BTC: url}, http=http, deadline_seconds=600)
            elif name == "blockchair":
                client = BlockchairClient(url, http=http, deadline_seconds=600)
            else:
                client = TatumClient(url, {BTC: "k"}, http=http, deadline_seconds=600)
            wrapped = ResilientProvider(client, policy)
            seconds = await timed_fetch(wrapped, addresses, batch=wrapped.max_batch > 1)
        if name == "blockchair":
            cost = float(app.state.stats.cost)
        return Row(name, int(app.state.stats.total), seconds, cost)
    finally:
        await http.aclose()


REPORTS: dict[str, dict[str, AddressReport]] = {}


async def timed_fetch(provider: ResilientProvider, addresses: list[str], *, batch: bool) -> float:
    fetch: Callable[[str], object]
    if batch:
        batcher = AddressBatcher(
            provider.fetch_addresses, max_batch=provider.max_batch, linger_seconds=0.05
        )
        fetch = lambda a: batcher.fetch(a, BTC)  # noqa: E731
    else:
        fetch = lambda a: provider.fetch_address(a, BTC)  # noqa: E731
    started = time.perf_counter()
    reports = await asyncio.gather(*(fetch(a) for a in addresses))  # type: ignore[call-overload]
    elapsed = time.perf_counter() - started
    REPORTS[provider.name] = dict(zip(addresses, reports, strict=True))
    return elapsed


def canonical(r: AddressReport) -> tuple[object, ...]:
    return (
        r.summary,
        sorted(r.txs, key=lambda t: t.txid),
        sorted(r.utxos, key=lambda u: (u.txid, u.vout)),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addresses", type=int, default=1000)
    parser.add_argument("--used", type=float, default=0.1, help="share of used addresses")
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--providers", default="esplora,blockchair,tatum,electrum")
    args = parser.parse_args()
    chain, addresses = build_wallet(args.addresses, args.used)
    used = sum(1 for a in addresses if chain.knows(a))
    print(
        f"wallet: {len(addresses)} addresses, {used} used, {chain.tx_count} txs; "
        f"latency {args.latency * 1000:g} ms, limit {args.rate:g} req/s, concurrency 8\n"
    )
    rows = [await run_one(p.strip(), chain, addresses, args) for p in args.providers.split(",")]
    names = list(REPORTS)
    for name in names[1:]:
        for a in addresses:
            assert canonical(REPORTS[name][a]) == canonical(REPORTS[names[0]][a]), (name, a)
    print(f"{'provider':<12}{'requests':>10}{'req/address':>13}{'seconds':>10}  note")
    for row in rows:
        note = f"{row.cost:g} request points" if row.cost is not None else ""
        print(
            f"{row.provider:<12}{row.requests:>10}{row.requests / len(addresses):>13.2f}"
            f"{row.seconds:>10.1f}  {note}"
        )
    print(f"\nrecords identical across {', '.join(names)}: yes")


if __name__ == "__main__":
    asyncio.run(main())
