"""Per-network constants: address version bytes, bech32 prefix, WIF byte, BIP44 coin type."""

from __future__ import annotations

from dataclasses import dataclass

from walletscan_contracts.chains import Network, ScriptType


@dataclass(frozen=True, slots=True)
class NetworkParams:
    network: Network
    p2pkh_version: int
    p2sh_version: int
    hrp: str
    wif_version: int
    coin_type: int
    label: str  # how messages name the network: "mainnet", "testnet"


PARAMS: dict[Network, NetworkParams] = {
    Network.BITCOIN: NetworkParams(
        Network.BITCOIN, 0x00, 0x05, "bc", 0x80, coin_type=0, label="mainnet"
    ),
    Network.BITCOIN_TESTNET: NetworkParams(
        Network.BITCOIN_TESTNET, 0x6F, 0xC4, "tb", 0xEF, coin_type=1, label="testnet"
    ),
}

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
