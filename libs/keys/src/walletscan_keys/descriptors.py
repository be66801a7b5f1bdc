"""Output script descriptors (BIP380-386, BIP389) for watch-only scanning.

Supported: pkh(), wpkh(), sh(wpkh()), tr(KEY) (key path only), pk(), sh()/wsh() around pk(),
pkh(), multi() and sortedmulti(), addr() and raw(); key origins `[fingerprint/path]`,
`/<0;1>/*` multipath (BIP389) and `/0/*` single chains; the checksum is verified when present.
Private keys anywhere in a descriptor are refused. Taproot script trees and miniscript are not
supported and say so.

A descriptor is parsed once into a small tree; deriving a batch derives each key's children in
one tight loop (keys of a multisig move in lockstep, BIP383) and then assembles the scripts."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from coincurve.keys import PublicKey, PublicKeyXOnly
from walletscan_contracts.chains import Network, ScriptType

from walletscan_keys.addresses import address_from_script, parse_address, taproot_output_key
from walletscan_keys.derive import (
    DerivedKeyAddress,
    address_params,
    check_range,
    child_public_keys,
    extended_key,
    node_at,
)
from walletscan_keys.descriptor_checksum import split_checksum, with_checksum
from walletscan_keys.encoding import EncodingError, b58check_decode
from walletscan_keys.errors import InputError, refuse_private
from walletscan_keys.extended_keys import display_key, looks_like_extended_key
from walletscan_keys.hashing import hash160, sha256
from walletscan_keys.networks import HARDENED, PARAMS

MAX_MULTI_KEYS_TOP = 3  # BIP383: bare multisig
MAX_MULTI_KEYS_WSH = 20
MAX_P2SH_SCRIPT = 520  # consensus limit of a redeem script push
OP_CHECKMULTISIG = 0xAE
OP_CHECKSIG = 0xAC
_NUMBER = re.compile(r"(0|[1-9][0-9]*)(['h]?)")
_HEX = re.compile(r"[0-9a-fA-F]+")
_MULTIPATH = re.compile(r"<([^<>]*)>")

# --- key expressions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyExpr:
    """One KEY of a descriptor: a fixed public key, or an extended key with a path."""

    text: str = ""  # as written, for messages (shortened)
    fingerprint: bytes | None = None  # key origin
    origin: tuple[int, ...] = ()
    xkey: str | None = None  # extended public key text
    pubkey: bytes | None = None  # fixed key: 33 compressed, 65 uncompressed or 32 x-only
    paths: tuple[tuple[int, ...], ...] = ((),)  # steps after xkey; one per multipath value
    ranged: bool = False  # ends with /*

    @property
    def alternatives(self) -> int:
        return len(self.paths)

    def keys(self, alternative: int, start: int, count: int) -> list[bytes]:
        """Public keys for indexes start .. start+count-1 (the same key when not ranged)."""
        if self.xkey is None:
            assert self.pubkey is not None
            return [self.pubkey] * count
        path = self.paths[alternative if self.alternatives > 1 else 0]
        node = node_at(self.xkey, path)
        if not self.ranged:
            return [node.public_key] * count
        return child_public_keys(node, start, count)


def _step(text: str, *, where: str) -> int:
    match = _NUMBER.fullmatch(text)
    if match is None:
        raise InputError(
            f"{where}: {text!r} is not a derivation step (a number below 2^31, "
            "optionally followed by h or ' for hardened)"
        )
    value = int(match.group(1))
    if value >= HARDENED:
        raise InputError(f"{where}: the derivation step {value} is out of range (below 2^31)")
    return value + HARDENED if match.group(2) else value


def _refuse_if_wif(text: str) -> None:
    if not 50 <= len(text) <= 52:
        return
    try:
        payload = b58check_decode(text)
    except EncodingError:
        return
    if len(payload) in (33, 34) and payload[0] in {p.wif_version for p in PARAMS.values()}:
        raise refuse_private("the descriptor holds a private key in WIF format")


def _fixed_key(text: str, *, shown: str) -> bytes:
    if not _HEX.fullmatch(text) or len(text) not in (64, 66, 130):
        raise InputError(
            f"{shown} is not a key: expected an extended public key (xpub…) or a hex public key"
        )
    raw = bytes.fromhex(text)
    try:
        if len(raw) == 32:
            PublicKeyXOnly(raw)
        elif raw[0] in ((2, 3) if len(raw) == 33 else (4,)):
            PublicKey(raw)
        else:
            raise ValueError
    except ValueError:
        raise InputError(f"{shown} is not a valid secp256k1 public key") from None
    return raw


def _parse_key(text: str) -> KeyExpr:
    shown = display_key(text) if len(text) <= 16 else f"{text[:12]}…"
    fingerprint: bytes | None = None
    origin: tuple[int, ...] = ()
    rest = text
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            raise InputError(f"the key origin of {shown} has no closing ']'")
        parts = rest[1:close].split("/")
        if len(parts[0]) != 8 or not _HEX.fullmatch(parts[0]):
            raise InputError(
                f"the key origin [{parts[0]}…] must start with an 8-digit hex fingerprint"
            )
        fingerprint = bytes.fromhex(parts[0])
        origin = tuple(_step(p, where="key origin") for p in parts[1:])
        rest = rest[close + 1 :]
    if "[" in rest or "]" in rest:
        raise InputError(f"{shown} has a misplaced key origin: write it once, before the key")
    if not rest:
        raise InputError("a key origin is not followed by a key")
    head, *steps = rest.split("/")
    _refuse_if_wif(head)
    if looks_like_extended_key(head):
        # Multisig SLIP-132 versions (Zpub…) are ordinary keys inside a descriptor; private
        # versions raise PrivateKeyRefused here.
        xkey = extended_key(head)
        return _extended_key_expr(text, fingerprint, origin, xkey.text, steps)
    if steps:
        raise InputError(
            f"{display_key(head)} is not a valid extended public key (is it truncated or "
            "mistyped?); only extended keys can be followed by derivation steps"
        )
    return KeyExpr(
        text=shown, fingerprint=fingerprint, origin=origin, pubkey=_fixed_key(head, shown=shown)
    )


def _extended_key_expr(
    text: str, fingerprint: bytes | None, origin: tuple[int, ...], xkey: str, steps: list[str]
) -> KeyExpr:
    shown = display_key(xkey)
    ranged = False
    if steps and steps[-1] in ("*", "*h", "*'"):
        if steps[-1] != "*":
            raise InputError(
                f"{shown}/{steps[-1]}: hardened children can only be derived with the private "
                "key; a watch-only wallet uses /*"
            )
        ranged = True
        steps = steps[:-1]
    prefix: list[int] = []
    choices: tuple[int, ...] | None = None
    suffix: list[int] = []
    for raw in steps:
        where = f"the path after {shown}"
        if raw.startswith("<") or raw.endswith(">"):
            if choices is not None:
                raise InputError(f"{where} has more than one <…;…> multipath step (BIP389)")
            match = _MULTIPATH.fullmatch(raw)
            values = match.group(1).split(";") if match else []
            if len(values) < 2 or any(not v for v in values):
                raise InputError(f"{where}: {raw!r} is not a multipath step like <0;1>")
            choices = tuple(_step(v, where=where) for v in values)
            if len(set(choices)) != len(choices):
                raise InputError(f"{where}: {raw} repeats a value")
            continue
        if "*" in raw:
            raise InputError(f"{where}: '*' may only be the last step")
        (suffix if choices is not None else prefix).append(_step(raw, where=where))
    all_steps = [*prefix, *(choices or ()), *suffix]
    if any(s >= HARDENED for s in all_steps):
        raise InputError(
            f"the path after {shown} has a hardened step, which only the private key can "
            "derive; paste the extended public key at that level instead"
        )
    if choices is None:
        paths: tuple[tuple[int, ...], ...] = (tuple(prefix),)
    else:
        paths = tuple((*prefix, c, *suffix) for c in choices)
    return KeyExpr(
        text=shown,
        fingerprint=fingerprint,
        origin=origin,
        xkey=xkey,
        paths=paths,
        ranged=ranged,
    )


# --- script expressions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Script:
    """A script expression: `kind` is the function name, `keys` its key arguments."""

    kind: str  # pk, pkh, wpkh, multi, sortedmulti, sh, wsh, tr, addr, raw
    keys: tuple[KeyExpr, ...] = ()
    threshold: int = 0
    inner: Script | None = None
    fixed_script: bytes | None = None  # raw()
    address: str | None = None  # addr()


def _split_args(text: str) -> list[str]:
    """Split at top-level commas."""
    args: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            args.append("".join(current))
            current = []
        else:
            current.append(char)
    args.append("".join(current))
    return args


def _call(text: str) -> tuple[str, str]:
    open_at = text.find("(")
    if open_at <= 0 or not text.endswith(")"):
        raise InputError(
            f"{display_key(text)} is not a descriptor function call like wpkh(…); check the "
            "parentheses"
        )
    name, body = text[:open_at], text[open_at + 1 : -1]
    depth = 0
    for char in body:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise InputError("the descriptor's parentheses do not match")
    if depth != 0:
        raise InputError("the descriptor's parentheses do not match")
    return name, body


_COMPRESSED_ONLY = "segwit scripts (wpkh, wsh) only take compressed public keys"


def _parse_script(text: str, context: str) -> Script:
    """context: "top", "sh" or "wsh" (where the expression stands; BIP381-383 restrictions)."""
    name, body = _call(text)
    if name in ("pk", "pkh", "wpkh"):
        if name == "wpkh" and context == "wsh":
            raise InputError("wpkh() cannot be inside wsh()")
        if "(" in body:
            raise InputError(f"{name}() takes a key, not a script")
        key = _parse_key(body)
        if key.pubkey is not None and len(key.pubkey) == 32:
            raise InputError("x-only (32-byte) keys are only allowed inside tr()")
        segwit = name == "wpkh" or context == "wsh"
        if segwit and key.pubkey is not None and len(key.pubkey) != 33:
            raise InputError(_COMPRESSED_ONLY)
        return Script(name, (key,))
    if name in ("multi", "sortedmulti"):
        return _parse_multi(name, body, context)
    if name in ("sh", "wsh"):
        if name == "sh" and context != "top":
            raise InputError("sh() can only be the outermost function")
        if name == "wsh" and context == "wsh":
            raise InputError("wsh() cannot be inside wsh()")
        if "(" not in body:
            raise InputError(f"{name}() takes a script such as multi(…), not a key")
        inner = _parse_script(body, name)
        if inner.kind in ("tr", "addr", "raw"):
            raise InputError(f"{inner.kind}() cannot be inside {name}()")
        return Script(name, inner=inner)
    if name == "tr":
        if context != "top":
            raise InputError("tr() can only be the outermost function")
        args = _split_args(body)
        if len(args) > 1:
            raise InputError(
                "taproot script trees (tr(KEY,TREE)) are not supported yet; "
                "key-path tr(KEY) descriptors are"
            )
        key = _parse_key(args[0])
        if key.pubkey is not None and len(key.pubkey) == 65:
            raise InputError("tr() does not take uncompressed public keys")
        return Script("tr", (key,))
    if name in ("addr", "raw"):
        if context != "top":
            raise InputError(f"{name}() can only be the outermost function")
        if name == "addr":
            return Script("addr", address=parse_address(body).address)
        if not _HEX.fullmatch(body) or len(body) % 2:
            raise InputError("raw() takes a hex script")
        return Script("raw", fixed_script=bytes.fromhex(body))
    if name == "combo":
        raise InputError("combo() descriptors are not supported; use pkh(), wpkh() or sh(wpkh())")
    raise InputError(f"unknown descriptor function {name}()")


def _parse_multi(name: str, body: str, context: str) -> Script:
    args = _split_args(body)
    if len(args) < 2:
        raise InputError(f"{name}() needs a threshold and at least one key")
    if not args[0].isdigit() or args[0].startswith("0"):
        raise InputError(f"{name}(): the threshold {args[0]!r} must be a number from 1")
    threshold = int(args[0])
    keys = tuple(_parse_key(a) for a in args[1:])
    if threshold > len(keys):
        raise InputError(f"{name}(): the threshold {threshold} is larger than the {len(keys)} keys")
    limit = {"top": MAX_MULTI_KEYS_TOP, "wsh": MAX_MULTI_KEYS_WSH}.get(context)
    if limit is not None and len(keys) > limit:
        raise InputError(f"{name}() takes at most {limit} keys here")
    for key in keys:
        if key.pubkey is not None and len(key.pubkey) == 32:
            raise InputError("x-only (32-byte) keys are only allowed inside tr()")
        if context == "wsh" and key.pubkey is not None and len(key.pubkey) != 33:
            raise InputError(_COMPRESSED_ONLY)
    script = Script(name, keys, threshold)
    if context == "sh":
        size = 3 + sum(34 if k.pubkey is None else len(k.pubkey) + 1 for k in keys)
        if size > MAX_P2SH_SCRIPT:
            raise InputError(
                f"{name}() inside sh() makes a {size}-byte redeem script; P2SH allows "
                f"{MAX_P2SH_SCRIPT} (at most 15 compressed keys)"
            )
    return script


# --- building scripts -------------------------------------------------------------------


def _push_number(n: int) -> bytes:
    if n <= 16:
        return bytes((0x50 + n,))  # OP_1 .. OP_16
    return bytes((1, n))  # 17..20 as a one-byte push


def _multisig_script(threshold: int, pubkeys: Sequence[bytes], *, sort: bool) -> bytes:
    keys = sorted(pubkeys) if sort else pubkeys
    body = b"".join(bytes((len(k),)) + k for k in keys)
    return _push_number(threshold) + body + _push_number(len(keys)) + bytes((OP_CHECKMULTISIG,))


def _inner_script(node: Script, values: dict[int, bytes]) -> bytes:
    """The script of a pk/pkh/wpkh/multi expression, with `values` giving each key's bytes."""
    kind = node.kind
    if kind == "pk":
        key = values[id(node.keys[0])]
        return bytes((len(key),)) + key + bytes((OP_CHECKSIG,))
    if kind == "pkh":
        return b"\x76\xa9\x14" + hash160(values[id(node.keys[0])]) + b"\x88\xac"
    if kind == "wpkh":
        return b"\x00\x14" + hash160(values[id(node.keys[0])])
    if kind in ("multi", "sortedmulti"):
        keys = [values[id(k)] for k in node.keys]
        return _multisig_script(node.threshold, keys, sort=kind == "sortedmulti")
    if kind == "wsh":
        assert node.inner is not None
        return b"\x00\x20" + sha256(_inner_script(node.inner, values))
    if kind == "sh":
        assert node.inner is not None
        return b"\xa9\x14" + hash160(_inner_script(node.inner, values)) + b"\x87"
    if kind == "tr":
        return b"\x51\x20" + taproot_output_key(values[id(node.keys[0])])
    raise AssertionError(kind)


