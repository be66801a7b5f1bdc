"""Bitcoin address encoding (from public keys) and strict address parsing."""

from __future__ import annotations

from dataclasses import dataclass

from coincurve.keys import PublicKeyXOnly
from walletscan_contracts.chains import Network, ScriptType

from walletscan_keys.encoding import (
    CASHADDR_P2PKH,
    CASHADDR_P2SH,
    ChecksumMismatch,
    EncodingError,
    b58check_decode,
    b58check_encode,
    cashaddr_encode,
    segwit_decode,
    segwit_encode,
)
from walletscan_keys.errors import InputError, refuse_private
from walletscan_keys.hashing import hash160, tagged_hash
from walletscan_keys.networks import BITCOIN_NETWORKS, PARAMS, NetworkParams


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    address: str
    network: Network
    script_type: ScriptType  # P2PKH, P2SH, P2WPKH, P2WSH or P2TR


# --- encoding from a compressed public key ------------------------------------------------


class NoSegwit(InputError):
    """The network has no segwit addresses (Dogecoin, Bitcoin Cash)."""


def _hrp(params: NetworkParams) -> str:
    if params.hrp is None:
        raise NoSegwit(f"{params.label} has no segwit addresses")
    return params.hrp


def p2pkh_from_hash(key_hash: bytes, params: NetworkParams) -> str:
    if params.cashaddr_prefix is not None:
        return cashaddr_encode(params.cashaddr_prefix, CASHADDR_P2PKH, key_hash)
    return b58check_encode(bytes((params.p2pkh_version,)) + key_hash)


def p2sh_from_hash(script_hash: bytes, params: NetworkParams) -> str:
    if params.cashaddr_prefix is not None:
        return cashaddr_encode(params.cashaddr_prefix, CASHADDR_P2SH, script_hash)
    return b58check_encode(bytes((params.p2sh_version,)) + script_hash)


def p2pkh_address(pubkey: bytes, params: NetworkParams) -> str:
    return p2pkh_from_hash(hash160(pubkey), params)


def p2sh_p2wpkh_address(pubkey: bytes, params: NetworkParams) -> str:
    # The redeem script is a witness program even on chains without segwit: xpub-scan's BCH
    # vectors derive such addresses, and they are plain P2SH there.
    redeem_script = b"\x00\x14" + hash160(pubkey)
    return p2sh_from_hash(hash160(redeem_script), params)


def p2wpkh_address(pubkey: bytes, params: NetworkParams) -> str:
    return segwit_encode(_hrp(params), 0, hash160(pubkey))


def taproot_output_key(internal_key: bytes) -> bytes:
    """BIP86: tweak the x-only internal key with no script tree; returns the x-only output key."""
    xonly = internal_key[1:] if len(internal_key) == 33 else internal_key
    key = PublicKeyXOnly(xonly)
    key.tweak_add(tagged_hash("TapTweak", xonly))
    return bytes(key.format())


def p2tr_address(pubkey: bytes, params: NetworkParams) -> str:
    return segwit_encode(_hrp(params), 1, taproot_output_key(pubkey))


ENCODERS = {
    ScriptType.P2PKH: p2pkh_address,
    ScriptType.P2SH_P2WPKH: p2sh_p2wpkh_address,
    ScriptType.P2WPKH: p2wpkh_address,
    ScriptType.P2TR: p2tr_address,
}


def address_from_pubkey(pubkey: bytes, script_type: ScriptType, network: Network) -> str:
    """The address paying to a compressed public key with a single-key script type."""
    try:
        encoder = ENCODERS[script_type]
    except KeyError:
        raise InputError(
            f"{script_type.value} addresses cannot be made from a single public key"
        ) from None
    return encoder(pubkey, PARAMS[network])


# --- encoding from an output script ---------------------------------------------------------


def address_from_script(script: bytes, params: NetworkParams) -> str | None:
    """The address of a standard output script (P2PKH, P2SH, segwit v0/v1), else None
    (bare scripts such as pk() or a top-level multi() have no address)."""
    n = len(script)
    if n == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return p2pkh_from_hash(script[3:23], params)
    if n == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return p2sh_from_hash(script[2:22], params)
    if n in (22, 34) and script[0] == 0 and script[1] == n - 2:
        return segwit_encode(_hrp(params), 0, script[2:])
    if n == 34 and script[:2] == b"\x51\x20":
        return segwit_encode(_hrp(params), 1, script[2:])
    return None


# --- parsing --------------------------------------------------------------------------------

_BASE58_VERSIONS: dict[int, tuple[Network, ScriptType]] = {}
for _params in (PARAMS[n] for n in BITCOIN_NETWORKS):
    _BASE58_VERSIONS[_params.p2pkh_version] = (_params.network, ScriptType.P2PKH)
    _BASE58_VERSIONS[_params.p2sh_version] = (_params.network, ScriptType.P2SH)
