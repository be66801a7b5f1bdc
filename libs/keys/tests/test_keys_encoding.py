"""Base58Check and bech32/bech32m: BIP173 and BIP350 test vectors, and the fast encoder."""

from __future__ import annotations

import os

import pytest
from walletscan_contracts.chains import Network, ScriptType
from walletscan_keys import InputError, parse_address
from walletscan_keys.encoding import (
    Bech32Variant,
    ChecksumMismatch,
    EncodingError,
    b58check_decode,
    b58check_encode,
    b58decode,
    b58encode,
    bech32_decode,
    bech32_encode,
    convertbits,
    segwit_decode,
    segwit_encode,
)

# BIP173 "Test vectors": valid bech32 strings
BECH32_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11" + "q" * 82 + "c8247j",  # 90 characters, the maximum
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
# BIP350 "Test vectors for Bech32m": valid bech32m strings
BECH32M_VALID = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]
# BIP173/BIP350 invalid strings (checksum level)
BECH32_INVALID = [
    "\x201nwldj5",  # HRP character out of range
    "\x7f1axkwrx",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",  # no separator
    "1pzry9x0s0muk",  # empty HRP
    "x1b4n0q5v",  # invalid data character
    "li1dgmt3",  # too short checksum
    "A1G7SGD8",  # checksum calculated with uppercase form of HRP
    "10a06t8",  # empty HRP
    "1qzzfhee",  # empty HRP
    "1p2gdwpf",  # empty HRP (bech32m)
]

# BIP350 valid segwit addresses with their scriptPubKey
SEGWIT_VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]
# BIP173 + BIP350 invalid segwit addresses
SEGWIT_INVALID = [
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",  # invalid HRP
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # invalid checksum
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",  # invalid witness version
    "bc1rw5uspcuh",  # invalid program length
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # invalid v0 program length
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",  # mixed case
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  # zero padding of more than 4 bits
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",  # non-zero padding
    "bc1gmk9yu",  # empty data section
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid HRP
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 for v1
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",  # bech32 for v2
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 for v16
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m for v0
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",  # bech32m for v0
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid character
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # invalid witness version
    "bc1pw5dgrnzv",  # 1-byte program
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # padding > 4 bits
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",  # non-zero padding
]


def _script_pubkey(witver: int, program: bytes) -> str:
    op = witver + 0x50 if witver else 0
    return (bytes((op, len(program))) + program).hex()


@pytest.mark.parametrize("text", BECH32_VALID)
def test_bech32_valid_strings(text: str) -> None:
    hrp, _, variant = bech32_decode(text)
    assert variant is Bech32Variant.BECH32
    assert hrp == text[: text.rfind("1")].lower()


@pytest.mark.parametrize("text", BECH32M_VALID)
def test_bech32m_valid_strings(text: str) -> None:
    _, _, variant = bech32_decode(text)
    assert variant is Bech32Variant.BECH32M


@pytest.mark.parametrize("text", BECH32_INVALID)
def test_bech32_invalid_strings(text: str) -> None:
    with pytest.raises(EncodingError):
        bech32_decode(text)


@pytest.mark.parametrize(("address", "script"), SEGWIT_VALID)
def test_segwit_valid_addresses_decode_and_reencode(address: str, script: str) -> None:
    hrp, witver, program = segwit_decode(address)
    assert _script_pubkey(witver, program) == script
    assert segwit_encode(hrp, witver, program) == address.lower()


@pytest.mark.parametrize("address", SEGWIT_INVALID)
def test_segwit_invalid_addresses_are_refused(address: str) -> None:
    with pytest.raises(InputError):
        parse_address(address)


@pytest.mark.parametrize(
    ("address", "network", "kind"),
    [
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", Network.BITCOIN, ScriptType.P2WPKH),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            Network.BITCOIN_TESTNET,
            ScriptType.P2WSH,
        ),
        (
            "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
            Network.BITCOIN_TESTNET,
            ScriptType.P2TR,
        ),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            Network.BITCOIN,
            ScriptType.P2TR,
        ),
    ],
)
def test_supported_segwit_addresses_parse(address: str, network: Network, kind: ScriptType) -> None:
    parsed = parse_address(address)
    assert (parsed.address, parsed.network, parsed.script_type) == (address.lower(), network, kind)


@pytest.mark.parametrize(
    "address",
    [
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "BC1SW50QGDZ25J",
        "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    ],
)
def test_valid_but_unknown_witness_programs_are_refused_with_reason(address: str) -> None:
    with pytest.raises(InputError, match="only P2WPKH, P2WSH and P2TR"):
        parse_address(address)


def test_taproot_program_off_the_curve_is_refused() -> None:
    # x = 5 is not the x coordinate of a secp256k1 point
    address = segwit_encode("bc", 1, bytes(31) + b"\x05")
    with pytest.raises(InputError, match="not a point"):
        parse_address(address)


def test_segwit_encode_matches_the_reference_construction() -> None:
    for length in range(2, 41):
        for witver in (0, 1, 2, 16):
            program = os.urandom(length)
            data = [witver, *convertbits(program, 8, 5, pad=True)]
            variant = Bech32Variant.BECH32 if witver == 0 else Bech32Variant.BECH32M
            for hrp in ("bc", "tb"):
                assert segwit_encode(hrp, witver, program) == bech32_encode(hrp, data, variant)


def test_base58_round_trip_and_leading_zeros() -> None:
    for payload in (b"", b"\0", b"\0\0\x01", os.urandom(21), b"\0" + os.urandom(20)):
        assert b58decode(b58encode(payload)) == payload
        assert b58check_decode(b58check_encode(payload)) == payload


def test_base58check_detects_a_typo() -> None:
    good = "1AKDDsfTh8uY4X3ppy1m7jw1fVMBSMkzjP"
    assert b58check_decode(good)[1:].hex() == "662ad25db00e7bb38bc04831ae48b4b446d12698"
    with pytest.raises(ChecksumMismatch):
        b58check_decode("1AKDDsfTh8uY4X3ppy1m7jw1fVMBSMkzjQ")
    with pytest.raises(EncodingError, match="not a base58 character"):
        b58decode("1AKDDsfTh8uY4X3ppy1m7jw1fVMBSMkzj0")
