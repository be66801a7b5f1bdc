"""Scan benchmark: the whole stack scanning a simulated 1,000-address / 10,000-transaction wallet.

Starts what the end-to-end tests start (a real NATS with JetStream, nx-27017, every walletscan
service as its own process: `walletscan_testkit.stack`), an Esplora simulator that answers each
request after `--latency` seconds, builds a BIP84 wallet on a simulated chain (addresses derived
with bip_utils from the BIP84 test-vector zpub; incoming payments from outsiders, spends with
change, consolidations, self-transfers, a few unconfirmed transactions), signs a user up through
the gateway, scans the zpub, follows the WebSocket to the end and prints what it measured.

    .venv/bin/python bench/scan.py                      # or: make bench
    .venv/bin/python bench/scan.py --addresses 200 --txs 2000 --concurrency 16

How "time waiting on the provider" is measured (see bench/README.md): the simulator is wrapped
in a timing middleware that records the start and end of every request (the injected latency
included). From those intervals:

- provider busy time: the union of the intervals (time with >= 1 request in flight);
- sum of request durations, and the mean number of requests in flight;
- provider-bound time = sum of durations / fetcher concurrency: the shortest the scan could take
  if the fetcher always had `--concurrency` requests in flight (each address's requests are
  sequential: summary, history pages, utxos) and nothing else cost anything;
- pipeline overhead = scan wall time - provider-bound time.

The benchmark prints figures only. It exits non-zero when the scan fails or its totals differ
from `walletscan_testkit.chain.expected_wallet_totals`, never because of a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import websockets
from bip_utils import Bip44Changes, Bip84, Bip84Coins
from walletscan_contracts.chains import Network
from walletscan_contracts.streams import FETCH_JOBS, SCAN_EVENTS, SCAN_PROGRESS, fetch_consumer
from walletscan_testkit.chain import Outpoint, SimChain, WalletTotals, expected_wallet_totals
from walletscan_testkit.esplora_sim import create_esplora_app, run_server
from walletscan_testkit.stack import Infrastructure, ServiceStack, infrastructure, service_stack

# BIP84 test vector account key (m/84'/0'/0' of the BIP84 mnemonic), as in tests/e2e/worlds.py.
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31"
    "mGDtKsAYz2oz2AGutZYs"
)
OUTSIDER_SEED = bytes(range(32))  # counterparties' wallet, as in tests/e2e/worlds.py
ORIGIN = "http://127.0.0.1:3000"
PASSWORD = "correct horse battery staple 42"
DEFAULT_CONCURRENCY = 8  # FetcherSettings.concurrency
DEFAULT_REQUESTS_PER_SECOND = 100_000.0  # far above what the simulator can serve: no limit

# ------------------------------------------------------------------------------ the wallet


def derive(key: Bip84, branch: int, count: int) -> list[str]:
    chain = key.Change(Bip44Changes.CHAIN_EXT if branch == 0 else Bip44Changes.CHAIN_INT)
    return [chain.AddressIndex(i).PublicKey().ToAddress() for i in range(count)]


@dataclass
class World:
    chain: SimChain
    receive: list[str]
    change: list[str]
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def wallet_addresses(self) -> list[str]:
        return [*self.receive, *self.change]


def build_world(
    addresses: int,
    txs: int,
    *,
    seed: int = 84,
    receive_share: float = 0.75,
    spend_share: float = 0.3,
    unconfirmed: int = 8,
    zipf: float = 0.9,
    txs_per_block: int = 4,
) -> World:
    """A wallet with exactly `addresses` used addresses (receive 0..R-1 and change 0..C-1, no
    gaps, so the default gap limit finds them all) and exactly `txs` wallet transactions.

    Incoming payments come from outsiders (real inputs with prevouts); the wallet hands out
    receive addresses in order over time and people pay reused addresses with a Zipf-like skew
    (so a few addresses have hundreds of transactions and need many history pages). Spends take
    1-3 wallet UTXOs (sometimes 5-12: consolidations), pay an outsider (sometimes a receive
    address of the wallet: self-transfers) and send change to the change chain (cycling through
    it, so change addresses are reused). The last `unconfirmed` transactions stay in the mempool.
    """
    if addresses < 2:
        raise SystemExit("--addresses must be at least 2 (one receive, one change)")
    rng = random.Random(seed)
    n_receive = max(1, min(addresses - 1, round(addresses * receive_share)))
    n_change = addresses - n_receive
    n_spends = max(n_change, round(txs * spend_share))
    n_incoming = txs - n_spends
    if n_incoming < n_receive:
        raise SystemExit(
            f"{txs} transactions cannot use {addresses} addresses: need at least "
            f"{n_receive} incoming payments plus {n_change} spends"
        )
    account = Bip84.FromExtendedKey(ZPUB, Bip84Coins.BITCOIN)
    receive = derive(account, 0, n_receive)
    change = derive(account, 1, n_change)
    outsider_account = Bip84.FromSeed(OUTSIDER_SEED, Bip84Coins.BITCOIN).Purpose().Coin()
    outsiders = derive(outsider_account.Account(0), 0, 60)
    payers, payees = outsiders[:20], outsiders[20:]

    chain = SimChain(Network.BITCOIN, tip_height=0)
    height = 1
    # Outsiders paying the wallet: each holds one big coin and pays out of it, change to itself.
    payer_coins: list[tuple[Outpoint, int]] = [
        (chain.fund(p, 10**15, height=height), 10**15) for p in payers
    ]
    height += 1

    # Receive-address popularity: Zipf weights over a random ranking.
    ranks = list(range(n_receive))
    rng.shuffle(ranks)
    cumulative = list(itertools.accumulate(1.0 / (r + 1) ** zipf for r in ranks))

    pool: list[tuple[Outpoint, int]] = []  # the wallet's spendable coins
    kinds: Counter[str] = Counter()
    next_fresh = 0
    change_cursor = 0
    spends_done = incoming_done = 0

    def take_inputs(n: int) -> list[tuple[Outpoint, int]]:
        taken = []
        for _ in range(min(n, len(pool))):
            i = rng.randrange(len(pool))
            pool[i], pool[-1] = pool[-1], pool[i]
            taken.append(pool.pop())
        return taken

    for k in range(txs):
        confirmed = k < txs - unconfirmed
        if confirmed and k % txs_per_block == 0 and k > 0:
            height += rng.randint(1, 60)
        tx_height = height if confirmed else None
        remaining = txs - k
        must_spend = incoming_done == n_incoming
        spend = bool(pool) and (must_spend or rng.random() < (n_spends - spends_done) / remaining)
        if not spend:
            # An incoming payment.
            fresh_left = n_receive - next_fresh
            if next_fresh == 0 or rng.random() < fresh_left / (n_incoming - incoming_done):
                address = receive[next_fresh]
                next_fresh += 1
            else:
                x = rng.random() * cumulative[next_fresh - 1]
                address = receive[min(bisect.bisect_left(cumulative, x), next_fresh - 1)]
            value = max(5_000, min(int(rng.lognormvariate(math.log(300_000), 1.2)), 10**10))
            p = rng.randrange(len(payers))
            coin, coin_value = payer_coins[p]
            fee = rng.randint(150, 3_000)
            rest = coin_value - value - fee
            txid = chain.send(
                [coin], [(address, value), (payers[p], rest)], fee=fee, height=tx_height
            )
            payer_coins[p] = (Outpoint(txid, 1), rest)
            pool.append((Outpoint(txid, 0), value))
            incoming_done += 1
            kinds["incoming payment"] += 1
            continue

        # A spend.
        roll = rng.random()
        if roll < 0.03:
            kind, n_inputs = "consolidation", rng.randint(5, 12)
        elif roll < 0.07:
            kind, n_inputs = "self-transfer", 1
        else:
            kind, n_inputs = "payment with change", rng.choices((1, 2, 3), (70, 20, 10))[0]
        inputs = take_inputs(n_inputs)
        total = sum(v for _, v in inputs)
        fee = max(1, min(rng.randint(110, 400) * (len(inputs) + 1), total // 4))
        change_address = change[change_cursor % n_change]
        change_cursor += 1
        available = total - fee
        payee: str | None = None
        if kind == "consolidation" or available < 2 * 546:
            kind = "consolidation" if kind == "consolidation" else "sweep to change"
            outputs: list[tuple[str | None, int]] = [(change_address, available)]
        else:
            pay = max(546, min(available - 546, int(available * rng.uniform(0.1, 0.9))))
            payee = (
                receive[rng.randrange(max(1, next_fresh))]
                if kind == "self-transfer"
                else rng.choice(payees)
            )
            outputs = [(payee, pay), (change_address, available - pay)]
            rng.shuffle(outputs)
        txid = chain.send([op for op, _ in inputs], outputs, fee=fee, height=tx_height)
        for vout, (address, value) in enumerate(outputs):
            if address == change_address or (kind == "self-transfer" and address == payee):
                pool.append((Outpoint(txid, vout), value))
        spends_done += 1
        kinds[kind] += 1

    if next_fresh != n_receive or incoming_done != n_incoming or spends_done != n_spends:
        raise AssertionError("wallet builder bookkeeping is off")  # a bug in this script
    kinds["unconfirmed (of the above)"] = min(unconfirmed, txs)
    return World(chain=chain, receive=receive, change=change, kinds=kinds)


# ------------------------------------------------------------------------------ measuring


class RequestTimer:
    """ASGI middleware (outermost, so the simulator's injected latency is included) recording
    (start, end) of every HTTP request on the shared perf_counter clock."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            INTERVALS.append((t0, time.perf_counter()))


INTERVALS: list[tuple[float, float]] = []  # list.append is atomic under the GIL


def in_flight_profile(
    intervals: list[tuple[float, float]], start: float, end: float
) -> dict[int, float]:
    """Seconds spent with k requests in flight, for every k, within [start, end]."""
    events = sorted(
        [(max(a, start), 1) for a, b in intervals if b > start and a < end]
        + [(min(b, end), -1) for a, b in intervals if b > start and a < end]
    )
    profile: Counter[int] = Counter()
    level, last = 0, start
    for t, step in events:
        profile[level] += t - last
        level += step
        last = t
    profile[level] += end - last
    return dict(profile)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def process_pids(infra: Infrastructure, stack: ServiceStack) -> dict[str, int]:
    pids = {name: p.popen.pid for name, p in infra.processes.items()}
    pids.update({name: p.popen.pid for name, p in stack.processes.items()})
    return pids


@dataclass
class QueueSample:
    t: float
    fetch_pending: int  # FETCH_JOBS messages not yet handed to a fetcher
    fetch_in_progress: int  # handed out, not yet acked
    fetched_pending: int  # fetched events the aggregator has not taken yet
    fetched_in_progress: int
    derive_pending: int


async def sample_queues(
    nats_url: str, provider: str, samples: list[QueueSample], stop: asyncio.Event
) -> None:
    """Consumer backlogs every 0.5 s: who is waiting on whom during the scan."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        while not stop.is_set():
            try:
                f = await js.consumer_info(FETCH_JOBS.name, fetch_consumer(provider))
                a = await js.consumer_info(SCAN_EVENTS.name, "aggregator-fetched")
                d = await js.consumer_info(SCAN_EVENTS.name, "derivation-derive")
                samples.append(
                    QueueSample(
                        time.perf_counter(),
                        f.num_pending or 0,
                        f.num_ack_pending or 0,
                        a.num_pending or 0,
                        a.num_ack_pending or 0,
                        (d.num_pending or 0) + (d.num_ack_pending or 0),
                    )
                )
            except Exception:  # a sample lost is only a sample lost
                pass
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
    finally:
        await nc.close()


async def stream_counts(nats_url: str, scan_id: str | None = None) -> dict[str, int]:
    """Messages ever published to each stream (last sequence), and per subject kind of one
    scan in SCAN_EVENTS."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        out: dict[str, int] = {}
        for spec in (SCAN_EVENTS, FETCH_JOBS, SCAN_PROGRESS):
            info = await js.stream_info(spec.name)
            out[spec.name] = int(info.state.last_seq or 0)
        if scan_id is not None:
            info = await js.stream_info(SCAN_EVENTS.name, subjects_filter=f"scan.{scan_id}.>")
            for subject, count in (info.state.subjects or {}).items():
                kind = subject.split(".", 2)[2]
                out[f"{SCAN_EVENTS.name} {kind}"] = out.get(f"{SCAN_EVENTS.name} {kind}", 0) + (
                    count
                )
        return out
    finally:
        await nc.close()


# ------------------------------------------------------------------------------ profiling


@contextlib.contextmanager
def py_spy(
    py_spy_bin: str | None, out_dir: Path, pids: dict[str, int], names: list[str], rate: int
) -> Iterator[dict[str, Path]]:
    """`py-spy record` on the named processes while the block runs (raw collapsed stacks)."""
    if py_spy_bin is None:
        yield {}
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen[bytes]] = []
    outputs: dict[str, Path] = {}
    for name in names:
        if name not in pids:
            continue
        path = out_dir / f"{name}.txt"
        outputs[name] = path
        procs.append(
            subprocess.Popen(
                [
                    py_spy_bin,
                    "record",
                    "--pid",
                    str(pids[name]),
                    "--rate",
                    str(rate),
                    "--format",
                    "raw",
                    "--output",
                    str(path),
                    "--nonblocking",
                    "--threads",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(out_dir / f"{name}.py-spy.log").open("wb"),
            )
        )
    time.sleep(1.0)  # let py-spy attach before the scan starts
    try:
        yield outputs
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


INTERESTING_FRAMES = ("walletscan_", "nx_27017/handler.py", "neosqlite/", "httpx/_client.py")
BORING_FRAMES = ("walletscan_platform/service.py", "__main__.py", "<module>", "_serialize")


def summarize_profile(path: Path, top: int) -> list[str]:
    """Top frames of a py-spy raw (collapsed) profile: the share of samples in which a function
    of walletscan, nx-27017/neosqlite or httpx is on the stack (each function counted once per
    stack). Framework and event-loop frames are left out; samples whose innermost frame waits in
    the event loop or on a lock are counted as idle."""
    if not path.exists():
        return [f"  (no profile at {path})"]
    inclusive: Counter[str] = Counter()
    total = idle = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        leaf = frames[-1]
        if any(w in leaf for w in ("select (", "poll (", "_run_once", "wait (threading")):
            idle += count
            continue
        for frame in set(frames):
            if any(s in frame for s in INTERESTING_FRAMES) and not any(
                s in frame for s in BORING_FRAMES
            ):
                inclusive[frame] += count
    if total == 0:
        return ["  (no samples)"]
    lines = [f"  samples {total:,}, idle {100 * idle / total:.0f}%"]
    for frame, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {frame[:150]}")
    return lines


# ------------------------------------------------------------------------------ the client


class User:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=600.0)
        self.email = f"bench-{uuid.uuid4().hex[:8]}@example.com"

    async def sign_up_and_in(self) -> None:
        r = await self.http.post(
            "/api/auth/register", json={"email": self.email, "password": PASSWORD}
        )
        r.raise_for_status()
        await self.sign_in()

    async def sign_in(self) -> None:
        """Log in (again: a long scan outlives the 15-minute access token)."""
        r = await self.http.post(
            "/api/auth/login", json={"email": self.email, "password": PASSWORD}
        )
        r.raise_for_status()

    async def start_scan(self, **body: Any) -> str:
        token = self.http.cookies.get("walletscan_csrf") or ""
        r = await self.http.post("/api/scans", json=body, headers={"X-CSRF-Token": token})
        if r.status_code != 202:
            raise RuntimeError(f"POST /api/scans: {r.status_code} {r.text}")
        return str(r.json()["id"])

    async def follow(self, scan_id: str, timeout: float) -> list[tuple[float, dict[str, Any]]]:
        """Every WebSocket message with its arrival time; a line on stdout every 30 s."""
        url = self.base_url.replace("http://", "ws://") + f"/api/scans/{scan_id}/events"
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        messages: list[tuple[float, dict[str, Any]]] = []
        start = last_print = time.perf_counter()
        async with (
            websockets.connect(
                url, additional_headers={"Cookie": cookie}, origin=ORIGIN, open_timeout=10
            ) as ws,
            asyncio.timeout(timeout),
        ):
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                messages.append((now, message))
                if now - last_print >= 30:
                    last_print = now
                    print(
                        f"  +{now - start:6.0f} s  {message.get('phase')}: "
                        f"{message.get('addresses_fetched')}/{message.get('addresses_derived')} "
                        "addresses fetched",
                        flush=True,
                    )
        return messages

    async def scan(self, scan_id: str) -> dict[str, Any]:
        r = await self.http.get(f"/api/scans/{scan_id}")
        r.raise_for_status()
        return dict(r.json())

    async def aclose(self) -> None:
        await self.http.aclose()


