"""Litecoin, Dogecoin and Bitcoin Cash keys: SLIP-132 versions, the chain named by the user for
keys with Bitcoin versions, cashaddr, and probing of keys that do not say their script type."""

from __future__ import annotations

import json

import pytest
from bip_utils import (
    BchP2PKHAddrDecoder,
    Bip39SeedGenerator,
    Bip44,
    Bip44Changes,
    Bip44Coins,
)
from walletscan_contracts.chains import Network, ScriptType
from walletscan_keys import InputError, PrivateKeyRefused, derive_addresses, parse_input
from walletscan_keys.addresses import p2pkh_from_hash, p2sh_from_hash
from walletscan_keys.encoding import b58check_decode, b58check_encode
from walletscan_keys.networks import PARAMS

from .conftest import REFERENCE_DATA

XPUB_SCAN = REFERENCE_DATA / "xpub-scan" / "derivation_vectors.json"
ACCOUNT_VECTORS = REFERENCE_DATA / "bip-vectors" / "account_xpub_to_address_vectors.json"


def _key(coin: str) -> str:
    vectors = json.loads(XPUB_SCAN.read_text())["vectors"]
    return next(v["extended_key"] for v in vectors if v["coin"] == coin)


def _with_version(key: str, version: int) -> str:
    return b58check_encode(version.to_bytes(4, "big") + b58check_decode(key)[4:])


# --- cashaddr ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "cashaddr"),
    [
        # The examples of the cashaddr specification (spec/cashaddr.md, "Examples of address
        # translation"): the same hash as a legacy and as a cashaddr address.
        (
            "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu",
            "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a",
        ),
        (
            "1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR",
            "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy",
        ),
        (
            "16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb",
            "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r",
        ),
        (
            "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC",
            "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq",
        ),
        (
            "3LDsS579y7sruadqu11beEJoTjdFiFCdX4",
            "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e",
        ),
        (
            "31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw",
            "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37",
        ),
    ],
)
def test_cashaddr_matches_the_specification(legacy: str, cashaddr: str) -> None:
    payload = b58check_decode(legacy)
    params = PARAMS[Network.BITCOIN_CASH]
    encode = p2pkh_from_hash if payload[0] == 0 else p2sh_from_hash
    assert encode(payload[1:], params) == cashaddr


def test_bch_xpub_derives_cashaddr_by_default_and_legacy_on_request() -> None:
    key = _key("Bitcoin Cash")
    parsed = parse_input(key, network=Network.BITCOIN_CASH)
    # No segwit on BCH: a bare xpub is P2PKH only, so there is nothing to probe.
    assert parsed.network is Network.BITCOIN_CASH
    assert parsed.script_types == (ScriptType.P2PKH,)
    assert not parsed.probing
    assert parsed.path_prefix == "m/44'/145'/0'"
    cash = derive_addresses(key, "p2pkh", 0, 0, 5, network=Network.BITCOIN_CASH)
    legacy = derive_addresses(
        key, "p2pkh", 0, 0, 5, network=Network.BITCOIN_CASH, legacy_format=True
    )
    chain = Bip44.FromExtendedKey(key, Bip44Coins.BITCOIN_CASH).Change(Bip44Changes.CHAIN_EXT)
    for c, lg in zip(cash, legacy, strict=True):
        # bip_utils encodes cashaddr independently; the legacy form carries the same hash.
        assert c.address == chain.AddressIndex(c.index).PublicKey().ToAddress()
        key_hash = BchP2PKHAddrDecoder.DecodeAddr(c.address, hrp="bitcoincash", net_ver=b"\0")
        assert lg.address == b58check_encode(b"\0" + key_hash)


# --- Trezor's "all all …" wallet: Litecoin and Bitcoin Cash addresses without account keys ---


def _trezor_chain_vectors() -> list[tuple[str, str, str]]:
    if not ACCOUNT_VECTORS.is_file():
        return []
    for group in json.loads(ACCOUNT_VECTORS.read_text())["groups"]:
        extra = group.get("addresses_without_account_key_in_these_files")
        if extra:
            return [
                (title, rel, address)
                for title, addresses in extra.items()
                for rel, address in addresses.items()
            ]
    return []


