"""EVM addresses: EIP-55 checksums (the EIP's own vectors), and the small ABI helpers."""

from __future__ import annotations

import pytest
from walletscan_keys import InputError
from walletscan_keys.evm import (
    checksum_address,
    keccak256,
    looks_like_evm_address,
    parse_evm_address,
)
from walletscan_keys.evm_abi import (
    TRANSFER_TOPIC,
    address_topic,
    decode_text,
    decode_uint,
    encode_call,
    selector,
    topic_address,
)

# EIP-55's test vectors: all caps, all lower, and mixed-case checksummed addresses.
EIP55_MIXED = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_CAPS = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
]
EIP55_LOWER = [
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
]


def test_keccak_is_ethereums_not_sha3() -> None:
    # keccak256("") differs from NIST SHA3-256("") (a7ffc6f8…).
    assert (
        keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


@pytest.mark.parametrize("address", EIP55_MIXED)
def test_checksummed_addresses_pass_and_normalise_to_lower_case(address: str) -> None:
    parsed = parse_evm_address(address)
    assert parsed.address == address.lower()
    assert parsed.checksummed == address == checksum_address(address.lower())


@pytest.mark.parametrize("address", EIP55_CAPS + EIP55_LOWER)
def test_single_case_addresses_carry_no_checksum_and_are_accepted(address: str) -> None:
    parsed = parse_evm_address(address)
    assert parsed.address == address.lower()
    assert parsed.checksummed == checksum_address(address)


@pytest.mark.parametrize("address", EIP55_MIXED)
def test_one_flipped_letter_fails_the_checksum_with_a_clear_message(address: str) -> None:
    i = next(i for i, c in enumerate(address) if i > 1 and c.isalpha())
    flipped = address[:i] + address[i].swapcase() + address[i + 1 :]
    with pytest.raises(InputError, match="EIP-55 checksum") as refused:
        parse_evm_address(flipped)
    assert "lower case" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "38 hex digits"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedaa", "42 hex digits"),
        ("0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not an EVM address"),
        ("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not an EVM address"),
    ],
)
def test_malformed_addresses_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        parse_evm_address(text)


def test_looks_like_evm_address() -> None:
    assert looks_like_evm_address(EIP55_MIXED[0])
    assert looks_like_evm_address("0x1234")  # wrong length, but meant as one
    assert not looks_like_evm_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")


def test_erc20_selectors_and_transfer_topic_are_the_well_known_ones() -> None:
    assert selector("balanceOf(address)").hex() == "70a08231"
    assert selector("decimals()").hex() == "313ce567"
    assert selector("symbol()").hex() == "95d89b41"
    assert TRANSFER_TOPIC == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def test_call_encoding_and_topics_round_trip() -> None:
    a = EIP55_LOWER[0]
    data = encode_call("transfer(address,uint256)", a, 10**18)
    assert data[:10] == "0xa9059cbb"
    assert data[10:74] == "0" * 24 + a[2:]
    assert decode_uint("0x" + data[74:]) == 10**18
    assert topic_address(address_topic(a)) == a


def test_text_results_are_strings_or_old_style_bytes32() -> None:
    # "SCN" as an ABI string: offset 0x20, length 3, padded data.
    abi_string = "0x" + f"{32:064x}" + f"{3:064x}" + b"SCN".hex().ljust(64, "0")
    assert decode_text(abi_string) == "SCN"
    # MKR-style bytes32 symbol.
    assert decode_text("0x" + b"MKR".hex().ljust(64, "0")) == "MKR"
    with pytest.raises(ValueError, match="not an ABI string"):
        decode_text("0x1234")


def test_parse_input_takes_0x_addresses_on_the_requested_evm_chain() -> None:
    from walletscan_contracts.chains import Network, ScriptType
    from walletscan_keys import parse_input

    parsed = parse_input(EIP55_MIXED[0])
    assert (parsed.kind, parsed.network, parsed.display) == (
        "address",
        Network.ETHEREUM,
        EIP55_MIXED[0],
    )
    assert parsed.addresses[0].address == EIP55_MIXED[0].lower()
    assert parsed.addresses[0].script_type is ScriptType.ACCOUNT
    assert parse_input(EIP55_LOWER[0], network=Network.POLYGON).network is Network.POLYGON
    many = parse_input("\n".join([*EIP55_LOWER, EIP55_LOWER[0].upper().replace("0X", "0x")]))
    assert many.kind == "addresses" and len(many.addresses) == 2
    with pytest.raises(InputError, match="EVM accounts, but Bitcoin was requested"):
        parse_input(EIP55_LOWER[0], network=Network.BITCOIN)
    with pytest.raises(InputError, match="mixes EVM"):
        parse_input(f"{EIP55_LOWER[0]} bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
    with pytest.raises(InputError, match=r"entry 2: .*EIP-55"):
        parse_input(f"{EIP55_LOWER[0]}\n{EIP55_MIXED[0].swapcase().replace('0X', '0x')}")
    with pytest.raises(InputError, match="64-digit hex"):
        parse_input("0x" + "ab" * 32)
