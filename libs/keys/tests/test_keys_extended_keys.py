"""BIP32 test vectors 1-5 and SLIP-132 version bytes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from walletscan_contracts.chains import Network, ScriptType
from walletscan_keys import (
    InputError,
    PrivateKeyRefused,
    decode_extended_key,
    derive_child,
    parse_input,
)
from walletscan_keys.encoding import b58check_decode, b58check_encode
from walletscan_keys.extended_keys import VERSIONS

from .conftest import REFERENCE_DATA

HARDENED = 0x80000000
BIP32_FILE = REFERENCE_DATA / "bip-vectors" / "bip32_test_vectors.mediawiki.txt"


def _parse_path(path: str) -> list[int]:
    out = []
    for part in path.split("/")[1:]:
        out.append(int(part[:-1]) + HARDENED if part.endswith("H") else int(part))
    return out


def _bip32_chains() -> list[tuple[str, str, str]]:
    """(vector name, path, ext pub) for vectors 1-4, in file order."""
    if not BIP32_FILE.is_file():
        return []
    text = BIP32_FILE.read_text()
    text = text.split("===Test vector 5===")[0].replace("<sub>H</sub>", "H")
    chains: list[tuple[str, str, str]] = []
    vector = ""
    path = ""
    for line in text.splitlines():
        if m := re.match(r"===(Test vector \d)===", line):
            vector = m.group(1)
        elif m := re.match(r"\* Chain (\S+)", line):
            path = m.group(1)
        elif m := re.match(r"\*\* ext pub: (\S+)", line):
            chains.append((vector, path, m.group(1)))
    return chains


def _bip32_invalid() -> list[tuple[str, str]]:
    if not BIP32_FILE.is_file():
        return []
    text = BIP32_FILE.read_text().split("===Test vector 5===")[1]
    return re.findall(r"^\* (\S+) \((.+)\)$", text, flags=re.MULTILINE)


CHAINS = _bip32_chains()
INVALID = _bip32_invalid()
needs_data = pytest.mark.skipif(not BIP32_FILE.is_file(), reason=f"{BIP32_FILE} not found")


def _public_steps() -> list[tuple[str, str, str, str]]:
    """(vector, child path, parent xpub, child xpub) where the last step is non-hardened."""
    steps = []
    by_path = {(v, p): k for v, p, k in CHAINS}
    for vector, path, key in CHAINS:
        if path == "m" or path.endswith("H"):
            continue
        parent = path.rsplit("/", 1)[0]
        steps.append((vector, path, by_path[(vector, parent)], key))
    return steps


@needs_data
def test_reference_file_was_read() -> None:
    assert len(CHAINS) == 17  # 6 + 6 + 2 + 3 chains in vectors 1-4
    assert len(INVALID) == 16
    assert len(_public_steps()) >= 5


@needs_data
@pytest.mark.parametrize(("vector", "path", "parent", "child"), _public_steps())
def test_bip32_public_derivation(vector: str, path: str, parent: str, child: str) -> None:
    index = _parse_path(path)[-1]
    public_key, chain_code = derive_child(parent, [index], allow_master=True)
    expected = decode_extended_key(child)
    assert (public_key, chain_code) == (expected.public_key, expected.chain_code), vector


@needs_data
@pytest.mark.parametrize(("vector", "path", "key"), CHAINS)
def test_bip32_public_keys_parse(vector: str, path: str, key: str) -> None:
    if path == "m":
        with pytest.raises(InputError, match="master key"):
            parse_input(key)
        return
    parsed = parse_input(key)
    assert parsed.kind == "xpub"
    assert parsed.input_type == "xpub"
    assert parsed.network is Network.BITCOIN
    # a bare xpub does not say its script type: legacy, nested and native segwit are probed
    assert parsed.probing
    assert parsed.script_types == (ScriptType.P2PKH, ScriptType.P2SH_P2WPKH, ScriptType.P2WPKH)
    assert decode_extended_key(key).depth == len(_parse_path(path))


# What each BIP32 vector 5 key must be refused for (public-version keys give a specific reason).
_INVALID_REASONS = {
    "pubkey version / prvkey mismatch": "private key data under a public key version",
    "invalid pubkey prefix 04": "starts with 0x04",
    "invalid pubkey prefix 01": "starts with 0x01",
    "zero depth with non-zero parent fingerprint": "non-zero parent fingerprint",
    "zero depth with non-zero index": "non-zero child index",
    "unknown extended key version": "unknown prefix",
    "invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007": (
        "not a point on the secp256k1 curve"
    ),
    "invalid checksum": "checksum is wrong",
}


@needs_data
@pytest.mark.parametrize(("key", "reason"), INVALID)
def test_bip32_invalid_keys_are_refused_with_a_reason(key: str, reason: str) -> None:
    with pytest.raises(InputError) as excinfo:
        parse_input(key)
    message = str(excinfo.value)
    if key.startswith("xprv") and reason != "invalid checksum":
        assert isinstance(excinfo.value, PrivateKeyRefused)
        assert "never accepts private keys" in message
    else:
        assert _INVALID_REASONS[reason] in message, message
    assert key not in message  # keys are shown shortened only


# --- SLIP-132 -------------------------------------------------------------------------------

SLIP132_PUBLIC = {
    "xpub": (0x0488B21E, Network.BITCOIN, ScriptType.P2PKH),
    "ypub": (0x049D7CB2, Network.BITCOIN, ScriptType.P2SH_P2WPKH),
    "zpub": (0x04B24746, Network.BITCOIN, ScriptType.P2WPKH),
    "tpub": (0x043587CF, Network.BITCOIN_TESTNET, ScriptType.P2PKH),
    "upub": (0x044A5262, Network.BITCOIN_TESTNET, ScriptType.P2SH_P2WPKH),
    "vpub": (0x045F1CF6, Network.BITCOIN_TESTNET, ScriptType.P2WPKH),
}
SLIP132_PRIVATE = {
    "xprv": 0x0488ADE4,
    "yprv": 0x049D7878,
    "zprv": 0x04B2430C,
    "Yprv": 0x0295B005,
    "Zprv": 0x02AA7A99,
    "tprv": 0x04358394,
    "uprv": 0x044A4E28,
    "vprv": 0x045F18BC,
    "Uprv": 0x024285B5,
    "Vprv": 0x02575048,
}
SLIP132_MULTISIG = {"Ypub": 0x0295B43F, "Zpub": 0x02AA7ED3, "Upub": 0x024289EF, "Vpub": 0x02575483}
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
    "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
)


def _with_version(key: str, version: int) -> str:
    return b58check_encode(version.to_bytes(4, "big") + b58check_decode(key)[4:])


def test_slip132_table_matches_the_reference_file(reference_data: Path) -> None:
    text = (
        reference_data / "bip-vectors" / "slip0132_version_bytes_and_test_vectors.md"
    ).read_text()
    rows = [line for line in text.splitlines() if re.match(r"\[?Bitcoin", line)]
    assert len(rows) == 10
    for version, prefix in re.findall(r"`0x([0-9a-f]{8})` - `(\w{4})`", "\n".join(rows)):
        known = VERSIONS.get(int(version, 16))
        assert known is not None, prefix
        assert known.prefix == prefix


@pytest.mark.parametrize("prefix", sorted(SLIP132_PUBLIC))
def test_slip132_public_versions(prefix: str) -> None:
    version, network, script_type = SLIP132_PUBLIC[prefix]
    key = _with_version(ZPUB, version)
    assert key.startswith(prefix)
    parsed = parse_input(key)
    generic = prefix in ("xpub", "tpub")  # "P2PKH or P2SH": probed
    assert (parsed.input_type, parsed.network, parsed.script_types[0], parsed.probing) == (
        prefix,
        network,
        script_type,
        generic,
    )
    assert len(parsed.script_types) == (3 if generic else 1)
    coin = 0 if network is Network.BITCOIN else 1
    purpose = {ScriptType.P2PKH: 44, ScriptType.P2SH_P2WPKH: 49, ScriptType.P2WPKH: 84}
    assert parsed.path_prefix == f"m/{purpose[script_type]}'/{coin}'/0'"


@pytest.mark.parametrize("prefix", sorted(SLIP132_PRIVATE))
def test_slip132_private_versions_are_refused(prefix: str) -> None:
    key = _with_version(ZPUB, SLIP132_PRIVATE[prefix])
    assert key.startswith(prefix)
    with pytest.raises(PrivateKeyRefused, match=f"'{prefix}' is an extended PRIVATE key"):
        parse_input(key)


@pytest.mark.parametrize("prefix", sorted(SLIP132_MULTISIG))
def test_slip132_multisig_versions_need_a_descriptor(prefix: str) -> None:
    key = _with_version(ZPUB, SLIP132_MULTISIG[prefix])
    assert key.startswith(prefix)
    with pytest.raises(InputError, match="multisig keys need a descriptor"):
        parse_input(key)


@pytest.mark.parametrize(("prefix", "version"), [("ttub", 0x0436F6E1)])
def test_other_chains_keys_are_named(prefix: str, version: int) -> None:
    with pytest.raises(InputError, match=f"'{prefix}' keys belong to another chain"):
        parse_input(_with_version(ZPUB, version))


def test_unknown_version_names_the_prefix() -> None:
    key = _with_version(ZPUB, 0x01020304)
    with pytest.raises(InputError, match=f"unknown prefix '{key[:4]}'"):
        parse_input(key)
