"""Base58Check (Bitcoin) and bech32 / bech32m (BIP173, BIP350) encoders and decoders.

Small and strict: decoding failures raise :class:`EncodingError` subclasses that say what is
wrong, so the parsing layer can turn them into messages for the user."""

from __future__ import annotations

from enum import Enum

from walletscan_keys.hashing import double_sha256

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(BECH32_CHARSET)}
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_MAX_LENGTH = 90


class EncodingError(ValueError):
    """Text is not a valid encoding; the message is readable by a user."""


class ChecksumMismatch(EncodingError):
    """The encoding is well formed but its checksum does not match."""


class Bech32Variant(Enum):
    BECH32 = 1  # BIP173
    BECH32M = 0x2BC830A3  # BIP350


# --- base58 -------------------------------------------------------------------------------


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out: list[str] = []
    while n:
        n, rem = divmod(n, 58)
        out.append(B58_ALPHABET[rem])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    n = 0
    for pos, char in enumerate(text):
        value = _B58_INDEX.get(char)
        if value is None:
            raise EncodingError(
                f"character {char!r} at position {pos + 1} is not a base58 character"
            )
        n = n * 58 + value
    pad = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * pad + body


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + double_sha256(payload)[:4])


def b58check_decode(text: str) -> bytes:
    raw = b58decode(text)
    if len(raw) < 4:
        raise EncodingError("too short for a base58check string")
    payload, checksum = raw[:-4], raw[-4:]
    if double_sha256(payload)[:4] != checksum:
        raise ChecksumMismatch("base58check checksum does not match")
    return payload


# --- bech32 / bech32m ---------------------------------------------------------------------


def _gen_table() -> tuple[int, ...]:
    table = []
    for top in range(32):
        value = 0
        for bit, gen in enumerate(_BECH32_GEN):
            if top >> bit & 1:
                value ^= gen
        table.append(value)
    return tuple(table)


_GEN_TABLE = _gen_table()


def _polymod(values: list[int], chk: int = 1) -> int:
    table = _GEN_TABLE
    for v in values:
        chk = (chk & 0x1FFFFFF) << 5 ^ v ^ table[chk >> 25]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


_HRP_STATE: dict[str, int] = {}


def _hrp_state(hrp: str) -> int:
    state = _HRP_STATE.get(hrp)
    if state is None:
        state = _HRP_STATE[hrp] = _polymod(_hrp_expand(hrp))
    return state


def bech32_encode(hrp: str, data: list[int], variant: Bech32Variant) -> str:
    chk = _polymod(data, _hrp_state(hrp))
    mod = _polymod([0, 0, 0, 0, 0, 0], chk) ^ variant.value
    charset = BECH32_CHARSET
    return (
        hrp
        + "1"
        + "".join([charset[d] for d in data])
        + "".join([charset[(mod >> s) & 31] for s in (25, 20, 15, 10, 5, 0)])
    )


def _pair_table() -> tuple[int, ...]:
    # The checksum is linear over GF(2): two 5-bit steps at once depend only on the top 10 bits.
    return tuple(_polymod([0, 0], top << 20) for top in range(1024))


_PAIR_TABLE = _pair_table()
_PAIR_CHARS = tuple(BECH32_CHARSET[c >> 5] + BECH32_CHARSET[c & 31] for c in range(1024))
_PLANS: dict[int, tuple[int, bool, range]] = {}


def _plan(length: int) -> tuple[int, bool, range]:
    """For a program of `length` bytes: left shift padding it to whole 5-bit groups, whether
    the group count is odd, and the bit offsets of its 10-bit chunks (two groups each)."""
    plan = _PLANS.get(length)
    if plan is None:
        groups = (length * 8 + 4) // 5
        odd = bool(groups % 2)
        chunks = groups // 2
        plan = _PLANS[length] = (groups * 5 - length * 8, odd, range(10 * (chunks - 1), -1, -10))
    return plan


def segwit_encode(hrp: str, witver: int, program: bytes) -> str:
    """Encode a segwit address: bech32 for version 0, bech32m above (BIP173, BIP350).

    Tuned for derivation speed: it works on 10-bit chunks (two 5-bit groups) at a time, for
    the characters and for the checksum (see _PAIR_TABLE)."""
    pad, odd, shifts = _plan(len(program))
    n = int.from_bytes(program, "big") << pad
    table = _PAIR_TABLE
    pair_chars = _PAIR_CHARS
    chk = _polymod([witver], _hrp_state(hrp))
    last = n & 31
    if odd:
        n >>= 5
    parts: list[str] = []
    for s in shifts:
        chunk = (n >> s) & 1023
        parts.append(pair_chars[chunk])
        chk = ((chk & 0xFFFFF) << 10) ^ chunk ^ table[chk >> 20]
    if odd:
        parts.append(BECH32_CHARSET[last])
        chk = _polymod([last], chk)
    for _ in range(3):  # six zero groups make room for the checksum
        chk = ((chk & 0xFFFFF) << 10) ^ table[chk >> 20]
    variant = Bech32Variant.BECH32 if witver == 0 else Bech32Variant.BECH32M
    mod = chk ^ variant.value
    charset = BECH32_CHARSET
    checksum = "".join([charset[(mod >> s) & 31] for s in (25, 20, 15, 10, 5, 0)])
    return f"{hrp}1{charset[witver]}{''.join(parts)}{checksum}"


