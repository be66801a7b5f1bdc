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
from walletscan_keys.networks import HARDENED, PARAMS, NetworkParams

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


def _ckd_pub(node: _Node, index: int) -> tuple[PublicKey, bytes, bytes]:
    digest = hmac.digest(node.chain_code, node.public_key + index.to_bytes(4, "big"), "sha512")
    tweak = digest[:32]
    if int.from_bytes(tweak, "big") >= SECP256K1_ORDER:  # probability < 2^-127
        raise InputError(f"child {index} of this key does not exist (BIP32: invalid tweak)")
    try:
        child = node.point.add(tweak)
    except ValueError:  # the point at infinity; probability < 2^-127
        raise InputError(f"child {index} of this key does not exist (point at infinity)") from None
    return child, child.format(compressed=True), digest[32:]


@functools.lru_cache(maxsize=4096)
def _branch_node(key: str, branch: int) -> _Node:
    xkey = decode_extended_key(key)
    account = _Node(PublicKey(xkey.public_key), xkey.public_key, xkey.chain_code)
    point, public_key, chain_code = _ckd_pub(account, branch)
    return _Node(point, public_key, chain_code)


def coerce_script_type(value: str | ScriptType) -> ScriptType:
    if isinstance(value, ScriptType):
        return value
    try:
        return ScriptType(value.strip().lower())
    except ValueError:
        names = ", ".join(t.value for t in ENCODERS)
        raise InputError(f"unknown script type {value!r}; use one of {names}") from None


def _check_key(key: str, network: Network | None) -> ExtendedPublicKey:
    xkey = decode_extended_key(key)
    if network is not None and xkey.network != network:
        raise InputError(
            f"{xkey.display} is a {PARAMS[xkey.network].label} key but "
            f"{PARAMS[network].label} was requested"
        )
    return xkey


def derive_addresses(
    key: str,
    script_type: ScriptType | str,
    branch: int,
    start: int,
    count: int,
    *,
    network: Network | None = None,
) -> list[DerivedKeyAddress]:
    """Addresses branch/start .. branch/(start+count-1) below an account-level extended key.

    The key may carry any SLIP-132 public version (xpub/ypub/zpub/tpub/upub/vpub); only its
    chain code and public key are used, the script type is the one given."""
    kind = coerce_script_type(script_type)
    encoder: Callable[[bytes, NetworkParams], str] | None = ENCODERS.get(kind)
    if encoder is None:
        raise InputError(f"{kind.value} addresses cannot be derived from a single account key")
    if branch not in (0, 1):
        raise InputError(f"branch must be 0 (receive) or 1 (change), not {branch}")
    if start < 0 or count < 0 or count > MAX_BATCH:
        raise InputError(f"start must be >= 0 and count between 0 and {MAX_BATCH}")
    if start + count > HARDENED:
        raise InputError("address indexes must stay below 2^31 (non-hardened derivation)")
    xkey = _check_key(key, network)
    params = PARAMS[xkey.network]
    node = _branch_node(xkey.text, branch)
    chain_code = node.chain_code
    parent_public = node.public_key
    add = node.point.add
    digest_fn = hmac.digest
    out: list[DerivedKeyAddress] = []
    append = out.append
    for index in range(start, start + count):
        tweak = digest_fn(chain_code, parent_public + index.to_bytes(4, "big"), "sha512")[:32]
        try:
            # libsecp256k1 refuses a tweak >= the curve order and a sum at infinity (BIP32:
            # "the resulting key is invalid"); either has a probability below 2^-127.
            child = add(tweak).format(compressed=True)
        except ValueError:
            raise InputError(f"child {branch}/{index} of this key does not exist") from None
        append(DerivedKeyAddress(index, encoder(child, params), f"{branch}/{index}"))
    return out


def derive_child(
    key: str, path: Sequence[int], *, allow_master: bool = False
) -> tuple[bytes, bytes]:
    """(compressed public key, chain code) at a non-hardened path relative to the key."""
    xkey = decode_extended_key(key, allow_master=allow_master)
    node = _Node(PublicKey(xkey.public_key), xkey.public_key, xkey.chain_code)
    for index in path:
        if not 0 <= index < HARDENED:
            raise InputError(f"index {index} is hardened or out of range: needs a private key")
        point, public_key, chain_code = _ckd_pub(node, index)
        node = _Node(point, public_key, chain_code)
    return node.public_key, node.chain_code


def derive_public_keys(key: str, branch: int, indexes: Sequence[int]) -> list[bytes]:
    """Compressed child public keys at branch/index (for checks and descriptors)."""
    node = _branch_node(decode_extended_key(key).text, branch)
    return [_ckd_pub(node, i)[1] for i in indexes]
