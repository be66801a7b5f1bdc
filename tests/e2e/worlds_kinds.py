"""Simulated chains holding one wallet of each kind walletscan scans: a ypub, a taproot tr()
descriptor, a wpkh descriptor with /<0;1>/*, a 2-of-3 wsh(sortedmulti) wallet, a bare xpub
whose funds are on native segwit only, and a testnet vpub.

Addresses are computed here with bip_utils and hashlib (multisig scripts assembled by hand),
never with walletscan's own derivation, so a derivation bug cannot hide behind matching
expectations. Keys come from fixed test seeds; only their PUBLIC keys are scanned."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bip_utils import (
    Bip32Secp256k1,
    Bip39SeedGenerator,
    Bip44Changes,
    Bip49,
    Bip49Coins,
    Bip84,
    Bip84Coins,
    Bip86,
    Bip86Coins,
    SegwitBech32Encoder,
)
from walletscan_contracts.chains import Network
from walletscan_testkit.chain import Outpoint, SimChain

SEED = Bip39SeedGenerator(" ".join(["abandon"] * 11 + ["about"])).Generate()
COSIGNER_SEEDS = [bytes([n]) * 32 for n in (7, 8, 9)]
OUTSIDER = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
TESTNET_OUTSIDER = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"


@dataclass
class KindWallet:
    """One wallet: what is pasted, its own addresses per chain, and what a scan must find."""

    input: str
    receive: list[str]
    change: list[str] = field(default_factory=list)
    script_types: dict[str, str] = field(default_factory=dict)  # address -> script type

    @property
    def addresses(self) -> list[str]:
        return [*self.receive, *self.change]


@dataclass
class KindsWorld:
    mainnet: SimChain
    testnet: SimChain
    wallets: dict[str, KindWallet]


def _chain_addresses(account: object, count: int) -> tuple[list[str], list[str]]:
    out = []
    for change in (Bip44Changes.CHAIN_EXT, Bip44Changes.CHAIN_INT):
        node = account.Change(change)  # type: ignore[attr-defined]
        out.append([node.AddressIndex(i).PublicKey().ToAddress() for i in range(count)])
    return out[0], out[1]


def ypub_wallet() -> KindWallet:
    account = Bip49.FromSeed(SEED, Bip49Coins.BITCOIN).Purpose().Coin().Account(0)
    receive, change = _chain_addresses(account, 10)
    return KindWallet(account.PublicKey().ToExtended(), receive, change)


def taproot_wallet() -> KindWallet:
    account = Bip86.FromSeed(SEED, Bip86Coins.BITCOIN).Purpose().Coin().Account(0)
    receive, change = _chain_addresses(account, 10)
    xpub = account.PublicKey().ToExtended()
    return KindWallet(f"tr([73c5da0a/86h/0h/0h]{xpub}/<0;1>/*)", receive, change)


def wpkh_descriptor_wallet() -> KindWallet:
    # Account 1, so that it shares nothing with the ypub or the probed xpub.
    account = Bip84.FromSeed(SEED, Bip84Coins.BITCOIN).Purpose().Coin().Account(1)
    receive, change = _chain_addresses(account, 10)
    xpub = _as_xpub(account.PublicKey().ToExtended())
    return KindWallet(f"wpkh([73c5da0a/84'/0'/1']{xpub}/<0;1>/*)", receive, change)


def probed_xpub_wallet() -> KindWallet:
    """A BIP84 account exported as a bare 'xpub': its script type is not in the key."""
    account = Bip84.FromSeed(SEED, Bip84Coins.BITCOIN).Purpose().Coin().Account(2)
    receive, change = _chain_addresses(account, 10)
    return KindWallet(_as_xpub(account.PublicKey().ToExtended()), receive, change)


def multisig_wallet() -> KindWallet:
    """2-of-3 P2WSH sortedmulti below m/48'/0'/0'/2' of three cosigners (BIP48 layout)."""
    accounts = [
        Bip32Secp256k1.FromSeed(seed).DerivePath("m/48'/0'/0'/2'").PublicKey()
        for seed in COSIGNER_SEEDS
    ]
    xpubs = [a.ToExtended() for a in accounts]

    def address(branch: int, index: int) -> str:
        keys = sorted(
            Bip32Secp256k1.FromExtendedKey(x)
            .ChildKey(branch)
            .ChildKey(index)
            .PublicKey()
            .RawCompressed()
            .ToBytes()
            for x in xpubs
        )
        script = b"\x52" + b"".join(b"\x21" + k for k in keys) + b"\x53\xae"
        return SegwitBech32Encoder.Encode("bc", 0, hashlib.sha256(script).digest())

    keys = ",".join(f"[{i:08x}/48h/0h/0h/2h]{x}/<0;1>/*" for i, x in enumerate(xpubs, 1))
    return KindWallet(
        f"wsh(sortedmulti(2,{keys}))",
        [address(0, i) for i in range(10)],
        [address(1, i) for i in range(10)],
    )


def vpub_wallet() -> KindWallet:
    account = Bip84.FromSeed(SEED, Bip84Coins.BITCOIN_TESTNET).Purpose().Coin().Account(0)
    receive, change = _chain_addresses(account, 10)
    return KindWallet(account.PublicKey().ToExtended(), receive, change)


def _as_xpub(key: str) -> str:
    """The same key under Bitcoin's generic 'xpub' version bytes."""
    from bip_utils import Base58Decoder, Base58Encoder

    raw = Base58Decoder.CheckDecode(key)
    return str(Base58Encoder.CheckEncode(bytes.fromhex("0488b21e") + raw[4:]))


def _spend_with_change(
    chain: SimChain, wallet: KindWallet, outsider: str, height: int, *, receive_index: int = 0
) -> int:
    """Fund receive[i], pay an outsider with change to change[0], fund receive[i+2]."""
    funded = chain.fund(wallet.receive[receive_index], 500_000, height=height)
    chain.send(
        [funded],
        [(outsider, 200_000), (wallet.change[0], 299_000)],
        fee=1_000,
        height=height + 1,
    )
    chain.fund(wallet.receive[receive_index + 2], 70_000, height=height + 2)
    return height + 3


def build_kinds_world() -> KindsWorld:
    mainnet = SimChain(Network.BITCOIN, tip_height=100)
    testnet = SimChain(Network.BITCOIN_TESTNET, tip_height=100)
    wallets = {
        "ypub": ypub_wallet(),
        "taproot": taproot_wallet(),
        "wpkh_descriptor": wpkh_descriptor_wallet(),
        "multisig": multisig_wallet(),
        "probed_xpub": probed_xpub_wallet(),
        "vpub": vpub_wallet(),
    }
    height = 101
    for name in ("ypub", "taproot", "wpkh_descriptor", "multisig", "probed_xpub"):
        height = _spend_with_change(mainnet, wallets[name], OUTSIDER, height)
    # An unconfirmed payment to the multisig wallet's receive address 1.
    mainnet.fund(wallets["multisig"].receive[1], 12_345)
    _spend_with_change(testnet, wallets["vpub"], TESTNET_OUTSIDER, 101, receive_index=1)
    return KindsWorld(mainnet, testnet, wallets)


__all__ = ["KindWallet", "KindsWorld", "Outpoint", "build_kinds_world"]