# --- the descriptor ---------------------------------------------------------------------------

_SCRIPT_TYPES = {
    "pkh": ScriptType.P2PKH,
    "wpkh": ScriptType.P2WPKH,
    "tr": ScriptType.P2TR,
    "wsh": ScriptType.P2WSH,
}


@dataclass(frozen=True, slots=True)
class Descriptor:
    body: str  # without the checksum
    top: Script
    keys: tuple[KeyExpr, ...]
    network: Network
    script_type: ScriptType | None  # None for bare scripts (pk, multi, raw): no address
    alternatives: int  # 1, or the length of the <…;…> multipath tuples
    ranged: bool

    @property
    def display(self) -> str:
        """A short name safe for logs: the functions and the number of keys, no key."""
        return f"{_shape(self.top)} descriptor"

    @property
    def path_prefix(self) -> str:
        """The path of the first key: its origin (e.g. m/48'/1'/0'/2'), "m" for a master key,
        "m/…" when the origin is not written. Address paths continue with the steps after
        the key and the index (DerivedKeyAddress.path_suffix)."""
        first = self.keys[0] if self.keys else None
        if first is None:
            return ""
        if first.fingerprint is not None:
            return "/".join(["m", *(_step_text(s) for s in first.origin)])
        if first.xkey is not None and extended_key(first.xkey).depth == 0:
            return "m"
        return "m/…"

    def branch(self, alternative: int) -> int:
        """The BIP44 chain a track of this descriptor stands for: the multipath position for
        <0;1>, else 1 when the key's last step is 1 (a change-only descriptor), else 0."""
        if self.alternatives > 1:
            return alternative
        path = self.keys[0].paths[0]
        return 1 if path and path[-1] == 1 else 0

    def single_path(self, alternative: int) -> str:
        """The descriptor of one multipath alternative (with a fresh checksum)."""
        if self.alternatives == 1:
            return with_checksum(self.body)
        body = _MULTIPATH.sub(lambda m: m.group(1).split(";")[alternative], self.body)
        return with_checksum(body)

    def scripts(self, alternative: int, start: int, count: int) -> list[bytes]:
        """Output scripts for indexes start .. start+count-1 of one multipath alternative."""
        check_range(start, count)
        if not 0 <= alternative < self.alternatives:
            raise InputError(f"this descriptor has no chain number {alternative}")
        if self.top.fixed_script is not None:
            return [self.top.fixed_script] * count
        if self.top.address is not None:
            raise InputError("addr() descriptors stand for an address, not a script")
        columns = {id(k): k.keys(alternative, start, count) for k in self.keys}
        out = []
        for i in range(count):
            values = {key_id: column[i] for key_id, column in columns.items()}
            out.append(_inner_script(self.top, values))
        return out

    def addresses(
        self, alternative: int, start: int, count: int, *, legacy_format: bool = False
    ) -> list[DerivedKeyAddress]:
        if self.script_type is None:
            raise InputError(
                f"a {self.display} has no address (a bare script); wallets use pkh(), "
                "wpkh(), sh(…), wsh(…) or tr()"
            )
        params = address_params(self.network, legacy_format=legacy_format)
        first = self.keys[0] if self.keys else None
        steps = ""
        if first is not None and first.xkey is not None:
            path = first.paths[alternative if first.alternatives > 1 else 0]
            steps = "".join(f"{s}/" for s in path)
        if self.top.address is not None:
            check_range(start, count)
            return [DerivedKeyAddress(i, self.top.address, "") for i in range(start, start + count)]
        out = []
        for index, script in enumerate(self.scripts(alternative, start, count), start):
            address = address_from_script(script, params)
            assert address is not None  # script_type is set only for address scripts
            out.append(DerivedKeyAddress(index, address, f"{steps}{index}"))
        return out


