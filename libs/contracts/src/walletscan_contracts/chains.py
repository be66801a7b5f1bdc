"""Networks walletscan knows, with the units their amounts are counted in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Network(StrEnum):
    BITCOIN = "bitcoin"
    BITCOIN_TESTNET = "bitcoin-testnet"


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    network: Network
    unit: str
    decimals: int
    explorer_tx_url: str
    explorer_address_url: str


NETWORKS: dict[Network, NetworkInfo] = {
    Network.BITCOIN: NetworkInfo(
        Network.BITCOIN,
        unit="BTC",
        decimals=8,
        explorer_tx_url="https://mempool.space/tx/{txid}",
        explorer_address_url="https://mempool.space/address/{address}",
    ),
    Network.BITCOIN_TESTNET: NetworkInfo(
        Network.BITCOIN_TESTNET,
        unit="tBTC",
        decimals=8,
        explorer_tx_url="https://mempool.space/testnet/tx/{txid}",
        explorer_address_url="https://mempool.space/testnet/address/{address}",
    ),
}


class ScriptType(StrEnum):
    """Output script kinds; values follow the names used in descriptors and wallets."""

    P2PKH = "p2pkh"  # legacy, BIP44
    P2SH_P2WPKH = "p2sh-p2wpkh"  # nested segwit, BIP49
    P2WPKH = "p2wpkh"  # native segwit, BIP84
    P2TR = "p2tr"  # taproot, BIP86
    P2SH = "p2sh"
    P2WSH = "p2wsh"