# ------------------------------------------------------------------------------ the run


@dataclass
class RunResult:
    scan_id: str
    t_post: float
    t_end: float
    messages: list[tuple[float, dict[str, Any]]]
    scan: dict[str, Any]
    cpu: dict[str, float]
    streams_before: dict[str, int]
    streams_after: dict[str, int]
    queue_samples: list[QueueSample]
    profiles: dict[str, Path]
    figures: dict[str, Any] = field(default_factory=dict)


async def run_scan(
    args: argparse.Namespace,
    infra: Infrastructure,
    stack: ServiceStack,
    profile_dir: Path | None,
) -> RunResult:
    user = User(stack.gateway_url)
    try:
        await user.sign_up_and_in()
        pids = process_pids(infra, stack)
        streams_before = await stream_counts(infra.nats_url)
        spy_bin = args.py_spy if profile_dir is not None else None
        names = ["aggregator", "fetcher-esplora", "mongodb", "derivation", "gateway"]
        with py_spy(spy_bin, profile_dir or Path(), pids, names, args.profile_rate) as profiles:
            cpu_before = {n: cpu_seconds(p) for n, p in pids.items()}
            cpu_before["bench (simulator)"] = time.process_time()
            cpu_before["machine"] = machine_cpu_seconds()
            samples: list[QueueSample] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_queues(infra.nats_url, "esplora", samples, stop))
            INTERVALS.clear()
            t_post = time.perf_counter()
            scan_id = await user.start_scan(input=ZPUB, gap_limit=args.gap_limit)
            messages = await user.follow(scan_id, args.timeout)
            t_end = messages[-1][0] if messages else time.perf_counter()
            stop.set()
            await sampler
            cpu_after = {n: cpu_seconds(p) for n, p in pids.items()}
            cpu_after["bench (simulator)"] = time.process_time()
            cpu_after["machine"] = machine_cpu_seconds()
        cpu = {
            n: (cpu_after[n] or 0.0) - (cpu_before[n] or 0.0)
            for n in cpu_after
            if cpu_before.get(n) is not None and cpu_after[n] is not None
        }
        await user.sign_in()
        scan = await user.scan(scan_id)
        streams_after = await stream_counts(infra.nats_url, scan_id)
        return RunResult(
            scan_id,
            t_post,
            t_end,
            messages,
            scan,
            cpu,
            streams_before,
            streams_after,
            samples,
            profiles,
        )
    finally:
        await user.aclose()


