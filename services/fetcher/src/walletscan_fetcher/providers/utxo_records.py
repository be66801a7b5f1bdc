"""What the UTXO-chain clients share once they hold an address's facts (ARCHITECTURE §5):
the Esplora-style stats rebuilt from them, and the tip height the report carries. Blockchair,
Tatum and Electrum have no such stats of their own to hand over; Esplora has."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from walletscan_contracts.events import AddressSummary, AddressTx, Utxo


def summary_from_txs(address: str, txs: Sequence[AddressTx]) -> AddressSummary:
    """Esplora-style stats rebuilt from the facts (funded = Σ received, spent = Σ spent)."""
    chain = [t for t in txs if t.confirmed]
    mempool = [t for t in txs if not t.confirmed]
    return AddressSummary(
        address=address,
        chain_funded=sum(t.received for t in chain),
        chain_spent=sum(t.spent for t in chain),
        mempool_funded=sum(t.received for t in mempool),
        mempool_spent=sum(t.spent for t in mempool),
        chain_tx_count=len(chain),
        mempool_tx_count=len(mempool),
    )


def tip_covering(tip_height: int, records: Iterable[AddressTx | Utxo]) -> int:
    """The tip to report: never below a block the records were found in. The tip is read
    apart from the history (or from a lagging endpoint), and confirmations counted from a
    tip below a transaction's own block would be negative."""
    return max([tip_height, *(r.block_height for r in records if r.block_height is not None)])


__all__ = ["summary_from_txs", "tip_covering"]
