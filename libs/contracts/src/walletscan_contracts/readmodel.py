"""Names of the aggregator's read-model collections, read by the gateway and report services.

Document shapes are described beside each name; amounts are integers in base units.
"""

from __future__ import annotations

SCANS = "scans"  # one per scan: request, owner, status, progress, summary, error
ADDRESSES = "addresses"  # (scan_id, address): track, index, path, provider summary, totals
ADDRESS_TXS = "address_txs"  # (scan_id, address, txid): facts from providers (AddressTx)
FETCH_CHUNKS = "fetch_chunks"  # (scan_id, address, chunk): which chunks of a fetch arrived
TRANSACTIONS = "transactions"  # (scan_id, txid): wallet-level transactions after the fold
UTXOS = "utxos"  # (scan_id, txid, vout)
# EVM networks (amounts as decimal strings: wei exceed int64)
EVM_TXS = "evm_txs"  # (scan_id, address, txid): native facts from providers (EvmTx)
TOKEN_TRANSFERS = "token_transfers"  # (scan_id, address, key): ERC-20 Transfer facts
TOKENS = "tokens"  # (scan_id, token): per-token received/sent/balance after the fold

# How the read sides list a scan's documents (field, 1 ascending / -1 descending).
ADDRESS_ORDER = (("track_id", 1), ("index", 1))
TRANSACTION_ORDER = (("sort_key", -1),)  # newest first, unconfirmed on top
UTXO_ORDER = (("block_height", 1), ("txid", 1), ("vout", 1))
TOKEN_ORDER = (("token", 1),)
