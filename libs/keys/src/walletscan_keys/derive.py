"""Fast non-hardened BIP32 public derivation (CKDpub) of receive/change addresses."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coincurve.keys import PublicKey
from walletscan_contracts.chains import Network, ScriptType

from walletscan_keys.addresses import ENCODERS
from walletscan_keys.errors import InputError
from walletscan_keys.extended_keys import ExtendedPublicKey, decode_extended_key
from walletscan_keys.networks import HARDENED, PARAMS, NetworkParams, legacy_params

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_BATCH = 100_000


@dataclass(frozen=True, slots=True)
class DerivedKeyAddress:
    index: int
    address: str
    path_suffix: str  # relative to the account key, e.g. "0/5"


@dataclass(frozen=True, slots=True)
class _Node:
    point: PublicKey
    public_key: bytes  # compressed
    chain_code: bytes


def _ckd_pub(node: _Node, index: int) -> _Node:
    digest = hmac.digest(node.chain_code, node.public_key + index.to_bytes(4, "big"), "sha512")
    tweak = digest[:32]
    if int.from_bytes(tweak, "big") >= SECP256K1_ORDER:  # probability < 2^-127
        raise InputError(f"child {index} of this key does not exist (BIP32: invalid tweak)")
    try:
        child = node.point.add(tweak)
    except ValueError:  # the point at infinity; probability < 2^-127
        raise InputError(f"child {index} of this key does not exist (point at infinity)") from None
    return _Node(child, child.format(compressed=True), digest[32:])


@functools.lru_cache(maxsize=4096)
def node_at(key: str, path: tuple[int, ...]) -> _Node:
    """The node at a non-hardened path below an extended key. Cached: every batch of a scan
    starts from the same branch node, so its derivation is paid once per process."""
    xkey = decode_extended_key(key, allow_master=True, allow_multisig=True)
    node = _Node(PublicKey(xkey.public_key), xkey.public_key, xkey.chain_code)
    for index in path:
        if not 0 <= index < HARDENED:
            raise InputError(f"index {index} is hardened or out of range: needs a private key")
        node = _ckd_pub(node, index)
    return node


def child_public_keys(node: _Node, start: int, count: int) -> list[bytes]:
    """Compressed public keys of children start .. start+count-1: the hot loop of a scan.

    One HMAC-SHA512 and one libsecp256k1 tweak-add per child; the parent point, chain code and
    bound methods are hoisted out of the loop."""
    chain_code = node.chain_code
    parent = node.public_key
    add = node.point.add
    digest = hmac.digest
    out: list[bytes] = []
    append = out.append
    try:
        for index in range(start, start + count):
            # libsecp256k1 refuses a tweak >= the curve order and a sum at infinity (BIP32:
            # "the resulting key is invalid"); either has a probability below 2^-127.
            tweak = digest(chain_code, parent + index.to_bytes(4, "big"), "sha512")[:32]
            append(add(tweak).format(compressed=True))
    except ValueError:
        raise InputError(f"child {start + len(out)} of this key does not exist") from None
    return out


def check_range(start: int, count: int) -> None:
    if start < 0 or count < 0 or count > MAX_BATCH:
        raise InputError(f"start must be >= 0 and count between 0 and {MAX_BATCH}")
    if start + count > HARDENED:
        raise InputError("address indexes must stay below 2^31 (non-hardened derivation)")


def coerce_script_type(value: str | ScriptType) -> ScriptType:
    if isinstance(value, ScriptType):
        return value
    try:
        return ScriptType(value.strip().lower())
    except ValueError:
        names = ", ".join(t.value for t in ENCODERS)
        raise InputError(f"unknown script type {value!r}; use one of {names}") from None


def address_params(network: Network, *, legacy_format: bool = False) -> NetworkParams:
    """Address parameters of a network; `legacy_format` gives BCH's base58 addresses."""
    params = PARAMS[network]
    return legacy_params(params) if legacy_format else params


def derive_addresses(
    key: str,
    script_type: ScriptType | str,
    branch: int,
    start: int,
    count: int,
    *,
    network: Network | None = None,
    legacy_format: bool = False,
) -> list[DerivedKeyAddress]:
    """Addresses branch/start .. branch/(start+count-1) below an account-level extended key.

    The key may carry any SLIP-132 public version; only its chain code and public key are
    used, the script type is the one given. `network` names the chain for keys with Bitcoin
    versions used by other coins (an xpub of a Litecoin or BCH wallet)."""
    kind = coerce_script_type(script_type)
    encoder: Callable[[bytes, NetworkParams], str] | None = ENCODERS.get(kind)
    if encoder is None:
        raise InputError(f"{kind.value} addresses cannot be derived from a single account key")
    if branch not in (0, 1):
        raise InputError(f"branch must be 0 (receive) or 1 (change), not {branch}")
    check_range(start, count)
    xkey = decode_extended_key(key)
    params = address_params(xkey.on_network(network), legacy_format=legacy_format)
    children = child_public_keys(node_at(xkey.text, (branch,)), start, count)
    prefix = f"{branch}/"
    return [
        DerivedKeyAddress(index, encoder(child, params), f"{prefix}{index}")
        for index, child in enumerate(children, start)
    ]


def derive_child(
    key: str, path: Sequence[int], *, allow_master: bool = False
) -> tuple[bytes, bytes]:
    """(compressed public key, chain code) at a non-hardened path relative to the key."""
    xkey = decode_extended_key(key, allow_master=allow_master)
    node = node_at(xkey.text, tuple(path))
    return node.public_key, node.chain_code


def derive_public_keys(key: str, branch: int, indexes: Sequence[int]) -> list[bytes]:
    """Compressed child public keys at branch/index (for checks and descriptors)."""
    node = node_at(decode_extended_key(key).text, (branch,))
    return [_ckd_pub(node, i).public_key for i in indexes]


def extended_key(key: str) -> ExtendedPublicKey:
    return decode_extended_key(key, allow_master=True, allow_multisig=True)
