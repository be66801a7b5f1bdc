"""Pure fetcher logic: a provider's report turned into chunked `fetched` events."""

from __future__ import annotations

from walletscan_contracts.events import AddressFetched, FetchAddress

from walletscan_fetcher.providers.base import AddressReport


def fetched_events(
    cmd: FetchAddress, report: AddressReport, *, provider: str, txs_per_event: int
) -> list[AddressFetched]:
    """Split a history into events small enough for the bus. Every chunk carries the summary
    and the tip height; the first also carries the UTXOs."""
    txs = report.txs
    chunks = max(1, -(-len(txs) // txs_per_event))
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
        )
        for i in range(chunks)
    ]