@pytest.mark.parametrize(("title", "rel", "address"), _trezor_chain_vectors())
def test_trezor_litecoin_and_bch_addresses(title: str, rel: str, address: str) -> None:
    # The files give no account key: compute it from the published mnemonic (test-only use of
    # a seed), then derive with walletscan from the account's PUBLIC key alone.
    seed = Bip39SeedGenerator(" ".join(["all"] * 12)).Generate()
    coin, network = (
        (Bip44Coins.LITECOIN, Network.LITECOIN)
        if title.startswith("Litecoin")
        else (Bip44Coins.BITCOIN_CASH, Network.BITCOIN_CASH)
    )
    account = Bip44.FromSeed(seed, coin).Purpose().Coin().Account(0)
    key = account.PublicKey().ToExtended()
    parsed = parse_input(key, network=network)
    assert parsed.path_prefix == f"m/44'/{PARAMS[network].coin_type}'/0'"
    branch, index = (int(p) for p in rel.split("/"))
    (derived,) = derive_addresses(key, "p2pkh", branch, index, 1, network=network)
    assert derived.address == address


# --- Litecoin and Dogecoin key versions ----------------------------------------------------------


def test_ltub_is_probed_and_mtub_is_nested_segwit() -> None:
    ltub = _key("Litecoin")
    parsed = parse_input(ltub)
    assert (parsed.input_type, parsed.network, parsed.probing) == (
        "Ltub",
        Network.LITECOIN,
        True,
    )
    assert parsed.script_types == (ScriptType.P2PKH, ScriptType.P2SH_P2WPKH, ScriptType.P2WPKH)
    assert parsed.path_prefixes == ("m/44'/2'/0'", "m/49'/2'/0'", "m/84'/2'/0'")
    mtub = parse_input(_with_version(ltub, 0x01B26EF6))
    assert (mtub.input_type, mtub.script_types) == ("Mtub", (ScriptType.P2SH_P2WPKH,))
    (first,) = derive_addresses(mtub.key or "", "p2sh-p2wpkh", 0, 0, 1)
    assert first.address.startswith("M")


def test_bitcoin_versioned_keys_are_read_on_the_named_chain() -> None:
    ltub = _key("Litecoin")
    as_zpub = _with_version(ltub, 0x04B24746)
    parsed = parse_input(as_zpub, network=Network.LITECOIN)
    assert (parsed.network, parsed.script_types) == (Network.LITECOIN, (ScriptType.P2WPKH,))
    assert parsed.path_prefix == "m/84'/2'/0'"
    same = derive_addresses(ltub, "p2wpkh", 0, 0, 3)
    assert derive_addresses(as_zpub, "p2wpkh", 0, 0, 3, network=Network.LITECOIN) == same
    assert same[0].address.startswith("ltc1q")
    # … but a Litecoin key is never read as a Bitcoin one.
    with pytest.raises(InputError, match="is a Litecoin key but mainnet was requested"):
        parse_input(ltub, network=Network.BITCOIN)


def test_dogecoin_has_no_segwit() -> None:
    dgub = _key("Dogecoin")
    parsed = parse_input(dgub)
    assert (parsed.input_type, parsed.network, parsed.script_types, parsed.probing) == (
        "dgub",
        Network.DOGECOIN,
        (ScriptType.P2PKH,),
        False,
    )
    assert parsed.path_prefix == "m/44'/3'/0'"
    with pytest.raises(InputError, match="Dogecoin has no p2wpkh addresses"):
        parse_input(dgub, script_types=["p2wpkh"])
    with pytest.raises(InputError, match="Dogecoin has no segwit addresses"):
        derive_addresses(dgub, "p2wpkh", 0, 0, 1)


@pytest.mark.parametrize(("prefix", "version"), [("Ltpv", 0x019D9CFE), ("dgpv", 0x02FAC398)])
def test_other_chains_private_keys_are_refused(prefix: str, version: int) -> None:
    key = _with_version(_key("Litecoin"), version)
    assert key.startswith(prefix)
    with pytest.raises(PrivateKeyRefused, match=f"'{prefix}' is an extended PRIVATE key"):
        parse_input(key)
