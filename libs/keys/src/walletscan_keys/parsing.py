"""Turn what a user pasted into a validated scan input: one extended public key, one address,
or a list of addresses. Private keys and seed phrases are refused."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from walletscan_contracts.chains import Network, ScriptType

from walletscan_keys.addresses import ParsedAddress, parse_address
from walletscan_keys.derive import coerce_script_type
from walletscan_keys.errors import InputError, PrivateKeyRefused, refuse_private
from walletscan_keys.extended_keys import (
    ExtendedPublicKey,
    decode_extended_key,
    looks_like_extended_key,
)
from walletscan_keys.networks import PARAMS, SINGLE_KEY_SCRIPT_TYPES

MAX_ADDRESSES = 1000
MAX_INPUT_CHARS = 200_000
MNEMONIC_LENGTHS = frozenset({12, 15, 18, 21, 24})
_SEPARATORS = re.compile(r"[\s,;]+")
_HEX_SECRET = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_BASE58_RUN = re.compile(r"[1-9A-HJ-NP-Za-km-z]{100,120}")

InputKind = Literal["xpub", "address", "addresses"]

# Friendly names accepted for script types besides the canonical values.
_SCRIPT_ALIASES = {
    "legacy": ScriptType.P2PKH,
    "pkh": ScriptType.P2PKH,
    "nested": ScriptType.P2SH_P2WPKH,
    "segwit": ScriptType.P2SH_P2WPKH,
    "p2wpkh-p2sh": ScriptType.P2SH_P2WPKH,
    "sh-wpkh": ScriptType.P2SH_P2WPKH,
    "native": ScriptType.P2WPKH,
    "native-segwit": ScriptType.P2WPKH,
    "wpkh": ScriptType.P2WPKH,
    "bech32": ScriptType.P2WPKH,
    "taproot": ScriptType.P2TR,
    "tr": ScriptType.P2TR,
}


@dataclass(frozen=True, slots=True)
class ParsedInput:
    kind: InputKind
    input_type: str  # xpub, ypub, zpub, tpub, upub, vpub, address, addresses
    network: Network
    # the extended key as given (kind "xpub"); kept out of repr so logs show `display` only
    key: str | None = field(repr=False)
    script_types: tuple[ScriptType, ...]
    path_prefix: str  # account path of the first script type, e.g. m/84'/0'/0'
    addresses: tuple[ParsedAddress, ...] = ()
    display: str = ""
    path_prefixes: tuple[str, ...] = field(default=())  # one per script type (kind "xpub")


@functools.cache
def bip39_english_words() -> frozenset[str]:
    text = (
        resources.files("bip_utils")
        .joinpath("bip", "bip39", "wordlist", "english.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(w for w in text.split() if w)


def _looks_like_mnemonic(tokens: Sequence[str]) -> bool:
    if len(tokens) < 11 or len(tokens) > 25:
        return False
    words = bip39_english_words()
    known = sum(1 for t in tokens if t.lower() in words)
    # Every word of a valid phrase is in the list; tolerate a typo or two so that a mistyped
    # phrase is refused as well and not reported as "not an address".
    if len(tokens) in MNEMONIC_LENGTHS and known == len(tokens):
        return True
    return known >= len(tokens) - 2 and all(t.isalpha() for t in tokens)


def normalize_script_types(values: Sequence[str | ScriptType] | None) -> tuple[ScriptType, ...]:
    """Validate script type names for an extended key; empty or None gives ()."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[ScriptType] = []
    for value in values:
        if isinstance(value, str) and not isinstance(value, ScriptType):
            alias = _SCRIPT_ALIASES.get(value.strip().lower())
            kind = alias if alias is not None else coerce_script_type(value)
        else:
            kind = value
        if kind not in SINGLE_KEY_SCRIPT_TYPES:
            names = ", ".join(t.value for t in SINGLE_KEY_SCRIPT_TYPES)
            raise InputError(
                f"script type {kind.value} cannot be derived from a single account key "
                f"(it needs a descriptor); use one of {names}"
            )
        if kind not in out:
            out.append(kind)
    return tuple(out)


def _wrong_network(what: str, found: Network, wanted: Network) -> InputError:
    return InputError(
        f"{what} is a {PARAMS[found].label} key but {PARAMS[wanted].label} was requested"
    )