# ------------------------------------------------------------------------------ reporting


def check_totals(
    scan: dict[str, Any], expected: WalletTotals, expected_scanned: int
) -> list[tuple[str, object, object]]:
    summary = scan.get("summary") or {}
    pairs: list[tuple[str, object, object]] = [
        ("status", scan.get("status"), "completed"),
        ("balance", _int(summary.get("balance")), expected.balance),
        ("confirmed_balance", _int(summary.get("confirmed_balance")), expected.confirmed_balance),
        (
            "unconfirmed_balance",
            _int(summary.get("unconfirmed_balance")),
            expected.unconfirmed_balance,
        ),
        ("total_received", _int(summary.get("total_received")), expected.total_received),
        ("total_sent", _int(summary.get("total_sent")), expected.total_sent),
        ("total_fees", _int(summary.get("total_fees")), expected.total_fees),
        ("tx_count", summary.get("tx_count"), expected.tx_count),
        ("used_address_count", summary.get("used_address_count"), len(expected.used_addresses)),
        ("scanned_address_count", summary.get("scanned_address_count"), expected_scanned),
        ("reconciled", summary.get("reconciled"), True),
    ]
    return pairs


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _fmt_s(seconds: float) -> str:
    return f"{seconds:,.2f} s"


def report(
    args: argparse.Namespace,
    world: World,
    expected: WalletTotals,
    result: RunResult,
    stats: Any,
    build_seconds: float,
) -> bool:
    wall = result.t_end - result.t_post
    intervals = [(a, b) for a, b in INTERVALS if b >= result.t_post]
    durations = [b - a for a, b in intervals]
    sum_durations = sum(durations)
    profile = in_flight_profile(intervals, result.t_post, result.t_end)
    busy = sum(v for k, v in profile.items() if k > 0)
    idle = profile.get(0, 0.0)
    provider_bound = sum_durations / args.concurrency
    overhead = wall - provider_bound
    first_req = min((a for a, _ in intervals), default=result.t_post) - result.t_post
    last_req = max((b for _, b in intervals), default=result.t_post) - result.t_post
    summary = result.scan.get("summary") or {}
    scanned = int(summary.get("scanned_address_count") or 0)
    tx_count = int(summary.get("tx_count") or 0)
    n_receive, n_change = len(world.receive), len(world.change)
    expected_scanned = n_receive + n_change + 2 * args.gap_limit

    print()
    print("=" * 78)
    print("walletscan scan benchmark")
    print("=" * 78)
    print(
        f"command      {' '.join([Path(sys.executable).name, *sys.argv])}\n"
        f"wallet       {len(world.wallet_addresses):,} used addresses ({n_receive:,} receive, "
        f"{n_change:,} change), {expected.tx_count:,} transactions, gap limit {args.gap_limit}"
    )
    per_address = sorted(len(world.chain.address_txs(a)) for a in world.wallet_addresses)
    paged = sum(1 for n in per_address if n >= 25)
    print(
        f"             txs per address: median {per_address[len(per_address) // 2]}, "
        f"max {per_address[-1]}, {paged} addresses with >= 25 (paged history)"
    )
    print("             " + ", ".join(f"{k} {v:,}" for k, v in world.kinds.items()))
    print(
        f"provider     Esplora simulator, {args.latency * 1000:g} ms per request; fetcher "
        f"concurrency {args.concurrency}, rate limit {args.requests_per_second:g} req/s"
    )
    print(f"machine      {os.cpu_count()} CPUs; world built in {build_seconds:.1f} s")
    print()
    print(f"scan wall time                 {_fmt_s(wall)}  (POST /api/scans -> last WS message)")
    print(f"scan status                    {result.scan.get('status')}")
    print(f"addresses scanned              {scanned:,}")
    print(f"transactions                   {tx_count:,}")
    print(
        f"throughput                     {scanned / wall:,.1f} addresses/s, "
        f"{tx_count / wall:,.1f} txs/s, {len(intervals) / wall:,.1f} provider requests/s"
    )
    print()
    print(f"provider requests              {stats.total:,}")
    for route, count in sorted(stats.by_route.items(), key=lambda kv: -kv[1]):
        print(f"  {route:<40}{count:>8,}")
    if stats.faults:
        print(f"  faults: {dict(stats.faults)}")
    mean_ms = 1000 * sum_durations / len(durations) if durations else 0.0
    print(
        f"request duration (simulator)   sum {_fmt_s(sum_durations)}, mean {mean_ms:.1f} ms "
        f"(latency {args.latency * 1000:g} ms + simulator work)"
    )
    print()
    print("where the wall time goes")
    print(
        f"  provider-bound time          {_fmt_s(provider_bound)}  "
        f"(sum of request durations / concurrency {args.concurrency})"
    )
    print(
        f"  pipeline's own overhead      {_fmt_s(overhead)}  "
        f"({100 * overhead / wall:.0f}% of the wall time; wall - provider-bound)"
    )
    print(
        f"  provider busy (>=1 request)  {_fmt_s(busy)}; no request in flight {_fmt_s(idle)} "
        f"({100 * idle / wall:.0f}%)"
    )
    print(
        f"  requests in flight, mean     {sum_durations / wall:.2f} over the wall time, "
        f"{sum_durations / busy if busy else 0:.2f} while busy (configured {args.concurrency})"
    )
    buckets = [
        (0, 0, "0"),
        (1, max(1, args.concurrency // 2 - 1), ""),
        (max(2, args.concurrency // 2), args.concurrency - 1, ""),
        (args.concurrency, 10**9, ""),
    ]
    parts = []
    for lo, hi, label in buckets:
        if lo > hi:
            continue
        seconds = sum(v for k, v in profile.items() if lo <= k <= hi)
        name = label or (f"{lo}-{hi}" if hi < 10**9 else f">={lo}")
        parts.append(f"{name}: {100 * seconds / wall:.0f}%")
    print(f"  time with k requests in flight  {', '.join(parts)}")
    print(
        f"  first provider request       +{_fmt_s(first_req)} after the POST; last ends "
        f"+{_fmt_s(last_req)}; then {_fmt_s(wall - last_req)} to completion"
    )

    # Phases as the WebSocket told them.
    print()
    print("progress over the WebSocket")
    phases: dict[str, float] = {}
    for t, m in result.messages:
        phases.setdefault(str(m.get("phase")), t - result.t_post)
    print(
        f"  {len(result.messages):,} messages; first time in each phase: "
        + ", ".join(f"{p} +{v:.2f}s" for p, v in phases.items())
    )
    marks = [0.25, 0.5, 0.75, 1.0]
    fetched_at: list[str] = []
    if result.messages:
        final_derived = max(int(m.get("addresses_derived") or 0) for _, m in result.messages)
        for mark in marks:
            goal = math.ceil(final_derived * mark)
            hit = next(
                (t for t, m in result.messages if int(m.get("addresses_fetched") or 0) >= goal),
                None,
            )
            if hit is not None:
                fetched_at.append(f"{int(mark * 100)}% +{hit - result.t_post:.1f}s")
    print(f"  addresses fetched: {', '.join(fetched_at)}")

    # Queues.
    if result.queue_samples:
        s = result.queue_samples

        def stat(values: list[int]) -> str:
            return f"mean {sum(values) / len(values):6.1f}, max {max(values):5d}"

        print()
        print(f"JetStream consumer backlogs ({len(s)} samples, every 0.5 s)")
        print(f"  fetch jobs waiting           {stat([q.fetch_pending for q in s])}")
        print(f"  fetch jobs being fetched     {stat([q.fetch_in_progress for q in s])}")
        print(f"  fetched events waiting (agg) {stat([q.fetched_pending for q in s])}")
        print(f"  fetched events in handlers   {stat([q.fetched_in_progress for q in s])}")
        print(f"  derive commands waiting      {stat([q.derive_pending for q in s])}")
        print("  timeline (s: fetch waiting/in progress, aggregator waiting/in progress):")
        step = max(1, len(s) // 12)
        line = []
        for q in s[::step]:
            line.append(
                f"{q.t - result.t_post:5.1f}: {q.fetch_pending}/{q.fetch_in_progress}, "
                f"{q.fetched_pending}/{q.fetched_in_progress}"
            )
        for i in range(0, len(line), 3):
            print("    " + " | ".join(line[i : i + 3]))

    print()
    print("messages published during the scan")
    for name in (SCAN_EVENTS.name, FETCH_JOBS.name, SCAN_PROGRESS.name):
        delta = result.streams_after.get(name, 0) - result.streams_before.get(name, 0)
        print(f"  {name:<28}{delta:>8,}")
    for key, value in sorted(result.streams_after.items()):
        if key.startswith(f"{SCAN_EVENTS.name} "):
            print(f"    {key.split(' ', 1)[1]:<26}{value:>8,}")

    print()
    cores = os.cpu_count() or 1
    print(f"CPU seconds used during the scan ({cores} cores = {cores} s of CPU per wall second)")
    cpu = dict(result.cpu)
    machine = cpu.pop("machine", None)
    ours = sum(cpu.values())
    for name, secs in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28}{secs:>8.1f}  ({100 * secs / wall:.0f}% of one core)")
    share = 100 * ours / (wall * cores)
    print(f"  {'walletscan + bench total':<28}{ours:>8.1f}  ({share:.0f}% of the machine)")
    if machine is not None:
        others = max(0.0, machine - ours)
        print(
            f"  {'other processes':<28}{others:>8.1f}  ({100 * others / (wall * cores):.0f}% "
            "of the machine: anything else running here competes for the same cores)"
        )
    result.figures.update(
        wall_seconds=wall,
        provider_requests=stats.total,
        requests_by_route=dict(stats.by_route),
        sum_request_seconds=sum_durations,
        provider_bound_seconds=provider_bound,
        overhead_seconds=overhead,
        provider_busy_seconds=busy,
        no_request_in_flight_seconds=idle,
        last_request_end_seconds=last_req,
        phases=phases,
        addresses_scanned=scanned,
        transactions=tx_count,
        cpu_seconds=result.cpu,
    )

    if result.profiles:
        print()
        print(f"py-spy profiles (raw collapsed stacks in {args.profile})")
        for name, path in result.profiles.items():
            print(f"{name}:")
            for line in summarize_profile(path, args.profile_top):
                print(line)

    print()
    print("totals vs walletscan_testkit.chain.expected_wallet_totals")
    ok = True
    for name, got, want in check_totals(result.scan, expected, expected_scanned):
        good = got == want
        ok &= good
        print(f"  {'ok ' if good else 'BAD'} {name:<24}{got!s:>22}  expected {want!s}")
    print("  => " + ("all totals match" if ok else "MISMATCH"))
    if result.scan.get("error"):
        print(f"  error: {result.scan['error']}")
    return ok


def main() -> int:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--addresses", type=int, default=1000, help="used addresses (1000)")
    parser.add_argument("--txs", type=int, default=10_000, help="wallet transactions (10000)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request (0.05)")
    parser.add_argument(
        "--requests-per-second",
        type=float,
        default=float(env.get("WALLETSCAN_REQUESTS_PER_SECOND", DEFAULT_REQUESTS_PER_SECOND)),
        help="fetcher rate limit (WALLETSCAN_REQUESTS_PER_SECOND; default: no practical limit)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=int(env.get("WALLETSCAN_CONCURRENCY", DEFAULT_CONCURRENCY)),
        help=f"addresses fetched at once (WALLETSCAN_CONCURRENCY; {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument("--gap-limit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=84, help="wallet generator seed")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after (s)")
    parser.add_argument(
        "--log-level", default="INFO", help="WALLETSCAN_LOG_LEVEL of the services (INFO)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="record py-spy profiles of the services during the scan into DIR",
    )
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy binary")
    parser.add_argument("--profile-rate", type=int, default=50, help="py-spy samples/s")
    parser.add_argument("--profile-top", type=int, default=18)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the data and service logs folder")
    args = parser.parse_args()
    if args.profile is not None and not args.py_spy:
        parser.error("--profile needs py-spy (pip install py-spy; or pass --py-spy PATH)")

    t0 = time.perf_counter()
    world = build_world(args.addresses, args.txs, seed=args.seed)
    expected = expected_wallet_totals(world.chain, world.wallet_addresses)
    build_seconds = time.perf_counter() - t0
    print(
        f"wallet built: {len(expected.used_addresses):,} used addresses, "
        f"{expected.tx_count:,} transactions ({build_seconds:.1f} s)",
        flush=True,
    )

    app = create_esplora_app(world.chain, latency_seconds=args.latency)
    app.add_middleware(RequestTimer)
    data_dir = Path(tempfile.mkdtemp(prefix="walletscan-bench-"))
    ok = False
    try:
        with run_server(app) as esplora_url, infrastructure(data_dir) as infra:
            env_over = {
                "WALLETSCAN_ESPLORA_BITCOIN_URL": esplora_url,
                "WALLETSCAN_ESPLORA_TESTNET_URL": esplora_url,
                "WALLETSCAN_REQUESTS_PER_SECOND": f"{args.requests_per_second:g}",
                "WALLETSCAN_CONCURRENCY": str(args.concurrency),
                "WALLETSCAN_LOG_LEVEL": args.log_level,
            }
            print("starting NATS, nx-27017 and the services ...", flush=True)
            with service_stack(infra, env=env_over) as stack:
                app.state.stats.reset()
                print(f"scanning {args.addresses:,} addresses / {args.txs:,} txs ...", flush=True)
                result = asyncio.run(run_scan(args, infra, stack, args.profile))
                stats = app.state.stats
                ok = report(
                    args,
                    world,
                    expected,
                    result,
                    stats,
                    build_seconds,
                )
                if args.json is not None:
                    figures = {**result.figures, "args": {k: str(v) for k, v in vars(args).items()}}
                    figures["totals_match"] = ok
                    args.json.write_text(json.dumps(figures, indent=2, default=str))
                if not ok:
                    print("\nservice logs (tail):\n" + stack.logs())
    finally:
        if args.keep:
            print(f"\ndata and logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
