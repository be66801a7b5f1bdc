"""derive_addresses against published vectors and against bip_utils (an independent check)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from bip_utils import (
    Bip32KeyNetVersions,
    Bip32Secp256k1,
    P2PKHAddrEncoder,
    P2SHAddrEncoder,
    P2TRAddrEncoder,
    P2WPKHAddrEncoder,
)
from walletscan_contracts.chains import Network, ScriptType
from walletscan_keys import (
    InputError,
    decode_extended_key,
    derive_addresses,
    derive_public_keys,
    parse_input,
)
from walletscan_keys.addresses import taproot_output_key
from walletscan_keys.encoding import b58check_decode, b58check_encode

from .conftest import REFERENCE_DATA

BIP_VECTORS = REFERENCE_DATA / "bip-vectors"
needs_data = pytest.mark.skipif(not BIP_VECTORS.is_dir(), reason=f"{BIP_VECTORS} not found")


def _derive_one(
    key: str, script_type: ScriptType | str, rel: str, network: Network | None = None
) -> str:
    branch, index = (int(p) for p in rel.split("/"))
    (derived,) = derive_addresses(key, script_type, branch, index, 1, network=network)
    assert derived.index == index
    assert derived.path_suffix == rel
    return derived.address


# --- account_xpub_to_address_vectors.json ----------------------------------------------------


def _account_vectors() -> list[Any]:
    path = BIP_VECTORS / "account_xpub_to_address_vectors.json"
    if not path.is_file():
        return []
    cases = []
    for group in json.loads(path.read_text())["groups"]:
        for account in group["accounts"]:
            script = account["script"].split()[0]
            for rel, address in account["addresses"].items():
                cases.append(
                    pytest.param(
                        account["key"],
                        script,
                        account["path"],
                        rel,
                        address,
                        id=f"{account['key'][:8]}-{script}-{rel}",
                    )
                )
    return cases


ACCOUNT_VECTORS = _account_vectors()


@needs_data
def test_account_vectors_were_read() -> None:
    assert len(ACCOUNT_VECTORS) == 38


@needs_data
@pytest.mark.parametrize(("key", "script", "path", "rel", "address"), ACCOUNT_VECTORS)
def test_account_key_to_address_vectors(
    key: str, script: str, path: str, rel: str, address: str
) -> None:
    parsed = parse_input(key, script_types=[script])
    if path.startswith("m/"):
        assert parsed.path_prefix == path
        expected_network = (
            Network.BITCOIN_TESTNET if path.split("/")[2] == "1'" else Network.BITCOIN
        )
        assert parsed.network is expected_network
    assert _derive_one(key, script, rel, network=parsed.network) == address
    # and the address parses back as the same network
    assert parse_input(address).network is parsed.network


# --- the BIP text files ---------------------------------------------------------------------


@needs_data
def test_bip84_vectors_with_public_keys() -> None:
    text = (BIP_VECTORS / "bip84_test_vectors.txt").read_text()
    account = re.search(r"Account 0, root = m/84'/0'/0'\s+xpriv\s*=\s*\S+\s+xpub\s*=\s*(\S+)", text)
    assert account is not None
    key = account.group(1)
    pubkeys = re.findall(r"pubkey\s*=\s*([0-9a-f]{66})", text)
    addresses = re.findall(r"^\s*address\s*=\s*(\S+)", text, flags=re.MULTILINE)
    rels = ["0/0", "0/1", "1/0"]
    assert len(pubkeys) == len(addresses) == 3
    for rel, pubkey, address in zip(rels, pubkeys, addresses, strict=True):
        branch, index = (int(p) for p in rel.split("/"))
        assert derive_public_keys(key, branch, [index]) == [bytes.fromhex(pubkey)]
        assert _derive_one(key, ScriptType.P2WPKH, rel) == address
    assert parse_input(key).path_prefix == "m/84'/0'/0'"


@needs_data
def test_bip86_vectors_with_taproot_keys() -> None:
    text = (BIP_VECTORS / "bip86_test_vectors.txt").read_text()
    account = re.search(r"Account 0, root = m/86'/0'/0'\s+xprv\s*=\s*\S+\s+xpub\s*=\s*(\S+)", text)
    assert account is not None
    key = account.group(1)
    internal = re.findall(r"internal_key\s*=\s*([0-9a-f]{64})", text)
    output = re.findall(r"output_key\s*=\s*([0-9a-f]{64})", text)
    addresses = re.findall(r"^\s*address\s*=\s*(\S+)", text, flags=re.MULTILINE)
    for rel, internal_key, output_key, address in zip(
        ["0/0", "0/1", "1/0"], internal, output, addresses, strict=True
    ):
        branch, index = (int(p) for p in rel.split("/"))
        (pubkey,) = derive_public_keys(key, branch, [index])
        assert pubkey[1:].hex() == internal_key
        assert taproot_output_key(pubkey).hex() == output_key
        assert _derive_one(key, ScriptType.P2TR, rel) == address
    assert parse_input(key, script_types=["p2tr"]).path_prefix == "m/86'/0'/0'"


@needs_data
def test_bip49_testnet_vector() -> None:
    text = (BIP_VECTORS / "bip49_test_vectors.txt").read_text()
    key_match = re.search(r"account0Xpub = (\S+)", text)
    address_match = re.search(r"address = base58check\(prefix \| addressBytes\) = (\S+)", text)
    pubkey_match = re.search(r"account0recvPublicKeyHex = 0x([0-9a-f]{66})", text)
    assert key_match
    assert address_match
    assert pubkey_match
    key = key_match.group(1)
    parsed = parse_input(key)
    assert (parsed.input_type, parsed.network, parsed.path_prefix) == (
        "upub",
        Network.BITCOIN_TESTNET,
        "m/49'/1'/0'",
    )
    assert derive_public_keys(key, 0, [0]) == [bytes.fromhex(pubkey_match.group(1))]
    assert _derive_one(key, ScriptType.P2SH_P2WPKH, "0/0") == address_match.group(1)


@needs_data
def test_blockchair_checked_list() -> None:
    """80 addresses Blockchair derived for its documented example xpub (p2pkh)."""
    path = REFERENCE_DATA / "provider-examples" / "blockchair_docs_btc_address_addresses_xpub.md"
    text = path.read_text()
    checked = re.findall(r'"(\d)/(\d+): (1\w+)"', text)
    assert len(checked) == 80
    key = (
        "xpub6CUGRUonZSQ4TWtTMmzXdrXDtypWKiKrhko4egpiMZbpiaQL2jkw"
        "SB1icqYh2cfDfVxdx4df189oLKnC5fSwqPfgyP3hooxujYzAu3fDVmz"
    )
    receive = [a.address for a in derive_addresses(key, "p2pkh", 0, 0, 60)]
    change = [a.address for a in derive_addresses(key, "p2pkh", 1, 0, 20)]
    for branch, index, address in checked:
        assert (receive if branch == "0" else change)[int(index)] == address


# --- xpub-scan derivation vectors ------------------------------------------------------------

_MODES = {"LEGACY": "p2pkh", "SEGWIT": "p2sh-p2wpkh", "NATIVE": "p2wpkh", "DOGECOIN": "p2pkh"}
_COINS = {
    ("Bitcoin", "mainnet"): Network.BITCOIN,
    ("Bitcoin", "testnet"): Network.BITCOIN_TESTNET,
    ("Litecoin", "mainnet"): Network.LITECOIN,
    ("Dogecoin", "mainnet"): Network.DOGECOIN,
    ("Bitcoin Cash", "mainnet"): Network.BITCOIN_CASH,
}


def _xpub_scan_vectors() -> list[Any]:
    path = REFERENCE_DATA / "xpub-scan" / "derivation_vectors.json"
    if not path.is_file():
        return []
    return [
        pytest.param(
            v["extended_key"],
            _COINS[v["coin"], v["network"]],
            v["mode"],
            v["path"].removeprefix("m/"),
            v["address"],
            id=f"{v['coin']}-{v['network']}-{v['mode']}-{v['path'].removeprefix('m/')}",
        )
        for v in json.loads(path.read_text())["vectors"]
    ]


XPUB_SCAN_VECTORS = _xpub_scan_vectors()


@needs_data
def test_xpub_scan_vectors_were_read() -> None:
    assert len(XPUB_SCAN_VECTORS) == 59
    networks = [c.values[1] for c in XPUB_SCAN_VECTORS]
    assert {n: networks.count(n) for n in set(networks)} == {
        Network.BITCOIN: 14,
        Network.BITCOIN_TESTNET: 15,
        Network.LITECOIN: 15,
        Network.DOGECOIN: 5,
        Network.BITCOIN_CASH: 10,
    }


@pytest.mark.parametrize(("key", "network", "mode", "rel", "address"), XPUB_SCAN_VECTORS)
def test_xpub_scan_derivation_vectors(
    key: str, network: Network, mode: str, rel: str, address: str
) -> None:
    script_type = _MODES[mode]
    if network is Network.BITCOIN_CASH:
        # An xpub with Bitcoin's version bytes, read as BCH because the chain is named; the
        # vectors are in legacy (base58) format, including xpub-scan's P2SH-P2WPKH mode.
        ours = _derive_one_bch_legacy(key, script_type, rel)
        assert ours == address
        return
    # Ltub/Mtub/dgub name their chain; tpub names testnet.
    assert parse_input(key, script_types=[script_type]).network is network
    assert _derive_one(key, script_type, rel, network=network) == address


def _derive_one_bch_legacy(key: str, script_type: str, rel: str) -> str:
    branch, index = (int(p) for p in rel.split("/"))
    (derived,) = derive_addresses(
        key, script_type, branch, index, 1, network=Network.BITCOIN_CASH, legacy_format=True
    )
    return derived.address


# --- independent cross-check against bip_utils ----------------------------------------------

CROSS_CHECK_KEYS = [
    # BIP84 zpub (mainnet), BIP49 upub (testnet), trezor 'all all ...' tpub (testnet)
    (
        "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
        "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
    ),
    (
        "upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93"
        "oac7Wk3u6moKegAEWtGNF8DehrnHtv21XXEMYRUocHqguyjknFHYfgY"
    ),
    (
        "tpubDC88gkaZi5HvJGxGDNLADkvtdpni3mLmx6vr2KnXmWMG8zfkBRgg"
        "sxHVBkUpgcwPe2KKpkyvTJCdXHb1UHEWE64vczyyPQfHr1skBcsRedN"
    ),
]


def _bip_utils_address(key: str, script_type: ScriptType, branch: int, index: int) -> str:
    xkey = decode_extended_key(key)
    raw_version = b58check_decode(key)[:4]
    node = Bip32Secp256k1.FromExtendedKey(key, Bip32KeyNetVersions(raw_version, b"\0\0\0\0"))
    child = node.ChildKey(branch).ChildKey(index).PublicKey().KeyObject()
    testnet = xkey.network is Network.BITCOIN_TESTNET
    hrp = "tb" if testnet else "bc"
    if script_type is ScriptType.P2PKH:
        return str(P2PKHAddrEncoder.EncodeKey(child, net_ver=b"\x6f" if testnet else b"\x00"))
    if script_type is ScriptType.P2SH_P2WPKH:
        return str(P2SHAddrEncoder.EncodeKey(child, net_ver=b"\xc4" if testnet else b"\x05"))
    if script_type is ScriptType.P2WPKH:
        return str(P2WPKHAddrEncoder.EncodeKey(child, hrp=hrp))
    return str(P2TRAddrEncoder.EncodeKey(child, hrp=hrp))


@pytest.mark.parametrize("key", CROSS_CHECK_KEYS, ids=lambda k: k[:4])
@pytest.mark.parametrize(
    "script_type",
    [ScriptType.P2PKH, ScriptType.P2SH_P2WPKH, ScriptType.P2WPKH, ScriptType.P2TR],
    ids=lambda s: s.value,
)
def test_cross_check_with_bip_utils(key: str, script_type: ScriptType) -> None:
    rng = random.Random(f"{key}-{script_type.value}")
    for _ in range(200):
        branch = rng.randrange(2)
        index = rng.choice([rng.randrange(100), rng.randrange(2**31)])
        ours = _derive_one(key, script_type, f"{branch}/{index}")
        assert ours == _bip_utils_address(key, script_type, branch, index), (branch, index)


# --- behaviour --------------------------------------------------------------------------------

ZPUB = CROSS_CHECK_KEYS[0]


def test_batches_are_contiguous_and_paths_relative() -> None:
    whole = derive_addresses(ZPUB, "p2wpkh", 1, 0, 30)
    parts = derive_addresses(ZPUB, "p2wpkh", 1, 0, 10) + derive_addresses(ZPUB, "p2wpkh", 1, 10, 20)
    assert whole == parts
    assert [a.index for a in whole] == list(range(30))
    assert whole[7].path_suffix == "1/7"
    assert derive_addresses(ZPUB, "p2wpkh", 0, 5, 0) == []


def test_slip132_version_does_not_change_the_addresses() -> None:
    as_xpub = b58check_encode(bytes.fromhex("0488b21e") + b58check_decode(ZPUB)[4:])
    assert derive_addresses(as_xpub, "p2wpkh", 0, 0, 5) == derive_addresses(ZPUB, "p2wpkh", 0, 0, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"branch": 2}, "branch must be 0"),
        ({"start": -1}, "start must be >= 0"),
        ({"count": 10**6}, "count between 0 and"),
        ({"start": 2**31 - 1, "count": 2}, "below 2\\^31"),
        ({"script_type": "p2wsh"}, "cannot be derived from a single account key"),
        ({"script_type": "nope"}, "unknown script type"),
        ({"network": Network.BITCOIN_TESTNET}, "mainnet key but testnet was requested"),
        ({"key": ZPUB[:-1] + "t"}, "checksum is wrong"),
    ],
)
def test_derive_argument_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "key": ZPUB,
        "script_type": "p2wpkh",
        "branch": 0,
        "start": 0,
        "count": 5,
    }
    args.update(kwargs)
    network = args.pop("network", None)
    with pytest.raises(InputError, match=message):
        derive_addresses(**args, network=network)


def test_reference_data_location(reference_data: Path) -> None:
    assert (reference_data / "INDEX.md").is_file()
