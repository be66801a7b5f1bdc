"""BIP32 extended public keys: SLIP-132 version bytes, strict decoding and validation."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from coincurve.keys import PublicKey
from walletscan_contracts.chains import Network, ScriptType

from walletscan_keys.encoding import ChecksumMismatch, EncodingError, b58check_decode, b58decode
from walletscan_keys.errors import InputError, refuse_private
from walletscan_keys.networks import HARDENED, PARAMS, PURPOSE


@dataclass(frozen=True, slots=True)
class KeyVersion:
    prefix: str
    network: Network | None  # None: a coin walletscan does not support (yet)
    private: bool
    script_type: ScriptType | None  # implied by SLIP-132; None for multisig or unknown
    multisig: bool = False


_B, _T = Network.BITCOIN, Network.BITCOIN_TESTNET
VERSIONS: dict[int, KeyVersion] = {
    # Bitcoin mainnet (BIP32 + SLIP-132)
    0x0488B21E: KeyVersion("xpub", _B, False, ScriptType.P2PKH),
    0x0488ADE4: KeyVersion("xprv", _B, True, ScriptType.P2PKH),
    0x049D7CB2: KeyVersion("ypub", _B, False, ScriptType.P2SH_P2WPKH),
    0x049D7878: KeyVersion("yprv", _B, True, ScriptType.P2SH_P2WPKH),
    0x04B24746: KeyVersion("zpub", _B, False, ScriptType.P2WPKH),
    0x04B2430C: KeyVersion("zprv", _B, True, ScriptType.P2WPKH),
    0x0295B43F: KeyVersion("Ypub", _B, False, None, multisig=True),
    0x0295B005: KeyVersion("Yprv", _B, True, None, multisig=True),
    0x02AA7ED3: KeyVersion("Zpub", _B, False, None, multisig=True),
    0x02AA7A99: KeyVersion("Zprv", _B, True, None, multisig=True),
    # Bitcoin testnet
    0x043587CF: KeyVersion("tpub", _T, False, ScriptType.P2PKH),
    0x04358394: KeyVersion("tprv", _T, True, ScriptType.P2PKH),
    0x044A5262: KeyVersion("upub", _T, False, ScriptType.P2SH_P2WPKH),
    0x044A4E28: KeyVersion("uprv", _T, True, ScriptType.P2SH_P2WPKH),
    0x045F1CF6: KeyVersion("vpub", _T, False, ScriptType.P2WPKH),
    0x045F18BC: KeyVersion("vprv", _T, True, ScriptType.P2WPKH),
    0x024289EF: KeyVersion("Upub", _T, False, None, multisig=True),
    0x024285B5: KeyVersion("Uprv", _T, True, None, multisig=True),
    0x02575483: KeyVersion("Vpub", _T, False, None, multisig=True),
    0x02575048: KeyVersion("Vprv", _T, True, None, multisig=True),
    # Other chains: recognised so the message can say what the key is.
    0x019DA462: KeyVersion("Ltub", None, False, None),
    0x019D9CFE: KeyVersion("Ltpv", None, True, None),
    0x01B26EF6: KeyVersion("Mtub", None, False, None),
    0x01B26792: KeyVersion("Mtpv", None, True, None),
    0x0436F6E1: KeyVersion("ttub", None, False, None),
    0x0436EF7D: KeyVersion("ttpv", None, True, None),
    0x02FACAFD: KeyVersion("dgub", None, False, None),
    0x02FAC398: KeyVersion("dgpv", None, True, None),
}
PUBLIC_PREFIXES = frozenset(v.prefix for v in VERSIONS.values() if not v.private and v.network)
EXTENDED_KEY_LENGTH = 78


def display_key(text: str) -> str:
    """A shortened form of an extended key that is safe for logs and the UI."""
    return text if len(text) <= 16 else f"{text[:8]}…{text[-6:]}"


@dataclass(frozen=True, slots=True)
class ExtendedPublicKey:
    text: str = field(repr=False)  # as given; never logged whole (ARCHITECTURE §7)
    version: KeyVersion
    depth: int
    parent_fingerprint: bytes
    child_number: int
    chain_code: bytes
    public_key: bytes  # 33-byte compressed point, validated

    @property
    def network(self) -> Network:
        assert self.version.network is not None  # unsupported coins never get this far
        return self.version.network

    @property
    def prefix(self) -> str:
        return self.version.prefix

    @property
    def implied_script_type(self) -> ScriptType | None:
        return self.version.script_type

    @property
    def display(self) -> str:
        return display_key(self.text)

    def account_path(self, script_type: ScriptType) -> str:
        """The derivation path of this key, as far as it can be known.

        A depth-3 key is taken to be a standard account key (m/purpose'/coin'/account') of the
        script type; for other depths the levels above the key are unknown and shown as '?'."""
        last = self.child_number
        last_text = f"{last - HARDENED}'" if last >= HARDENED else str(last)
        if self.depth == 3 and script_type in PURPOSE and last >= HARDENED:
            coin = PARAMS[self.network].coin_type
            return f"m/{PURPOSE[script_type]}'/{coin}'/{last_text}"
        return "/".join(["m", *["?"] * (self.depth - 1), last_text])


def looks_like_extended_key(text: str) -> bool:
    """True if text is base58 and decodes to the size of an extended key (checksum unchecked)."""
    if not 100 <= len(text) <= 120:
        return False
    try:
        return len(b58decode(text)) == EXTENDED_KEY_LENGTH + 4
    except EncodingError:
        return False


@functools.lru_cache(maxsize=1024)
def decode_extended_key(text: str, *, allow_master: bool = False) -> ExtendedPublicKey:
    """Decode and validate an extended public key; raise InputError saying what is wrong.

    Private extended keys raise PrivateKeyRefused. Master keys (depth 0) are refused unless
    allow_master: a scan needs the account-level key. Multisig SLIP-132 keys (Ypub, Zpub, ...)
    need a descriptor."""
    text = text.strip()
    shown = display_key(text)
    try:
        payload = b58check_decode(text)
    except ChecksumMismatch:
        raise InputError(
            f"the extended key {shown} checksum is wrong: a character was mistyped "
            "or the key is truncated"
        ) from None
    except EncodingError as exc:
        raise InputError(f"the extended key {shown} is not valid: {exc}") from None
    if len(payload) != EXTENDED_KEY_LENGTH:
        raise InputError(
            f"the extended key {shown} is {len(payload)} bytes long instead of "
            f"{EXTENDED_KEY_LENGTH}: it is truncated or not an extended key"
        )
    version_int = int.from_bytes(payload[:4], "big")
    version = VERSIONS.get(version_int)
    if version is None:
        raise InputError(
            f"the extended key {shown} starts with the unknown prefix '{text[:4]}' "
            f"(version bytes 0x{version_int:08x}); expected xpub, ypub or zpub "
            "(tpub, upub or vpub on testnet)"
        )
    if version.private:
        raise refuse_private(f"'{version.prefix}' is an extended PRIVATE key")
    if version.network is None:
        raise InputError(
            f"'{version.prefix}' keys belong to another chain; only Bitcoin extended keys "
            "(xpub/ypub/zpub, tpub/upub/vpub) are supported so far"
        )
    if version.multisig:
        raise InputError(
            f"'{version.prefix}' is a multisig account key; multisig keys need a descriptor "
            "(coming soon)"
        )
    depth = payload[4]
    fingerprint = payload[5:9]
    child_number = int.from_bytes(payload[9:13], "big")
    chain_code = payload[13:45]
    key_data = payload[45:78]
    if depth == 0 and fingerprint != b"\0\0\0\0":
        raise InputError(
            f"the extended key {shown} is malformed: depth 0 with a non-zero parent fingerprint"
        )
    if depth == 0 and child_number != 0:
        raise InputError(
            f"the extended key {shown} is malformed: depth 0 with a non-zero child index"
        )
    if key_data[0] not in (2, 3):
        if key_data[0] == 0:
            detail = "it holds private key data under a public key version"
        else:
            detail = f"its public key starts with 0x{key_data[0]:02x} instead of 0x02 or 0x03"
        raise InputError(f"the extended key {shown} is malformed: {detail}")
    try:
        PublicKey(key_data)
    except ValueError:
        raise InputError(
            f"the extended key {shown} is malformed: its public key is not a point "
            "on the secp256k1 curve"
        ) from None
    if depth == 0 and not allow_master:
        raise InputError(
            f"{shown} is a master key (depth 0). Paste the account-level extended public key "
            "instead (depth 3, e.g. m/84'/0'/0' for native segwit), as shown by the wallet's "
            "account settings"
        )
    return ExtendedPublicKey(
        text=text,
        version=version,
        depth=depth,
        parent_fingerprint=fingerprint,
        child_number=child_number,
        chain_code=chain_code,
        public_key=key_data,
    )
