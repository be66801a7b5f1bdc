"""Fetcher-side micro-batching for providers that take many addresses per request.

Fetch commands stay one address each on the bus (the contract of ARCHITECTURE §3 is unchanged,
fallback and acks stay per address). A batch-capable fetcher runs up to `max_batch` command
handlers at once; each hands its address to `AddressBatcher.fetch` and waits, and the batcher
sends one provider request per `max_batch` addresses of a network — when the batch is full, or
after `linger_seconds` so a lone address is not held back.

Why here and not a `FetchAddresses` command published by derivation: derivation would have to
know which provider batches, a re-routed command (Esplora -> Blockchair) arrives one address
at a time anyway, and two replicas sharing the work queue each batch whatever they pulled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from walletscan_contracts.chains import Network

from walletscan_fetcher.providers.base import AddressReport

FetchMany = Callable[[Sequence[str], Network], Awaitable[dict[str, AddressReport]]]


@dataclass
class _Pending:
    waiters: dict[str, list[asyncio.Future[AddressReport]]] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None


class AddressBatcher:
    def __init__(self, fetch_many: FetchMany, *, max_batch: int, linger_seconds: float) -> None:
        self._fetch_many = fetch_many
        self.max_batch = max(1, max_batch)
        self.linger_seconds = linger_seconds
        self._pending: dict[Network, _Pending] = {}
        self._running: set[asyncio.Task[None]] = set()
        self.batches_sent = 0

    async def fetch(self, address: str, network: Network) -> AddressReport:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AddressReport] = loop.create_future()
        pending = self._pending.setdefault(network, _Pending())
        # The same address twice (two scans of one wallet) is asked for once.
        pending.waiters.setdefault(address, []).append(future)
        if len(pending.waiters) >= self.max_batch:
            self._flush(network)
        elif pending.timer is None:
            pending.timer = loop.call_later(self.linger_seconds, self._flush, network)
        return await future

    def _flush(self, network: Network) -> None:
        pending = self._pending.pop(network, None)
        if pending is None or not pending.waiters:
            return
        if pending.timer is not None:
            pending.timer.cancel()
        task = asyncio.get_running_loop().create_task(self._send(network, pending.waiters))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _send(
        self, network: Network, waiters: dict[str, list[asyncio.Future[AddressReport]]]
    ) -> None:
        self.batches_sent += 1
        try:
            reports = await self._fetch_many(list(waiters), network)
        except asyncio.CancelledError:
            for futures in waiters.values():
                for f in futures:
                    f.cancel()
            raise
        except Exception as exc:  # every waiter of the batch gets the failure
            for futures in waiters.values():
                for f in futures:
                    if not f.done():
                        f.set_exception(exc)
            return
        for address, futures in waiters.items():
            report = reports.get(address)
            for f in futures:
                if f.done():
                    continue  # the handler was cancelled (shutdown)
                if report is None:
                    f.set_exception(LookupError(f"the batch answer lacks {address}"))
                else:
                    f.set_result(report)

    async def aclose(self) -> None:
        """Send what is pending now and wait for batches under way (graceful shutdown)."""
        for network in list(self._pending):
            self._flush(network)
        if self._running:
            with contextlib.suppress(Exception):
                await asyncio.gather(*self._running, return_exceptions=True)
