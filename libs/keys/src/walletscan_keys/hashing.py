"""Hash helpers: SHA-256, HASH160 and BIP340 tagged hashes, with a RIPEMD-160 that works even
where OpenSSL 3 leaves it out of hashlib."""

from __future__ import annotations

import hashlib
from collections.abc import Callable


def _pick_ripemd160() -> Callable[[bytes], bytes]:
    try:
        hashlib.new("ripemd160", b"")
    except ValueError:
        pass
    else:

        def _hashlib_ripemd160(data: bytes) -> bytes:
            return hashlib.new("ripemd160", data).digest()

        return _hashlib_ripemd160
    # pycryptodome (a bip_utils dependency) has a C implementation.
    from Crypto.Hash import RIPEMD160

    def _pycryptodome_ripemd160(data: bytes) -> bytes:
        return bytes(RIPEMD160.new(data).digest())

    return _pycryptodome_ripemd160


ripemd160 = _pick_ripemd160()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def double_sha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    return ripemd160(hashlib.sha256(data).digest())


_TAG_PREFIXES: dict[str, bytes] = {}


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP340 tagged hash: sha256(sha256(tag) || sha256(tag) || data)."""
    prefix = _TAG_PREFIXES.get(tag)
    if prefix is None:
        tag_hash = hashlib.sha256(tag.encode()).digest()
        prefix = _TAG_PREFIXES[tag] = tag_hash + tag_hash
    return hashlib.sha256(prefix + data).digest()
