"""EVM account addresses (Ethereum and the EVM chains): parsing with the EIP-55 checksum.

An EVM address is 20 bytes written as `0x` + 40 hex digits. EIP-55 hides a checksum in the
letter case: a digit's letter is upper-case when the matching nibble of keccak256(lower-case
hex) is 8 or more. So:

* all lower-case (or all upper-case) carries no checksum and is accepted as it is: wallets and
  explorers print it that way and there is nothing to check;
* mixed case claims a checksum, and one that does not match is refused: a single mistyped
  digit changes the case pattern, and scanning the wrong account would silently show nothing.

The same address is the same account on every EVM chain, so parsing does not pick a chain.
Inside walletscan addresses travel lower-case (providers answer that way, and one spelling
makes the stored facts' natural keys unambiguous); `checksum_address` gives the display form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from Crypto.Hash import keccak  # pycryptodome, already a bip_utils dependency

from walletscan_keys.errors import InputError

_SHAPE = re.compile(r"0[xX][0-9a-fA-F]{40}")
_HEXISH = re.compile(r"0[xX][0-9a-fA-F]*")
ADDRESS_HEX_DIGITS = 40


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 (the original Keccak padding, not NIST SHA3-256)."""
    return bytes(keccak.new(digest_bits=256, data=data).digest())


def checksum_address(address: str) -> str:
    """The EIP-55 spelling of a well-formed address (any case in, mixed case out)."""
    digits = address[2:].lower()
    if len(digits) != ADDRESS_HEX_DIGITS or not all(c in "0123456789abcdef" for c in digits):
        raise InputError(f"{address!r} is not an EVM address (0x and 40 hex digits)")
    hashed = keccak256(digits.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(h, 16) >= 8 else c
        for c, h in zip(digits, hashed, strict=False)
    )


def looks_like_evm_address(text: str) -> bool:
    """`0x` and hex digits only: meant as an EVM address, even if the length is wrong (so the
    user is told what is wrong with it rather than that it is not a Bitcoin address)."""
    return bool(_HEXISH.fullmatch(text.strip())) and len(text.strip()) > 2


@dataclass(frozen=True, slots=True)
class EvmAddress:
    address: str  # lower-case, the form walletscan stores and compares
    checksummed: str  # EIP-55, the form shown to people

    def __str__(self) -> str:
        return self.checksummed


def parse_evm_address(text: str) -> EvmAddress:
    """Validate an EVM address. Raises InputError with a message a user can act on."""
    token = text.strip()
    if not _SHAPE.fullmatch(token):
        if _HEXISH.fullmatch(token):
            raise InputError(
                f"{token} is not an EVM address: it has {len(token) - 2} hex digits after 0x, "
                f"an address has {ADDRESS_HEX_DIGITS}"
            )
        raise InputError(f"{token!r} is not an EVM address (0x followed by 40 hex digits)")
    if token[:2] == "0X":
        token = "0x" + token[2:]
    hex_digits = token[2:]
    checksummed = checksum_address(token)
    mixed_case = hex_digits not in (hex_digits.lower(), hex_digits.upper())
    if mixed_case and token != checksummed:
        raise InputError(
            f"{token} fails its EIP-55 checksum (the letter case does not match the address): "
            "check it for a typo, or paste it all in lower case to skip the check"
        )
    return EvmAddress(address=token.lower(), checksummed=checksummed)


__all__ = [
    "ADDRESS_HEX_DIGITS",
    "EvmAddress",
    "checksum_address",
    "keccak256",
    "looks_like_evm_address",
    "parse_evm_address",
]