# Private keys of every chain walletscan knows are refused (BCH shares Bitcoin's WIF byte).
_WIF_VERSIONS: dict[int, str] = {}
for _params in PARAMS.values():
    _WIF_VERSIONS.setdefault(_params.wif_version, _params.label)
_HRPS = {hrp: n for n in BITCOIN_NETWORKS if (hrp := PARAMS[n].hrp) is not None}

# Version bytes of other chains' base58 addresses, to say what the user pasted.
_OTHER_CHAINS = {
    0x30: "a Litecoin address",
    0x32: "a Litecoin P2SH address",
    0x1E: "a Dogecoin address",
    0x16: "a Dogecoin P2SH address",
}


def _network_mismatch(what: str, found: Network, wanted: Network) -> InputError:
    return InputError(
        f"{what} is a {PARAMS[found].label} address but {PARAMS[wanted].label} was requested"
    )


def parse_address(text: str, network: Network | None = None) -> ParsedAddress:
    """Parse one Bitcoin (mainnet or testnet) address; raise InputError saying what is wrong."""
    address = text.strip()
    if not address:
        raise InputError("the address is empty")
    shown = address if len(address) <= 100 else address[:20] + "…"
    lower = address.lower()
    if lower.startswith(("bitcoincash:", "bchtest:", "bchreg:")):
        raise InputError(f"{shown} is a Bitcoin Cash address; only Bitcoin is supported so far")
    if lower.startswith("0x") and len(address) == 42:
        raise InputError(f"{shown} is an Ethereum-style address; only Bitcoin is supported so far")
    sep = lower.rfind("1")
    if sep > 0 and lower[:sep] in (*_HRPS, "bcrt", "ltc", "tltc"):
        parsed = _parse_segwit(address, shown)
    else:
        parsed = _parse_base58(address, shown)
    if network is not None and parsed.network != network:
        raise _network_mismatch(shown, parsed.network, network)
    return parsed


def _parse_segwit(address: str, shown: str) -> ParsedAddress:
    hrp_given = address[: address.rfind("1")].lower()
    if hrp_given == "bcrt":
        raise InputError(f"{shown} is a regtest address; only mainnet and testnet are supported")
    if hrp_given in ("ltc", "tltc"):
        raise InputError(f"{shown} is a Litecoin address; only Bitcoin is supported so far")
    try:
        hrp, witver, program = segwit_decode(address)
    except ChecksumMismatch:
        raise InputError(
            f"the address {shown} has a wrong checksum: a character was mistyped "
            "or the address is truncated"
        ) from None
    except EncodingError as exc:
        raise InputError(f"the address {shown} is not valid: it {exc}") from None
    network = _HRPS[hrp]
    # Addresses are returned lower case: the canonical form providers and explorers use.
    canonical = address.lower()
    if witver == 0:
        kind = ScriptType.P2WPKH if len(program) == 20 else ScriptType.P2WSH
        return ParsedAddress(canonical, network, kind)
    if witver == 1 and len(program) == 32:
        try:
            PublicKeyXOnly(program)
        except ValueError:
            raise InputError(
                f"{shown} is not a usable taproot address: its output key is not a point "
                "on the secp256k1 curve"
            ) from None
        return ParsedAddress(canonical, network, ScriptType.P2TR)
    raise InputError(
        f"{shown} is a witness version {witver} address with a {len(program)}-byte program; "
        "only P2WPKH, P2WSH and P2TR segwit addresses are supported"
    )


def _parse_base58(address: str, shown: str) -> ParsedAddress:
    try:
        payload = b58check_decode(address)
    except ChecksumMismatch:
        raise InputError(
            f"the address {shown} has a wrong checksum: a character was mistyped "
            "or the address is truncated"
        ) from None
    except EncodingError as exc:
        raise InputError(
            f"{shown} is not a Bitcoin address or extended public key ({exc})"
        ) from None
    version = payload[0]
    if version in _WIF_VERSIONS and len(payload) in (33, 34):
        raise refuse_private(f"this is a {_WIF_VERSIONS[version]} private key in WIF format")
    if len(payload) != 21:
        raise InputError(
            f"{shown} is not a Bitcoin address: it decodes to {len(payload) - 1} bytes "
            "instead of 20"
        )
    known = _BASE58_VERSIONS.get(version)
    if known is None:
        other = _OTHER_CHAINS.get(version)
        if other:
            raise InputError(f"{shown} is {other}; only Bitcoin is supported so far")
        raise InputError(f"{shown} is not a Bitcoin address: unknown version byte 0x{version:02x}")
    network, kind = known
    return ParsedAddress(address, network, kind)
