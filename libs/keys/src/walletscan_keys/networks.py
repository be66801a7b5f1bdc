"""Per-network constants: address version bytes, bech32 prefix, WIF byte, BIP44 coin type."""

from __future__ import annotations

from dataclasses import dataclass, replace

from walletscan_contracts.chains import Network, ScriptType


@dataclass(frozen=True, slots=True)
class NetworkParams:
    network: Network
    p2pkh_version: int
    p2sh_version: int
    hrp: str | None  # bech32 prefix; None where the chain has no segwit (Dogecoin, BCH)
    wif_version: int
    coin_type: int
    label: str  # how messages name the network: "mainnet", "testnet", "Litecoin"
    # Bitcoin Cash writes addresses in cashaddr by default; None: base58 only.
    cashaddr_prefix: str | None = None


PARAMS: dict[Network, NetworkParams] = {
    Network.BITCOIN: NetworkParams(
        Network.BITCOIN, 0x00, 0x05, "bc", 0x80, coin_type=0, label="mainnet"
    ),
    Network.BITCOIN_TESTNET: NetworkParams(
        Network.BITCOIN_TESTNET, 0x6F, 0xC4, "tb", 0xEF, coin_type=1, label="testnet"
    ),
    Network.LITECOIN: NetworkParams(
        Network.LITECOIN, 0x30, 0x32, "ltc", 0xB0, coin_type=2, label="Litecoin"
    ),
    Network.DOGECOIN: NetworkParams(
        Network.DOGECOIN, 0x1E, 0x16, None, 0x9E, coin_type=3, label="Dogecoin"
    ),
    Network.BITCOIN_CASH: NetworkParams(
        Network.BITCOIN_CASH,
        0x00,
        0x05,
        None,
        0x80,
        coin_type=145,
        label="Bitcoin Cash",
        cashaddr_prefix="bitcoincash",
    ),
}

# The Bitcoin networks whose addresses parse_address reads (the others share version bytes
# with Bitcoin, e.g. BCH legacy addresses, and have no provider yet).
BITCOIN_NETWORKS = (Network.BITCOIN, Network.BITCOIN_TESTNET)


def legacy_params(params: NetworkParams) -> NetworkParams:
    """The same network with base58 addresses (Bitcoin Cash "legacy" format on request)."""
    return replace(params, cashaddr_prefix=None)


def script_types_of(network: Network) -> tuple[ScriptType, ...]:
    """Single-key script types that exist on a network: no segwit on Dogecoin and BCH."""
    if PARAMS[network].hrp is None:
        return (ScriptType.P2PKH,)
    return (ScriptType.P2PKH, ScriptType.P2SH_P2WPKH, ScriptType.P2WPKH, ScriptType.P2TR)


# What a bare key of unknown script type is probed with (ARCHITECTURE §5): legacy, nested and
# native segwit. Taproot is left out: BIP86 wallets export descriptors or say so.
def probe_script_types(network: Network) -> tuple[ScriptType, ...]:
    return tuple(t for t in script_types_of(network) if t is not ScriptType.P2TR)


# BIP44/49/84/86 purpose of each single-key script type.
PURPOSE: dict[ScriptType, int] = {
    ScriptType.P2PKH: 44,
    ScriptType.P2SH_P2WPKH: 49,
    ScriptType.P2WPKH: 84,
    ScriptType.P2TR: 86,
}

# Script types an account key can be derived with (single-key scripts).
SINGLE_KEY_SCRIPT_TYPES = tuple(PURPOSE)

HARDENED = 0x80000000


def standard_account_path(script_type: ScriptType, network: Network, account: int = 0) -> str:
    """The standard account path, e.g. m/84'/0'/0' (coin type 1 on testnet)."""
    purpose = PURPOSE.get(script_type)
    if purpose is None:
        raise ValueError(f"{script_type.value} has no standard single-key account path")
    return f"m/{purpose}'/{PARAMS[network].coin_type}'/{account}'"
