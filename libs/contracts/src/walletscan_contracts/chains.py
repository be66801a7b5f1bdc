"""Networks walletscan knows (one registry for every service), with the units their amounts
are counted in and where their public explorers are."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Network(StrEnum):
    # Bitcoin family (UTXO)
    BITCOIN = "bitcoin"
    BITCOIN_TESTNET = "bitcoin-testnet"
    LITECOIN = "litecoin"
    DOGECOIN = "dogecoin"
    BITCOIN_CASH = "bitcoin-cash"
    # EVM (accounts)
    ETHEREUM = "ethereum"
    SEPOLIA = "sepolia"
    POLYGON = "polygon"
    BSC = "bsc"
    ARBITRUM = "arbitrum"
    OPTIMISM = "optimism"
    BASE = "base"


class Family(StrEnum):
    UTXO = "utxo"
    EVM = "evm"


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    network: Network
    family: Family
    name: str  # how the dashboard names it
    unit: str
    decimals: int
    explorer_tx_url: str
    explorer_address_url: str
    chain_id: int | None = None  # EVM chain id
    testnet: bool = False


def _utxo(
    network: Network, name: str, unit: str, explorer: str, *, testnet: bool = False
) -> NetworkInfo:
    return NetworkInfo(
        network,
        Family.UTXO,
        name,
        unit,
        8,
        explorer_tx_url=f"{explorer}/tx/{{txid}}",
        explorer_address_url=f"{explorer}/address/{{address}}",
        testnet=testnet,
    )


def _evm(
    network: Network, name: str, unit: str, chain_id: int, explorer: str, *, testnet: bool = False
) -> NetworkInfo:
    return NetworkInfo(
        network,
        Family.EVM,
        name,
        unit,
        18,
        explorer_tx_url=f"{explorer}/tx/{{txid}}",
        explorer_address_url=f"{explorer}/address/{{address}}",
        chain_id=chain_id,
        testnet=testnet,
    )


NETWORKS: dict[Network, NetworkInfo] = {
    info.network: info
    for info in (
        _utxo(Network.BITCOIN, "Bitcoin", "BTC", "https://mempool.space"),
        _utxo(
            Network.BITCOIN_TESTNET,
            "Bitcoin testnet",
            "tBTC",
            "https://mempool.space/testnet",
            testnet=True,
        ),
        _utxo(Network.LITECOIN, "Litecoin", "LTC", "https://litecoinspace.org"),
        _utxo(Network.DOGECOIN, "Dogecoin", "DOGE", "https://blockchair.com/dogecoin"),
        _utxo(Network.BITCOIN_CASH, "Bitcoin Cash", "BCH", "https://blockchair.com/bitcoin-cash"),
        _evm(Network.ETHEREUM, "Ethereum", "ETH", 1, "https://etherscan.io"),
        _evm(
            Network.SEPOLIA,
            "Sepolia",
            "SepoliaETH",
            11155111,
            "https://sepolia.etherscan.io",
            testnet=True,
        ),
        _evm(Network.POLYGON, "Polygon", "POL", 137, "https://polygonscan.com"),
        _evm(Network.BSC, "BNB Smart Chain", "BNB", 56, "https://bscscan.com"),
        _evm(Network.ARBITRUM, "Arbitrum One", "ETH", 42161, "https://arbiscan.io"),
        _evm(Network.OPTIMISM, "OP Mainnet", "ETH", 10, "https://optimistic.etherscan.io"),
        _evm(Network.BASE, "Base", "ETH", 8453, "https://basescan.org"),
    )
}


def family_of(network: Network) -> Family:
    return NETWORKS[network].family


class ScriptType(StrEnum):
    """Output script kinds; values follow the names used in descriptors and wallets."""

    P2PKH = "p2pkh"  # legacy, BIP44
    P2SH_P2WPKH = "p2sh-p2wpkh"  # nested segwit, BIP49
    P2WPKH = "p2wpkh"  # native segwit, BIP84
    P2TR = "p2tr"  # taproot, BIP86
    P2SH = "p2sh"
    P2WSH = "p2wsh"
    P2SH_P2WSH = "p2sh-p2wsh"  # nested segwit multisig
    ACCOUNT = "account"  # EVM externally owned account or contract
