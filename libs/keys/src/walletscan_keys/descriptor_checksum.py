"""The output descriptor checksum of BIP380: an 8-character BCH code over the descriptor text.

The checksum catches typos the way an address checksum does, so a descriptor that carries one
is only accepted when it matches (a wrong one means the text was changed)."""

from __future__ import annotations

from walletscan_keys.errors import InputError

INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    'ijklmnopqrstuvwxyzABCDEFGH`#"\\ '
)
CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
CHECKSUM_LENGTH = 8
_GENERATOR = (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)
_POSITION = {c: i for i, c in enumerate(INPUT_CHARSET)}


def _polymod(symbols: list[int]) -> int:
    chk = 1
    for value in symbols:
        top = chk >> 35
        chk = (chk & 0x7FFFFFFFF) << 5 ^ value
        for bit, gen in enumerate(_GENERATOR):
            if top >> bit & 1:
                chk ^= gen
    return chk


def _expand(text: str) -> list[int]:
    """Characters to symbols: the position within a group of 32, and after every three
    characters one symbol combining their group numbers (BIP380)."""
    symbols: list[int] = []
    groups: list[int] = []
    for pos, char in enumerate(text, start=1):
        value = _POSITION.get(char)
        if value is None:
            raise InputError(
                f"the descriptor has the character {char!r} at position {pos}, "
                "which descriptors do not allow"
            )
        symbols.append(value & 31)
        groups.append(value >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    return symbols


def descriptor_checksum(text: str) -> str:
    """The checksum of a descriptor written without one."""
    mod = _polymod([*_expand(text), 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1
    return "".join(CHECKSUM_CHARSET[(mod >> 5 * (7 - i)) & 31] for i in range(CHECKSUM_LENGTH))


def with_checksum(text: str) -> str:
    return f"{text}#{descriptor_checksum(text)}"


def split_checksum(text: str) -> tuple[str, str | None]:
    """(descriptor, checksum or None); raise InputError when a given checksum is wrong."""
    body, sep, given = text.partition("#")
    if not sep:
        _expand(body)  # still refuse characters outside the descriptor alphabet
        return body, None
    if not given:
        raise InputError("the descriptor ends with '#' but the checksum after it is missing")
    if "#" in given:
        raise InputError("the descriptor has more than one '#'; only one checksum may follow it")
    if len(given) != CHECKSUM_LENGTH:
        raise InputError(
            f"the descriptor checksum #{given} has {len(given)} characters instead of "
            f"{CHECKSUM_LENGTH}"
        )
    if any(c not in CHECKSUM_CHARSET for c in given):
        raise InputError(f"the descriptor checksum #{given} has characters a checksum never has")
    expected = descriptor_checksum(body)
    if given != expected:
        raise InputError(
            f"the descriptor checksum #{given} does not match the descriptor (it computes to "
            f"#{expected}): a character was changed or mistyped, or the descriptor is truncated"
        )
    return body, given