def _shape(node: Script) -> str:
    if node.inner is not None:
        return f"{node.kind}({_shape(node.inner)})"
    if node.kind in ("multi", "sortedmulti"):
        return f"{node.kind}({node.threshold}-of-{len(node.keys)})"
    return f"{node.kind}(…)"


def _step_text(step: int) -> str:
    return f"{step - HARDENED}'" if step >= HARDENED else str(step)


def _all_keys(node: Script) -> list[KeyExpr]:
    keys = list(node.keys)
    if node.inner is not None:
        keys += _all_keys(node.inner)
    return keys


def _script_type(top: Script) -> ScriptType | None:
    if top.kind == "sh":
        assert top.inner is not None
        inner = top.inner.kind
        if inner == "wpkh":
            return ScriptType.P2SH_P2WPKH
        return ScriptType.P2SH_P2WSH if inner == "wsh" else ScriptType.P2SH
    return _SCRIPT_TYPES.get(top.kind)


def _network_of(keys: Sequence[KeyExpr], wanted: Network | None) -> Network:
    networks = {extended_key(k.xkey).on_network(wanted) for k in keys if k.xkey is not None}
    if len(networks) > 1:
        raise InputError(
            "the descriptor mixes keys of different networks ("
            + ", ".join(sorted(PARAMS[n].label for n in networks))
            + ")"
        )
    if networks:
        return networks.pop()
    return wanted or Network.BITCOIN


