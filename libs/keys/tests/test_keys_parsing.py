"""parse_input: what users paste, and the messages they get back."""

from __future__ import annotations

import pytest
from walletscan_contracts.chains import Network, ScriptType
from walletscan_keys import InputError, ParsedAddress, PrivateKeyRefused, parse_input
from walletscan_keys.encoding import b58check_decode, b58check_encode

ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNf"
    "E3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
)
ZPRV = (
    "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4Q"
    "gEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE"
)
XPUB_44 = (
    "xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5"
    "WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj"
)
XPRV_44 = (
    "xprv9xpXFhFpqdQK3TmytPBqXtGSwS3DLjojFhTGht8gwAAii8py5X6p"
    "xeBnQ6ehJiyJ6nDjWGJfZ95WxByFXVkDxHXrqu53WCRGypk2ttuqncb"
)
TPUB = (
    "tpubDC5FSnBiZDMmhiuCmWAYsLwgLYrrT9rAqvTySfuCCrgsWz8wxMXU"
    "S9Tb9iVMvcRbvFcAHGkMD5Kx8koh4GquNGNTfohfk7pgjhaPCdXpoba"
)
UPUB = (
    "upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93"
    "oac7Wk3u6moKegAEWtGNF8DehrnHtv21XXEMYRUocHqguyjknFHYfgY"
)
VPUB = (
    "vpub5Y6cjg78GGuNLsaPhmYsiw4gYX3HoQiRBiSwDaBXKUafCt9bNwWQ"
    "iitDk5VZ5BVxYnQdwoTyXSs2JHRPAgjAvtbBrf8ZhDYe2jWAqvZVnsc"
)
UPRV = (
    "uprv91G7gZkzehuMVxDJTYE6tLivdF8e4rvzSu1LFfKw3b2Qx1Aj8vpo"
    "FnHdfUZ3hmi9jsvPifmZ24RTN2KhwB8BfMLTVqaBReibyaFFcTP1s9n"
)
MNEMONIC = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)


# --- extended keys --------------------------------------------------------------------------


def test_zpub() -> None:
    parsed = parse_input(f"  {ZPUB}\n")
    assert parsed.kind == "xpub"
    assert parsed.input_type == "zpub"
    assert parsed.network is Network.BITCOIN
    assert parsed.key == ZPUB
    assert parsed.script_types == (ScriptType.P2WPKH,)
    assert parsed.path_prefix == "m/84'/0'/0'"
    assert parsed.addresses == ()
    assert parsed.display == "zpub6rFR…GutZYs"
    assert ZPUB not in repr(parsed.display)


@pytest.mark.parametrize(
    ("key", "input_type", "network", "script_type", "path"),
    [
        (UPUB, "upub", Network.BITCOIN_TESTNET, ScriptType.P2SH_P2WPKH, "m/49'/1'/0'"),
        (VPUB, "vpub", Network.BITCOIN_TESTNET, ScriptType.P2WPKH, "m/84'/1'/0'"),
    ],
)
def test_implied_script_type_and_path(
    key: str, input_type: str, network: Network, script_type: ScriptType, path: str
) -> None:
    parsed = parse_input(key)
    assert (parsed.input_type, parsed.network, parsed.script_types, parsed.path_prefix) == (
        input_type,
        network,
        (script_type,),
        path,
    )


def test_script_types_override_for_a_bare_xpub() -> None:
    parsed = parse_input(XPUB_44, script_types=["p2wpkh"])
    assert parsed.script_types == (ScriptType.P2WPKH,)
    assert parsed.path_prefix == "m/84'/0'/0'"
    several = parse_input(XPUB_44, script_types=["p2pkh", "p2sh-p2wpkh", ScriptType.P2TR, "p2pkh"])
    assert several.script_types == (ScriptType.P2PKH, ScriptType.P2SH_P2WPKH, ScriptType.P2TR)
    assert several.path_prefixes == ("m/44'/0'/0'", "m/49'/0'/0'", "m/86'/0'/0'")
    assert parse_input(TPUB, script_types=["taproot"]).path_prefix == "m/86'/1'/0'"


def test_unknown_or_multisig_script_type_names_are_refused() -> None:
    with pytest.raises(InputError, match="unknown script type 'p2xyz'"):
        parse_input(ZPUB, script_types=["p2xyz"])
    with pytest.raises(InputError, match="needs a descriptor"):
        parse_input(ZPUB, script_types=["p2wsh"])


