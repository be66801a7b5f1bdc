"""Errors raised for bad wallet input. Their messages are shown to the user as they are."""

from __future__ import annotations


class InputError(ValueError):
    """The input cannot be scanned; the message says what is wrong, in words a user understands."""


class PrivateKeyRefused(InputError):
    """The input is (or looks like) private key material: walletscan never accepts it."""


PRIVATE_KEY_ADVICE = (
    "walletscan never accepts private keys or seed phrases: {what}. "
    "Paste the account's extended PUBLIC key (xpub/ypub/zpub, or tpub/upub/vpub on testnet) "
    "instead, and treat the key you pasted as exposed."
)


def refuse_private(what: str) -> PrivateKeyRefused:
    return PrivateKeyRefused(PRIVATE_KEY_ADVICE.format(what=what))
