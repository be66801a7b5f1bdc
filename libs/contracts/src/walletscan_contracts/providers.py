"""Provider names and the fallback order of each network (ARCHITECTURE §6).

The derivation service sends a network's fetch commands to the first provider of its order; a
fetcher that cannot serve a command re-routes it to the next one. Both read the same setting
(`WALLETSCAN_PROVIDERS_<NETWORK>`), parsed here so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from walletscan_contracts.chains import Network

ESPLORA = "esplora"
BLOCKCHAIR = "blockchair"
ELECTRUM = "electrum"
TATUM = "tatum"
JSONRPC = "jsonrpc"
ETHERSCAN = "etherscan"

BITCOIN_FAMILY_PROVIDERS = (ESPLORA, BLOCKCHAIR, ELECTRUM, TATUM)
EVM_PROVIDERS = (JSONRPC, ETHERSCAN)

# EVM: a node first (it answers at a pinned block, so balances and history agree exactly, and
# costs no third-party quota) — it hands history on when it lacks the Otterscan/trace APIs —
# then Etherscan V2 (one key for every chain; BSC, Base and OP need a paid plan).
_EVM_ORDER = (JSONRPC, ETHERSCAN)
# Ethereum only: Blockchair's docs list `ethereum` (and `ethereum/testnet`) alone, and Tatum's
# v3 account endpoints are grounded for Ethereum only. Both hand over what they cannot give
# exactly (fees of a sender, tokens, internal transfers: see the fetcher's clients).
_ETHEREUM_ORDER = (JSONRPC, ETHERSCAN, BLOCKCHAIR, TATUM)

# Default order when the setting is empty. Esplora first (free, paged, exact), Blockchair next
# (batches of 100, but a small free quota), then the optional ones: an Electrum server only if
# one is configured, Tatum only with a key — `available` filters those out.
DEFAULT_ORDER: dict[Network, tuple[str, ...]] = {
    Network.BITCOIN: (ESPLORA, BLOCKCHAIR, ELECTRUM, TATUM),
    Network.BITCOIN_TESTNET: (ESPLORA, BLOCKCHAIR, ELECTRUM, TATUM),
    Network.LITECOIN: (BLOCKCHAIR, ELECTRUM, TATUM),
    Network.DOGECOIN: (BLOCKCHAIR, ELECTRUM, TATUM),
    Network.BITCOIN_CASH: (BLOCKCHAIR, ELECTRUM, TATUM),
    Network.ETHEREUM: _ETHEREUM_ORDER,
    Network.SEPOLIA: _EVM_ORDER,
    Network.POLYGON: _EVM_ORDER,
    Network.BSC: _EVM_ORDER,
    Network.ARBITRUM: _EVM_ORDER,
    Network.OPTIMISM: _EVM_ORDER,
    Network.BASE: _EVM_ORDER,
}


def parse_order(raw: str) -> list[str]:
    """`"esplora, blockchair"` -> `["esplora", "blockchair"]` (duplicates dropped)."""
    seen: list[str] = []
    for name in (p.strip().lower() for p in raw.split(",")):
        if name and name not in seen:
            seen.append(name)
    return seen


def fallback_order(
    network: Network, configured: str | None, available: Iterable[str] | None = None
) -> list[str]:
    """The network's provider order: the configured one as given, else the default one keeping
    only `available` providers (those with a URL or key set)."""
    if configured and configured.strip():
        return parse_order(configured)
    default = DEFAULT_ORDER.get(network, ())
    if available is None:
        return list(default)
    usable = set(available)
    return [p for p in default if p in usable]


def next_provider(order: Sequence[str], tried: Iterable[str]) -> str | None:
    """The first provider of `order` not tried yet, or None when every one has been."""
    done = set(tried)
    return next((p for p in order if p not in done), None)