def test_account_number_comes_from_the_key() -> None:
    # the same key data re-labelled as account 5 (child number 5')
    raw = bytearray(b58check_decode(ZPUB))
    raw[9:13] = (0x80000005).to_bytes(4, "big")
    assert parse_input(b58check_encode(bytes(raw))).path_prefix == "m/84'/0'/5'"
    raw[4] = 4  # depth 4, non-hardened child 7: levels above are unknown
    raw[9:13] = (7).to_bytes(4, "big")
    assert parse_input(b58check_encode(bytes(raw))).path_prefix == "m/?/?/?/7"


def test_wrong_checksum() -> None:
    typo = ZPUB[:50] + ("A" if ZPUB[50] != "A" else "B") + ZPUB[51:]
    with pytest.raises(InputError, match="checksum is wrong: a character was mistyped"):
        parse_input(typo)


def test_truncated_key() -> None:
    with pytest.raises(InputError, match=r"checksum is wrong|truncated"):
        parse_input(ZPUB[:-3])


def test_master_key_refused() -> None:
    root = (
        "xpub661MyMwAqRbcFkPHucMnrGNzDwb6teAX1RbKQmqtEF8kK3Z7LZ59"
        "qafCjB9eCRLiTVG3uxBxgKvRgbubRhqSKXnGGb1aoaqLrpMBDrVxga8"
    )
    with pytest.raises(InputError, match=r"master key \(depth 0\).*depth 3, e\.g\. m/84'/0'/0'"):
        parse_input(root)


@pytest.mark.parametrize(
    ("key", "network", "message"),
    [
        (TPUB, Network.BITCOIN, "is a testnet key but mainnet was requested"),
        (ZPUB, Network.BITCOIN_TESTNET, "is a mainnet key but testnet was requested"),
    ],
)
def test_wrong_network_for_a_key(key: str, network: Network, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_input(key, network=network)
    assert parse_input(key).network is not network


# --- private material ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        XPRV_44,
        ZPRV,
        UPRV,
        (
            "tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58Lni"
            "norQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK"
        ),
        "KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d",  # WIF, compressed (BIP84 vector)
        "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ",  # WIF, uncompressed
        "cULrpoZGXiuC19Uhvykx7NugygA3k86b3hmdCeyvHYQZSxojGyXJ",  # testnet WIF (BIP49 vector)
        MNEMONIC,
        MNEMONIC.upper(),
        MNEMONIC.replace(" ", "\n"),
        " ".join(["legal", "winner", "thank", "year", "wave", "sausage", "worth", "useful"] * 3),
        # a mistyped phrase ("abandom") is refused as well
        MNEMONIC.replace("abandon about", "abandom about"),
    ],
)
def test_private_material_is_refused(secret: str) -> None:
    with pytest.raises(PrivateKeyRefused) as excinfo:
        parse_input(secret)
    message = str(excinfo.value)
    assert "walletscan never accepts private keys or seed phrases" in message
    assert "extended PUBLIC key (xpub/ypub/zpub" in message
    assert secret not in message


def test_private_key_in_an_address_list_is_refused() -> None:
    with pytest.raises(PrivateKeyRefused):
        parse_input(f"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu\n{XPRV_44}")
    with pytest.raises(PrivateKeyRefused):
        parse_input(
            "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA "
            "KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d"
        )


def test_hex_secret_is_malformed() -> None:
    with pytest.raises(InputError, match="64-digit hex"):
        parse_input("c9bdb49cfbaedca21c4b1f3a7803c34636b1d7dc55a717132443fc3f4c5867e8")


# --- addresses -------------------------------------------------------------------------------

ADDRESSES = [
    ("1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", Network.BITCOIN, ScriptType.P2PKH),
    ("37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf", Network.BITCOIN, ScriptType.P2SH),
    ("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", Network.BITCOIN, ScriptType.P2WPKH),
    (
        "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        Network.BITCOIN,
        ScriptType.P2WSH,
    ),
    (
        "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr",
        Network.BITCOIN,
        ScriptType.P2TR,
    ),
    ("mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV", Network.BITCOIN_TESTNET, ScriptType.P2PKH),
    ("2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2", Network.BITCOIN_TESTNET, ScriptType.P2SH),
    ("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl", Network.BITCOIN_TESTNET, ScriptType.P2WPKH),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        Network.BITCOIN_TESTNET,
        ScriptType.P2WSH,
    ),
    (
        "tb1pswrqtykue8r89t9u4rprjs0gt4qzkdfuursfnvqaa3f2yql07zmq8s8a5u",
        Network.BITCOIN_TESTNET,
        ScriptType.P2TR,
    ),
]


