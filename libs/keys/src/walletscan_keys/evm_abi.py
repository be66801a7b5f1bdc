"""The few pieces of the Solidity ABI walletscan needs: call data for ERC-20 reads (and for the
test scenario's transactions), Transfer log topics, and decoding of the words nodes return.

Deliberately tiny (static types, `string` and `bytes`); a full ABI codec would be a dependency
for four functions. Shared by the JSON-RPC provider and the test kit so both spell the
selectors and topics the same way.
"""

from __future__ import annotations

import re

from walletscan_keys.evm import keccak256

WORD = 32
_SIGNATURE = re.compile(r"^(\w+)\((.*)\)$")

ERC20_TRANSFER_EVENT = "Transfer(address,address,uint256)"


def selector(signature: str) -> bytes:
    """`"balanceOf(address)"` -> the 4-byte function selector."""
    return keccak256(signature.encode("ascii"))[:4]


def event_topic(signature: str) -> str:
    """`"Transfer(address,address,uint256)"` -> topic0 as 0x-hex."""
    return "0x" + keccak256(signature.encode("ascii")).hex()


TRANSFER_TOPIC = event_topic(ERC20_TRANSFER_EVENT)


def address_topic(address: str) -> str:
    """An address as an indexed topic: left-padded to 32 bytes, lower-case hex."""
    return "0x" + "0" * 24 + address.lower().removeprefix("0x")


def topic_address(topic: str) -> str:
    """The address held in an indexed address topic (its last 20 bytes)."""
    raw = topic.lower().removeprefix("0x")
    if len(raw) != 2 * WORD:
        raise ValueError(f"not a 32-byte topic: {topic!r}")
    return "0x" + raw[-40:]


def _types_of(signature: str) -> list[str]:
    match = _SIGNATURE.match(signature.replace(" ", ""))
    if match is None:
        raise ValueError(f"not a function signature: {signature!r}")
    inner = match.group(2)
    return [t for t in inner.split(",") if t] if inner else []


def _static_word(kind: str, value: object) -> bytes:
    if kind == "address":
        if not isinstance(value, str):
            raise TypeError("an address argument must be a 0x string")
        raw = bytes.fromhex(value.lower().removeprefix("0x"))
        if len(raw) != 20:
            raise ValueError(f"not a 20-byte address: {value!r}")
        return raw.rjust(WORD, b"\0")
    if kind == "bool":
        return int(bool(value)).to_bytes(WORD, "big")
    if kind.startswith("uint"):
        if not isinstance(value, int) or value < 0 or value >= 1 << 256:
            raise ValueError(f"not a {kind}: {value!r}")
        return value.to_bytes(WORD, "big")
    raise ValueError(f"unsupported static ABI type {kind!r}")


def _dynamic_bytes(kind: str, value: object) -> bytes:
    if kind == "string":
        if not isinstance(value, str):
            raise TypeError("a string argument must be str")
        data = value.encode("utf-8")
    elif isinstance(value, bytes | bytearray):
        data = bytes(value)
    else:
        raise TypeError("a bytes argument must be bytes")
    padded = data + b"\0" * (-len(data) % WORD)
    return len(data).to_bytes(WORD, "big") + padded


def encode_arguments(types: list[str], args: tuple[object, ...]) -> bytes:
    """ABI-encode arguments (head/tail layout: dynamic values go after the heads)."""
    if len(types) != len(args):
        raise ValueError(f"{len(types)} types but {len(args)} arguments")
    heads: list[bytes] = []
    tails: list[bytes] = []
    tail_offset = WORD * len(types)
    for kind, value in zip(types, args, strict=True):
        if kind in ("string", "bytes"):
            heads.append(tail_offset.to_bytes(WORD, "big"))
            encoded = _dynamic_bytes(kind, value)
            tails.append(encoded)
            tail_offset += len(encoded)
        else:
            heads.append(_static_word(kind, value))
    return b"".join(heads) + b"".join(tails)


def encode_call(signature: str, *args: object) -> str:
    """Call data as 0x-hex: selector + encoded arguments."""
    return "0x" + (selector(signature) + encode_arguments(_types_of(signature), args)).hex()


def encode_constructor(types: list[str], *args: object) -> str:
    """Constructor arguments as hex (no 0x), to append to creation bytecode."""
    return encode_arguments(types, args).hex()


def _raw(data: str) -> bytes:
    text = data.removeprefix("0x")
    if len(text) % 2:
        raise ValueError("odd-length hex")
    return bytes.fromhex(text)


def decode_uint(data: str) -> int:
    """The first word of a return value as an unsigned integer."""
    raw = _raw(data)
    if len(raw) < WORD:
        raise ValueError(f"expected a 32-byte word, got {len(raw)} bytes")
    return int.from_bytes(raw[:WORD], "big")


def decode_text(data: str) -> str:
    """A `string` return value, or a `bytes32` one (old tokens such as MKR return their symbol
    as bytes32), with trailing NULs dropped. Raises ValueError on anything else."""
    raw = _raw(data)
    if len(raw) == WORD:  # bytes32
        return raw.rstrip(b"\0").decode("utf-8", errors="replace")
    if len(raw) < 2 * WORD:
        raise ValueError(f"not an ABI string ({len(raw)} bytes)")
    offset = int.from_bytes(raw[:WORD], "big")
    if offset + WORD > len(raw):
        raise ValueError("string offset out of range")
    length = int.from_bytes(raw[offset : offset + WORD], "big")
    start = offset + WORD
    if start + length > len(raw):
        raise ValueError("string length out of range")
    return raw[start : start + length].decode("utf-8", errors="replace")


__all__ = [
    "ERC20_TRANSFER_EVENT",
    "TRANSFER_TOPIC",
    "address_topic",
    "decode_text",
    "decode_uint",
    "encode_arguments",
    "encode_call",
    "encode_constructor",
    "event_topic",
    "selector",
    "topic_address",
]