def bech32_decode(text: str) -> tuple[str, list[int], Bech32Variant]:
    """Decode a bech32 or bech32m string; returns (hrp, 5-bit data without checksum, variant)."""
    if len(text) > BECH32_MAX_LENGTH:
        raise EncodingError(f"is {len(text)} characters long, more than bech32's 90")
    for char in text:
        if not 33 <= ord(char) <= 126:
            raise EncodingError(f"contains the character {char!r}, not allowed in bech32")
    if text.lower() != text and text.upper() != text:
        raise EncodingError("mixes upper and lower case letters, which bech32 does not allow")
    text = text.lower()
    sep = text.rfind("1")
    if sep < 1:
        raise EncodingError("has no human-readable part before the separator '1'")
    if sep + 7 > len(text):
        raise EncodingError("is too short: a bech32 checksum needs 6 characters after the '1'")
    hrp = text[:sep]
    data: list[int] = []
    for pos, char in enumerate(text[sep + 1 :], start=sep + 2):
        value = _BECH32_INDEX.get(char)
        if value is None:
            raise EncodingError(f"character {char!r} at position {pos} is not a bech32 character")
        data.append(value)
    const = _polymod(_hrp_expand(hrp) + data)
    if const == Bech32Variant.BECH32.value:
        variant = Bech32Variant.BECH32
    elif const == Bech32Variant.BECH32M.value:
        variant = Bech32Variant.BECH32M
    else:
        raise ChecksumMismatch("bech32 checksum does not match")
    return hrp, data[:-6], variant


def convertbits(data: list[int] | bytes, frombits: int, tobits: int, *, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    max_acc = (1 << (frombits + tobits - 1)) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise EncodingError("data value out of range")
        acc = ((acc << frombits) | value) & max_acc
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise EncodingError("has invalid padding in its data part")
    return out


def segwit_decode(text: str) -> tuple[str, int, bytes]:
    """Decode a segwit address (BIP173/BIP350 rules); returns (hrp, witness version, program)."""
    hrp, data, variant = bech32_decode(text)
    if not data:
        raise EncodingError("has no witness version")
    witver = data[0]
    if witver > 16:
        raise EncodingError(f"has witness version {witver}; the highest is 16")
    program = bytes(convertbits(data[1:], 5, 8, pad=False))
    if not 2 <= len(program) <= 40:
        raise EncodingError(f"has a {len(program)}-byte witness program; 2 to 40 are allowed")
    if witver == 0 and len(program) not in (20, 32):
        raise EncodingError(
            f"has a {len(program)}-byte version 0 witness program; only 20 or 32 are valid"
        )
    if witver == 0 and variant is not Bech32Variant.BECH32:
        raise EncodingError("is a version 0 witness address encoded with bech32m (needs bech32)")
    if witver != 0 and variant is not Bech32Variant.BECH32M:
        raise EncodingError(
            f"is a version {witver} witness address encoded with bech32 (needs bech32m, BIP350)"
        )
    return hrp, witver, program


# --- cashaddr (Bitcoin Cash) ----------------------------------------------------------------

_CASHADDR_GEN = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
CASHADDR_P2PKH = 0
CASHADDR_P2SH = 1


def _cashaddr_polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 35
        chk = ((chk & 0x07FFFFFFFF) << 5) ^ value
        for bit, gen in enumerate(_CASHADDR_GEN):
            if top >> bit & 1:
                chk ^= gen
    return chk ^ 1


def cashaddr_encode(prefix: str, kind: int, hash160_: bytes) -> str:
    """A Bitcoin Cash address (cashaddr spec): version byte = type << 3 | size code (0 for
    160-bit hashes), 5-bit groups, a 40-bit BCH checksum over the prefix's low bits."""
    payload = convertbits(bytes((kind << 3,)) + hash160_, 8, 5, pad=True)
    prefix_values = [ord(c) & 31 for c in prefix] + [0]
    mod = _cashaddr_polymod([*prefix_values, *payload, 0, 0, 0, 0, 0, 0, 0, 0])
    checksum = [(mod >> 5 * (7 - i)) & 31 for i in range(8)]
    return f"{prefix}:" + "".join(BECH32_CHARSET[v] for v in payload + checksum)