def _parse_key(
    token: str, script_types: Sequence[str | ScriptType] | None, network: Network | None
) -> ParsedInput:
    xkey: ExtendedPublicKey = decode_extended_key(token)
    if network is not None and xkey.network != network:
        raise _wrong_network(xkey.display, xkey.network, network)
    kinds = normalize_script_types(script_types)
    if not kinds:
        implied = xkey.implied_script_type
        assert implied is not None  # multisig keys are refused by decode_extended_key
        kinds = (implied,)
    prefixes = tuple(xkey.account_path(k) for k in kinds)
    return ParsedInput(
        kind="xpub",
        input_type=xkey.prefix,
        network=xkey.network,
        key=xkey.text,
        script_types=kinds,
        path_prefix=prefixes[0],
        addresses=(),
        display=xkey.display,
        path_prefixes=prefixes,
    )


def _classify_single(token: str) -> None:
    """Refuse single tokens that are plainly not scan input, with a specific message."""
    if _HEX_SECRET.fullmatch(token):
        raise InputError(
            "this is a 64-digit hex string (a raw key or a transaction id), not an extended "
            "public key or an address"
        )


def parse_input(
    text: str,
    *,
    script_types: Sequence[str | ScriptType] | None = None,
    network: Network | None = None,
) -> ParsedInput:
    """Parse what a user pasted: an extended public key, an address, or a list of addresses.

    Raises InputError (PrivateKeyRefused for private keys and seed phrases) with a message that
    can be shown to the user as it is."""
    if not isinstance(text, str):
        raise InputError("the input must be text")
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"the input is too long (more than {MAX_INPUT_CHARS} characters)")
    if "(" in text or ")" in text:
        for candidate in _BASE58_RUN.findall(text):
            if looks_like_extended_key(candidate):
                decode_extended_key(candidate)  # raises PrivateKeyRefused for xprv & co.
        raise InputError(
            "output descriptors are not supported yet; paste the account's extended public key"
        )
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    if not tokens:
        raise InputError(
            "the input is empty: paste an extended public key (xpub/ypub/zpub), "
            "an address, or a list of addresses"
        )
    if _looks_like_mnemonic(tokens):
        raise refuse_private("this looks like a BIP39 seed phrase (mnemonic)")
    if len(tokens) == 1:
        token = tokens[0]
        _classify_single(token)
        if looks_like_extended_key(token):
            return _parse_key(token, script_types, network)
        address = parse_address(token, network)
        return ParsedInput(
            kind="address",
            input_type="address",
            network=address.network,
            key=None,
            script_types=(address.script_type,),
            path_prefix="",
            addresses=(address,),
            display=address.address,
        )
    return _parse_address_list(tokens, network)


def _parse_address_list(tokens: list[str], network: Network | None) -> ParsedInput:
    seen: dict[str, ParsedAddress] = {}
    for position, token in enumerate(tokens, start=1):
        if looks_like_extended_key(token):
            try:
                decode_extended_key(token)
            except PrivateKeyRefused:
                raise
            except InputError:
                pass
            raise InputError(
                f"entry {position} is an extended key; scan one extended key at a time, "
                "a list may only hold addresses"
            )
        try:
            address = parse_address(token)
        except PrivateKeyRefused:
            raise
        except InputError as exc:
            raise InputError(f"entry {position}: {exc}") from None
        if address.address not in seen:
            seen[address.address] = address
            if len(seen) > MAX_ADDRESSES:
                raise InputError(f"at most {MAX_ADDRESSES} addresses can be scanned at once")
    addresses = tuple(seen.values())
    networks = {a.network for a in addresses}
    if len(networks) > 1:
        raise InputError("the list mixes mainnet and testnet addresses; scan one network at a time")
    found = addresses[0].network
    if network is not None and found != network:
        raise InputError(
            f"these are {PARAMS[found].label} addresses but {PARAMS[network].label} was requested"
        )
    kinds = tuple(dict.fromkeys(a.script_type for a in addresses))
    if len(addresses) == 1:
        only = addresses[0]
        return ParsedInput("address", "address", found, None, kinds, "", addresses, only.address)
    return ParsedInput(
        kind="addresses",
        input_type="addresses",
        network=found,
        key=None,
        script_types=kinds,
        path_prefix="",
        addresses=addresses,
        display=f"{len(addresses)} addresses",
    )