def looks_like_descriptor(text: str) -> bool:
    return "(" in text or ")" in text


@functools.lru_cache(maxsize=256)
def parse_descriptor(text: str, network: Network | None = None) -> Descriptor:
    """Parse and validate a descriptor; raise InputError (PrivateKeyRefused for private keys)
    with a message for the user. The checksum is verified when present."""
    body, _ = split_checksum("".join(text.split()))
    top = _parse_script(body, "top")
    keys = tuple(_all_keys(top))
    counts = {k.alternatives for k in keys if k.alternatives > 1}
    if len(counts) > 1:
        raise InputError(
            "the descriptor's <…;…> multipath steps have different lengths; every key must "
            "list the same number of chains (BIP389)"
        )
    ranged = {k.ranged for k in keys if k.xkey is not None}
    if len(ranged) > 1:
        raise InputError("some keys of the descriptor end with /* and others do not")
    if top.address is not None:
        network = parse_address(top.address).network
    return Descriptor(
        body=body,
        top=top,
        keys=keys,
        network=_network_of(keys, network),
        script_type=_script_type(top),
        alternatives=counts.pop() if counts else 1,
        ranged=ranged == {True},
    )


def derive_descriptor_addresses(
    descriptor: str,
    start: int,
    count: int,
    *,
    alternative: int = 0,
    network: Network | None = None,
    legacy_format: bool = False,
) -> list[DerivedKeyAddress]:
    """Addresses start .. start+count-1 of one chain of a descriptor (the multipath position
    `alternative`: 0 receive, 1 change for /<0;1>/*)."""
    parsed = parse_descriptor(descriptor, network)
    if network is not None and parsed.network != network:
        raise InputError(
            f"the descriptor is for {PARAMS[parsed.network].label} but "
            f"{PARAMS[network].label} was requested"
        )
    return parsed.addresses(alternative, start, count, legacy_format=legacy_format)
