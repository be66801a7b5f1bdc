"""Pure fetcher logic: a provider's report turned into chunked `fetched` events, and where a
command goes when this provider cannot serve it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from walletscan_contracts import subjects
from walletscan_contracts.events import AddressFetched, EvmActivity, FetchAddress
from walletscan_contracts.providers import next_provider

from walletscan_fetcher.providers.base import AddressReport


def fetched_events(
    cmd: FetchAddress, report: AddressReport, *, provider: str, txs_per_event: int
) -> list[AddressFetched]:
    """Split a history into events small enough for the bus. Every chunk carries the summary
    and the tip height; the first also carries the UTXOs."""
    txs = report.txs
    evm = report.evm
    longest = max(len(txs), len(evm.txs), len(evm.token_transfers)) if evm else len(txs)
    chunks = max(1, -(-longest // txs_per_event))
    return [
        AddressFetched(
            scan_id=cmd.scan_id,
            provider=provider,
            network=cmd.network,
            address=cmd.address,
            track_id=cmd.track_id,
            index=cmd.index,
            chunk=i,
            chunks=chunks,
            tip_height=report.tip_height,
            summary=report.summary,
            txs=txs[i * txs_per_event : (i + 1) * txs_per_event],
            utxos=report.utxos if i == 0 else [],
            evm=_evm_chunk(evm, i, txs_per_event) if evm is not None else None,
        )
        for i in range(chunks)
    ]


def _evm_chunk(evm: EvmActivity, i: int, size: int) -> EvmActivity:
    """EVM records split like the Bitcoin ones; the account and token balances (what the
    history is reconciled with) travel once, in chunk 0."""
    return EvmActivity(
        account=evm.account if i == 0 else None,
        txs=evm.txs[i * size : (i + 1) * size],
        token_transfers=evm.token_transfers[i * size : (i + 1) * size],
        tokens=evm.tokens if i == 0 else [],
    )


@dataclass(frozen=True, slots=True)
class Reroute:
    """Send the same command to the next provider of the network's order."""

    provider: str
    command: FetchAddress
    msg_id: str


def reroute(
    cmd: FetchAddress, *, current: str, order: Sequence[str], reason: str
) -> Reroute | None:
    """Where a command `current` could not serve goes next, with this attempt recorded; None
    when every provider of `order` has been tried. The message id names the provider, so a
    re-route repeated after a crash is dropped by the stream, while the same address can
    still travel on to each provider once."""
    attempts = [*cmd.attempts, current]
    failures = [*cmd.failures, f"{current}: {reason}"]
    nxt = next_provider(order, attempts)
    if nxt is None:
        return None
    command = cmd.model_copy(update={"attempts": attempts, "failures": failures})
    msg_id = subjects.fetch_msg_id(cmd.scan_id, nxt, cmd.track_id, cmd.index, cmd.resume)
    return Reroute(nxt, command, msg_id)


def exhausted_reason(cmd: FetchAddress, *, current: str, reason: str) -> str:
    """The scan's error when no provider could serve an address: each one's reason."""
    tried = [*cmd.failures, f"{current}: {reason}"]
    return f"no provider could fetch {cmd.address} on {cmd.network}; tried " + "; ".join(tried)
