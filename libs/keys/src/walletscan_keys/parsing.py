"""Turn what a user pasted into a validated scan input: one extended public key, one address,
or a list of addresses. Private keys and seed phrases are refused."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from walletscan_contracts.chains import NETWORKS, Family, Network, ScriptType, family_of

from walletscan_keys.addresses import ParsedAddress, parse_address
from walletscan_keys.derive import coerce_script_type
from walletscan_keys.descriptors import Descriptor, looks_like_descriptor, parse_descriptor
from walletscan_keys.errors import InputError, PrivateKeyRefused, refuse_private
from walletscan_keys.evm import looks_like_evm_address, parse_evm_address
from walletscan_keys.extended_keys import (
    ExtendedPublicKey,
    decode_extended_key,
    looks_like_extended_key,
)
from walletscan_keys.networks import (
    BITCOIN_NETWORKS,
    PARAMS,
    SINGLE_KEY_SCRIPT_TYPES,
    probe_script_types,
    script_types_of,
)

MAX_ADDRESSES = 1000
MAX_INPUT_CHARS = 200_000
MNEMONIC_LENGTHS = frozenset({12, 15, 18, 21, 24})
_SEPARATORS = re.compile(r"[\s,;]+")
_HEX_SECRET = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_BASE58_RUN = re.compile(r"[1-9A-HJ-NP-Za-km-z]{100,120}")

InputKind = Literal["xpub", "descriptor", "address", "addresses"]
MAX_DESCRIPTOR_CHAINS = 2  # receive and change: a scan track's branch is 0 or 1

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
class ScanChain:
    """One address chain to scan: what a gateway turns into a `Track`."""

    script_type: ScriptType
    branch: int  # 0 receive, 1 change
    path_prefix: str  # path of the account key (of the first key of a descriptor)
    # kind "descriptor": the single-chain descriptor that derives this chain
    descriptor: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ParsedInput:
    kind: InputKind
    input_type: str  # xpub, ypub, zpub, tpub, …, Ltub, dgub, descriptor, address, addresses
    network: Network
    # the extended key as given (kind "xpub"; the first key of a descriptor); kept out of
    # repr so logs show `display` only
    key: str | None = field(repr=False)
    script_types: tuple[ScriptType, ...]
    path_prefix: str  # account path of the first script type, e.g. m/84'/0'/0'
    addresses: tuple[ParsedAddress, ...] = ()
    display: str = ""
    path_prefixes: tuple[str, ...] = field(default=())  # one per script type (kind "xpub")
    chains: tuple[ScanChain, ...] = ()  # kinds "xpub" and "descriptor"
    # a bare xpub/tpub/Ltub: several script types are scanned to find which one holds funds
    probing: bool = False


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


def normalize_script_types(
    values: Sequence[str | ScriptType] | None, network: Network | None = None
) -> tuple[ScriptType, ...]:
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
        if network is not None and kind not in script_types_of(network):
            raise InputError(
                f"{PARAMS[network].label} has no {kind.value} addresses (no segwit); use p2pkh"
            )
        if kind not in out:
            out.append(kind)
    return tuple(out)


def _parse_key(
    token: str, script_types: Sequence[str | ScriptType] | None, network: Network | None
) -> ParsedInput:
    xkey: ExtendedPublicKey = decode_extended_key(token)
    on = xkey.on_network(network)
    kinds = normalize_script_types(script_types, on)
    probing = False
    if not kinds:
        if xkey.is_generic:
            # xpub/tpub/Ltub do not say the script type: probe legacy, nested and native
            # segwit, and report which ones hold history (ARCHITECTURE §5).
            kinds = probe_script_types(on)
            probing = len(kinds) > 1
        else:
            implied = xkey.implied_script_type
            assert implied is not None  # multisig keys are refused by decode_extended_key
            kinds = normalize_script_types([implied], on)
    prefixes = tuple(xkey.account_path(k, on) for k in kinds)
    return ParsedInput(
        kind="xpub",
        input_type=xkey.prefix,
        network=on,
        key=xkey.text,
        script_types=kinds,
        path_prefix=prefixes[0],
        addresses=(),
        display=xkey.display,
        path_prefixes=prefixes,
        chains=tuple(
            ScanChain(kind, branch, prefix)
            for kind, prefix in zip(kinds, prefixes, strict=True)
            for branch in (0, 1)
        ),
        probing=probing,
    )


def _parse_descriptor_input(
    text: str, script_types: Sequence[str | ScriptType] | None, network: Network | None
) -> ParsedInput:
    for candidate in _BASE58_RUN.findall(text):
        if looks_like_extended_key(candidate):
            try:
                decode_extended_key(candidate, allow_master=True, allow_multisig=True)
            except PrivateKeyRefused:
                raise  # private material is refused before any other complaint
            except InputError:
                pass
    desc = parse_descriptor(text.strip(), network)
    if desc.top.address is not None:
        return _single_address(parse_address(desc.top.address, network))
    if desc.script_type is None:
        raise InputError(
            f"a {desc.display} has no address (a bare script); wallets use pkh(), wpkh(), "
            "sh(…), wsh(…) or tr()"
        )
    wanted = normalize_script_types(script_types) if script_types else ()
    if wanted and desc.script_type not in wanted:
        raise InputError(
            f"the descriptor makes {desc.script_type.value} addresses, but script_types asks "
            f"for {', '.join(t.value for t in wanted)}"
        )
    if not desc.ranged:
        return _fixed_addresses(desc)
    if desc.alternatives > MAX_DESCRIPTOR_CHAINS:
        raise InputError(
            f"the descriptor lists {desc.alternatives} chains in its <…;…> step; a wallet has "
            "a receive and a change chain, write them as <0;1>"
        )
    first = desc.keys[0]
    return ParsedInput(
        kind="descriptor",
        input_type="descriptor",
        network=desc.network,
        key=first.xkey,
        script_types=(desc.script_type,),
        path_prefix=desc.path_prefix,
        display=desc.display,
        path_prefixes=(desc.path_prefix,),
        chains=tuple(
            ScanChain(desc.script_type, desc.branch(alt), desc.path_prefix, desc.single_path(alt))
            for alt in range(desc.alternatives)
        ),
    )


def _fixed_addresses(desc: Descriptor) -> ParsedInput:
    """A descriptor without /* stands for fixed addresses (one per multipath value)."""
    if desc.network not in BITCOIN_NETWORKS:
        raise InputError(
            f"this {desc.display} stands for fixed {PARAMS[desc.network].label} addresses; "
            "only Bitcoin addresses can be scanned so far"
        )
    derived = [a for alt in range(desc.alternatives) for a in desc.addresses(alt, 0, 1)]
    unique = tuple(parse_address(a) for a in dict.fromkeys(d.address for d in derived))
    return _single_address(unique[0]) if len(unique) == 1 else _address_list(unique)


def _single_address(address: ParsedAddress) -> ParsedInput:
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
    if looks_like_descriptor(text):
        return _parse_descriptor_input(text, script_types, network)
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    if not tokens:
        raise InputError(
            "the input is empty: paste an extended public key (xpub/ypub/zpub), "
            "an address, or a list of addresses"
        )
    if _looks_like_mnemonic(tokens):
        raise refuse_private("this looks like a BIP39 seed phrase (mnemonic)")
    evm = [looks_like_evm_address(t) for t in tokens]
    if any(evm):
        if not all(evm):
            raise InputError(
                "the list mixes EVM (0x…) addresses with other input; scan one chain at a time"
            )
        return _parse_evm_addresses(tokens, network)
    if len(tokens) == 1:
        token = tokens[0]
        _classify_single(token)
        if looks_like_extended_key(token):
            return _parse_key(token, script_types, network)
        return _single_address(parse_address(token, network))
    return _parse_address_list(tokens, network)


DEFAULT_EVM_NETWORK = Network.ETHEREUM


def _parse_evm_addresses(tokens: list[str], network: Network | None) -> ParsedInput:
    """0x addresses: the same account exists on every EVM chain, so the chain is the one the
    request names (Ethereum when it names none). No derivation: like an address list."""
    if network is None:
        network = DEFAULT_EVM_NETWORK
    elif family_of(network) is not Family.EVM:
        raise InputError(
            f"0x addresses are EVM accounts, but {NETWORKS[network].name} was requested; "
            "pick an EVM chain (ethereum, polygon, bsc, arbitrum, optimism, base, sepolia)"
        )
    seen: dict[str, ParsedAddress] = {}
    for position, token in enumerate(tokens, start=1):
        _classify_single(token)
        try:
            parsed = parse_evm_address(token)
        except InputError as exc:
            if len(tokens) == 1:
                raise
            raise InputError(f"entry {position}: {exc}") from None
        seen.setdefault(parsed.address, ParsedAddress(parsed.address, network, ScriptType.ACCOUNT))
        if len(seen) > MAX_ADDRESSES:
            raise InputError(f"at most {MAX_ADDRESSES} addresses can be scanned at once")
    addresses = tuple(seen.values())
    if len(addresses) == 1:
        only = parse_evm_address(tokens[0])
        return ParsedInput(
            "address",
            "address",
            network,
            None,
            (ScriptType.ACCOUNT,),
            "",
            addresses,
            only.checksummed,
        )
    return ParsedInput(
        kind="addresses",
        input_type="addresses",
        network=network,
        key=None,
        script_types=(ScriptType.ACCOUNT,),
        path_prefix="",
        addresses=addresses,
        display=f"{len(addresses)} addresses",
    )


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
    parsed = _address_list(tuple(seen.values()))
    if network is not None and parsed.network != network:
        raise InputError(
            f"these are {PARAMS[parsed.network].label} addresses but {PARAMS[network].label} "
            "was requested"
        )
    return parsed


def _address_list(addresses: tuple[ParsedAddress, ...]) -> ParsedInput:
    networks = {a.network for a in addresses}
    if len(networks) > 1:
        raise InputError("the list mixes mainnet and testnet addresses; scan one network at a time")
    found = addresses[0].network
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
