"""Output descriptors against the BIP380-389 test vectors, multisig wallets whose addresses were
checked in Caravan, and walletscan's own single-key derivation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from bip_utils import Bip32Secp256k1
from coincurve import PrivateKey
from walletscan_contracts.chains import Network, ScriptType
from walletscan_keys import InputError, PrivateKeyRefused, derive_addresses, parse_input
from walletscan_keys.descriptor_checksum import descriptor_checksum, split_checksum
from walletscan_keys.descriptors import derive_descriptor_addresses, parse_descriptor
from walletscan_keys.encoding import b58check_decode

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "descriptor_vectors.json").read_text()
)
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]{50,112}")

# BIP84 test vector account (m/84'/0'/0' of "abandon … about"), BIP86 account xpub.
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
    "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
)
XPUB_86 = (
    "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yf"
    "dDEHGCtMMj92pReUsQ"
)


def publicize(descriptor: str) -> str:
    """The BIP vectors are written with private keys; walletscan refuses them, so the tests
    turn each one into its public key (same scripts, by definition of the vectors)."""

    def public(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith(("xprv", "tprv")):
            return str(Bip32Secp256k1.FromExtendedKey(token).PublicKey().ToExtended())
        try:
            payload = b58check_decode(token)
        except ValueError:
            return token
        if len(payload) in (33, 34) and payload[0] in (0x80, 0xEF):
            compressed = len(payload) == 34
            return PrivateKey(payload[1:33]).public_key.format(compressed=compressed).hex()
        return token

    return _BASE58.sub(public, descriptor)


def _private(descriptor: str) -> bool:
    return publicize(descriptor) != descriptor


# --- BIP380 checksum --------------------------------------------------------------------------


@pytest.mark.parametrize("text", VECTORS["checksum_valid"])
def test_bip380_valid_checksums(text: str) -> None:
    body, checksum = split_checksum(text)
    assert body == "raw(deadbeef)"
    assert checksum in (None, "89f8spxm")
    assert parse_descriptor(text).scripts(0, 0, 1) == [bytes.fromhex("deadbeef")]


@pytest.mark.parametrize(("text", "message"), VECTORS["checksum_invalid"])
def test_bip380_invalid_checksums_say_why(text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_descriptor(text)


@pytest.mark.parametrize(("body", "checksum"), VECTORS["checksums"].items())
def test_published_checksums(body: str, checksum: str) -> None:
    assert descriptor_checksum(body) == checksum
    parse_descriptor(f"{body}#{checksum}")
    wrong = checksum[:-1] + ("q" if checksum[-1] != "q" else "p")
    with pytest.raises(InputError, match=f"computes to #{checksum}"):
        parse_descriptor(f"{body}#{wrong}")


# --- BIP380 key expressions -------------------------------------------------------------------


@pytest.mark.parametrize("key", VECTORS["key_expressions_valid"])
def test_bip380_valid_public_key_expressions(key: str) -> None:
    parsed = parse_descriptor(f"pkh({key})")
    assert parsed.script_type is ScriptType.P2PKH
    assert len(parsed.scripts(0, 0, 1)[0]) == 25


@pytest.mark.parametrize("key", VECTORS["key_expressions_need_private_key"])
def test_bip380_hardened_steps_after_a_public_key_need_the_private_key(key: str) -> None:
    with pytest.raises(InputError, match="private key"):
        parse_descriptor(f"pkh({key})")


@pytest.mark.parametrize("key", VECTORS["key_expressions_private"])
def test_bip380_private_key_expressions_are_refused(key: str) -> None:
    with pytest.raises(PrivateKeyRefused, match="never accepts private keys"):
        parse_input(f"pkh({key})")


@pytest.mark.parametrize("key", VECTORS["key_expressions_invalid"])
def test_bip380_invalid_key_expressions(key: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_descriptor(f"pkh({key})")
    assert not isinstance(caught.value, PrivateKeyRefused)


# --- BIP381-386 scripts -------------------------------------------------------------------


def _script_cases() -> list[Any]:
    cases = []
    for descriptor, scripts in VECTORS["scripts"]:
        public = publicize(descriptor)
        hardened = re.search(r"(xpub|tpub)\w+(/\d+)*/\d+['h]", public) or "*'" in public
        marks = []
        if hardened or "*h" in public:
            marks.append(
                pytest.mark.skip(reason="hardened steps after the key need its private key")
            )
        cases.append(pytest.param(descriptor, public, scripts, id=descriptor[:40], marks=marks))
    return cases


@pytest.mark.parametrize(("original", "descriptor", "scripts"), _script_cases())
def test_bip_script_vectors(original: str, descriptor: str, scripts: list[str]) -> None:
    parsed = parse_descriptor(descriptor)
    assert [s.hex() for s in parsed.scripts(0, 0, len(scripts))] == scripts
    if _private(original):
        with pytest.raises(PrivateKeyRefused):
            parse_input(original)


def test_hardened_vectors_with_private_keys_are_refused() -> None:
    skipped = [d for d, _ in VECTORS["scripts"] if re.search(r"/\d+['h]|\*['h]", d.split("]")[-1])]
    assert len(skipped) == 3
    for descriptor in skipped:
        with pytest.raises(PrivateKeyRefused):
            parse_input(descriptor)


@pytest.mark.parametrize("descriptor", VECTORS["taproot_trees"])
def test_taproot_script_trees_are_not_supported_yet(descriptor: str) -> None:
    with pytest.raises(InputError, match="script trees"):
        parse_descriptor(descriptor)


@pytest.mark.parametrize(("descriptor", "message"), VECTORS["invalid"])
def test_bip_invalid_descriptors(descriptor: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_descriptor(descriptor)


# --- BIP389 multipath -----------------------------------------------------------------------


@pytest.mark.parametrize(("descriptor", "expanded"), VECTORS["multipath"])
def test_bip389_multipath_expansions(descriptor: str, expanded: list[str]) -> None:
    parsed = parse_descriptor(descriptor)
    assert parsed.alternatives == len(expanded)
    for alternative, single in enumerate(expanded):
        assert parsed.single_path(alternative).split("#")[0] == single
        want = parse_descriptor(single).scripts(0, 0, 3)
        assert parsed.scripts(alternative, 0, 3) == want


# --- multisig wallets (buidl tests, checked against Caravan) ------------------------------


@pytest.mark.parametrize(
    "wallet", VECTORS["multisig_addresses"], ids=lambda w: w["descriptor"][-8:]
)
def test_multisig_wallet_addresses(wallet: dict[str, Any]) -> None:
    descriptor = wallet["descriptor"]
    parsed = parse_input(descriptor)
    assert parsed.kind == "descriptor"
    assert parsed.network is Network.BITCOIN_TESTNET
    assert parsed.script_types == (ScriptType.P2WSH,)
    for index, address in enumerate(wallet["receive"]):
        if address is None:
            continue
        (derived,) = derive_descriptor_addresses(descriptor, index, 1)
        assert derived.address == address
        assert derived.path_suffix == f"0/{index}"
    if wallet["change"]:
        change = descriptor.split("#")[0].replace("/0/*", "/1/*")
        got = [a.address for a in derive_descriptor_addresses(change, 0, len(wallet["change"]))]
        assert got == wallet["change"]
        multipath = descriptor.split("#")[0].replace("/0/*", "/<0;1>/*")
        both = parse_input(multipath)
        assert [(c.branch, c.script_type) for c in both.chains] == [
            (0, ScriptType.P2WSH),
            (1, ScriptType.P2WSH),
        ]
        assert both.path_prefix == "m/48'/1'/0'/2'"
        chains = [derive_descriptor_addresses(c.descriptor or "", 0, 3) for c in both.chains]
        assert [a.address for a in chains[0]] == wallet["receive"]
        assert [a.address for a in chains[1]] == wallet["change"]


def test_sortedmulti_does_not_depend_on_key_order() -> None:
    wallet = VECTORS["multisig_addresses"][0]["descriptor"].split("#")[0]
    keys = re.findall(r"\[[^\]]+\]tpub\w+/0/\*", wallet)
    reordered = "wsh(sortedmulti(1," + ",".join(reversed(keys)) + "))"
    assert derive_descriptor_addresses(reordered, 0, 5) == derive_descriptor_addresses(wallet, 0, 5)
    unsorted = reordered.replace("sortedmulti", "multi")
    got = derive_descriptor_addresses(unsorted, 0, 10)
    assert got != derive_descriptor_addresses(wallet, 0, 10)


def test_multisig_slip132_keys_are_accepted_inside_descriptors() -> None:
    wallet = VECTORS["multisig_addresses"][1]
    tpubs = re.findall(r"tpub\w+", wallet["descriptor"])
    vpubs = [_with_version(k, 0x02575483) for k in tpubs]
    assert all(v.startswith("Vpub") for v in vpubs)
    text = wallet["descriptor"].split("#")[0]
    for tpub, vpub in zip(tpubs, vpubs, strict=True):
        text = text.replace(tpub, vpub)
    (first,) = derive_descriptor_addresses(text, 0, 1)
    assert first.address == wallet["receive"][0]
    with pytest.raises(InputError, match="multisig keys need a descriptor"):
        parse_input(vpubs[0])


def _with_version(key: str, version: int) -> str:
    from walletscan_keys.encoding import b58check_encode

    return b58check_encode(version.to_bytes(4, "big") + b58check_decode(key)[4:])


# --- single-key descriptors agree with account-key derivation ------------------------------


@pytest.mark.parametrize(
    ("template", "script_type", "path"),
    [
        ("pkh([73c5da0a/44h/0h/0h]{key}/<0;1>/*)", ScriptType.P2PKH, "m/44'/0'/0'"),
        ("sh(wpkh([73c5da0a/49h/0h/0h]{key}/<0;1>/*))", ScriptType.P2SH_P2WPKH, "m/49'/0'/0'"),
        ("wpkh([73c5da0a/84h/0h/0h]{key}/<0;1>/*)", ScriptType.P2WPKH, "m/84'/0'/0'"),
        ("tr([73c5da0a/86'/0'/0']{key}/<0;1>/*)", ScriptType.P2TR, "m/86'/0'/0'"),
    ],
)
def test_single_key_descriptors_match_account_derivation(
    template: str, script_type: ScriptType, path: str
) -> None:
    text = template.format(key=ZPUB)
    parsed = parse_input(text)
    assert parsed.script_types == (script_type,)
    assert parsed.path_prefix == path
    for chain in parsed.chains:
        ours = derive_descriptor_addresses(chain.descriptor or "", 0, 40)
        want = derive_addresses(ZPUB, script_type, chain.branch, 0, 40)
        assert [a.address for a in ours] == [a.address for a in want]
        assert [a.path_suffix for a in ours] == [a.path_suffix for a in want]


def test_bip86_taproot_descriptor_vector() -> None:
    # BIP86: m/86'/0'/0'/0/0 of "abandon … about".
    (first,) = derive_descriptor_addresses(f"tr([73c5da0a/86'/0'/0']{XPUB_86}/0/*)", 0, 1)
    assert first.address == "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"


# --- what the scanner makes of a descriptor ------------------------------------------------


def test_single_chain_descriptor_is_one_track() -> None:
    receive = parse_input(f"wpkh({ZPUB}/0/*)")
    change = parse_input(f"wpkh({ZPUB}/1/*)")
    assert [(c.branch, c.path_prefix) for c in receive.chains] == [(0, "m/…")]
    assert [c.branch for c in change.chains] == [1]


def test_descriptor_display_never_holds_a_key() -> None:
    wallet = VECTORS["multisig_addresses"][1]["descriptor"]
    parsed = parse_input(wallet)
    assert parsed.display == "wsh(sortedmulti(2-of-3)) descriptor"
    assert "tpub" not in repr(parsed)


def test_non_ranged_descriptors_are_addresses() -> None:
    parsed = parse_input("wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)")
    assert parsed.kind == "address"
    assert parsed.addresses[0].address == "bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd"
    addr = parse_input("addr(bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd)")
    assert addr.kind == "address"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"wpkh({ZPUB}/<0;1;2>/*)", "receive and a change chain"),
        (f"wpkh({ZPUB}/*h)", "hardened children"),
        (f"wpkh({ZPUB}/0h/*)", "hardened step"),
        (f"multi(1,{ZPUB}/*)", "no address"),
        (f"wpkh({ZPUB}/0/*", "parentheses"),
        (f"wsh(sortedmulti(1,{ZPUB}/0/*,{ZPUB}/1))", "end with /* and others do not"),
        (f"combo({ZPUB}/*)", "combo() descriptors are not supported"),
        (f"foo({ZPUB}/*)", "unknown descriptor function foo()"),
    ],
)
def test_descriptor_errors_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_input(text)


def test_descriptor_networks_must_agree() -> None:
    tpub = re.findall(r"tpub\w+", VECTORS["multisig_addresses"][1]["descriptor"])[0]
    with pytest.raises(InputError, match="mixes keys of different networks"):
        parse_input(f"wsh(multi(1,{ZPUB}/0/*,{tpub}/0/*))")
    with pytest.raises(InputError, match="testnet key but mainnet was requested"):
        parse_input(f"wpkh({tpub}/0/*)", network=Network.BITCOIN)


def test_script_types_must_agree_with_a_descriptor() -> None:
    with pytest.raises(InputError, match="makes p2wpkh addresses"):
        parse_input(f"wpkh({ZPUB}/<0;1>/*)", script_types=["p2tr"])
    assert parse_input(f"wpkh({ZPUB}/<0;1>/*)", script_types=["p2wpkh"]).kind == "descriptor"


def test_master_key_in_a_descriptor_is_allowed() -> None:
    master = (  # BIP32 test vector 1, chain m
        "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtG"
        "qsefD265TMg7usUDFdp6W1EGMcet8"
    )
    with pytest.raises(InputError, match="master key"):
        parse_input(master)
    parsed = parse_input(f"wpkh({master}/<0;1>/*)")
    assert parsed.path_prefix == "m"
    (first,) = derive_descriptor_addresses(parsed.chains[0].descriptor or "", 7, 1)
    assert first.path_suffix == "0/7"