@pytest.mark.parametrize(("address", "network", "script_type"), ADDRESSES)
def test_single_address(address: str, network: Network, script_type: ScriptType) -> None:
    parsed = parse_input(address)
    assert parsed.kind == "address"
    assert parsed.input_type == "address"
    assert parsed.network is network
    assert parsed.key is None
    assert parsed.addresses == (ParsedAddress(address, network, script_type),)
    assert parsed.script_types == (script_type,)
    assert parsed.display == address
    assert parse_input(address, network=network).network is network


@pytest.mark.parametrize(("address", "network", "script_type"), ADDRESSES)
def test_address_on_the_wrong_network(
    address: str, network: Network, script_type: ScriptType
) -> None:
    other = Network.BITCOIN_TESTNET if network is Network.BITCOIN else Network.BITCOIN
    with pytest.raises(InputError, match=r"address but (mainnet|testnet) was requested"):
        parse_input(address, network=other)


def test_uppercase_bech32_is_accepted_mixed_case_is_not() -> None:
    upper = "BC1QCR8TE4KR609GCAWUTMRZA0J4XV80JY8Z306FYU"
    assert parse_input(upper).addresses[0].address == upper.lower()
    with pytest.raises(InputError, match="mixes upper and lower case"):
        parse_input("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyU")


def test_address_checksum_errors_are_specific() -> None:
    with pytest.raises(InputError, match="wrong checksum: a character was mistyped"):
        parse_input("1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabB")
    with pytest.raises(InputError, match="wrong checksum: a character was mistyped"):
        parse_input("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the input is empty"),
        ("   \n ", "the input is empty"),
        ("hello", "not a Bitcoin address"),
        ("LcubERmHD31PWup1fbozpKuiqjHZ4anxcL", "Litecoin"),
        ("bitcoincash:qr08q88p9etk89wgv05nwlrkm4l0urz4cyl36hh9sv", "Bitcoin Cash"),
        ("0xB56aa13aab4869da8ae07ad2a04ec2deec35e0f0", "EIP-55 checksum"),
        ("bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "regtest"),
        ("wpkh([5c9e228d/84h/0h/0h]xpub6DDUPHpUo4/<0;1>/*)", "not a valid extended"),
    ],
)
def test_not_scannable_input(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_input(text)


def test_address_list_dedupes_keeping_order() -> None:
    text = (
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu,\n"
        "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA  37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf;"
        "BC1QCR8TE4KR609GCAWUTMRZA0J4XV80JY8Z306FYU\n\n1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA"
    )
    parsed = parse_input(text)
    assert parsed.kind == "addresses"
    assert parsed.input_type == "addresses"
    assert parsed.network is Network.BITCOIN
    assert [a.address for a in parsed.addresses] == [
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
        "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA",
        "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf",
    ]
    assert parsed.script_types == (ScriptType.P2WPKH, ScriptType.P2PKH, ScriptType.P2SH)
    assert parsed.display == "3 addresses"


def test_address_list_of_testnet() -> None:
    parsed = parse_input(
        "mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl",
        network=Network.BITCOIN_TESTNET,
    )
    assert parsed.network is Network.BITCOIN_TESTNET
    assert len(parsed.addresses) == 2
    with pytest.raises(InputError, match="testnet addresses but mainnet was requested"):
        parse_input(
            "mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl",
            network=Network.BITCOIN,
        )


def test_address_list_errors_say_which_entry() -> None:
    with pytest.raises(InputError, match="mixes mainnet and testnet"):
        parse_input("1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV")
    with pytest.raises(InputError, match=r"entry 2: the address .* wrong checksum"):
        parse_input("1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA 1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabB")
    with pytest.raises(InputError, match="entry 2 is an extended key"):
        parse_input(f"1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA {ZPUB}")


def test_address_list_limit() -> None:
    from walletscan_keys.addresses import p2wpkh_address
    from walletscan_keys.networks import PARAMS

    many = [
        p2wpkh_address(bytes([2]) + i.to_bytes(32, "big"), PARAMS[Network.BITCOIN])
        for i in range(1001)
    ]
    assert len(parse_input("\n".join(many[:1000])).addresses) == 1000
    with pytest.raises(InputError, match="at most 1000 addresses"):
        parse_input("\n".join(many))


def test_private_key_inside_a_descriptor_is_refused() -> None:
    with pytest.raises(PrivateKeyRefused):
        parse_input(f"wpkh([73c5da0a/84h/0h/0h]{ZPRV}/<0;1>/*)")
    assert parse_input(f"wpkh([73c5da0a/84h/0h/0h]{ZPUB}/<0;1>/*)").kind == "descriptor"


def test_reprs_never_hold_the_whole_key() -> None:
    from walletscan_keys import decode_extended_key

    assert ZPUB not in repr(parse_input(ZPUB))
    assert ZPUB not in repr(decode_extended_key(ZPUB))
