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
    # BIP32's own versions (xpub, tpub, Ltub, dgub) say "P2PKH or P2SH": the script type is
    # not really known, so a bare key of this version is probed (ARCHITECTURE §5).
    generic: bool = False


_B, _T = Network.BITCOIN, Network.BITCOIN_TESTNET
_L, _D = Network.LITECOIN, Network.DOGECOIN
VERSIONS: dict[int, KeyVersion] = {
    # Bitcoin mainnet (BIP32 + SLIP-132)
    0x0488B21E: KeyVersion("xpub", _B, False, ScriptType.P2PKH, generic=True),
    0x0488ADE4: KeyVersion("xprv", _B, True, ScriptType.P2PKH),
    0x049D7CB2: KeyVersion("ypub", _B, False, ScriptType.P2SH_P2WPKH),
    0x049D7878: KeyVersion("yprv", _B, True, ScriptType.P2SH_P2WPKH),
    0x04B24746: KeyVersion("zpub", _B, False, ScriptType.P2WPKH),
    0x04B2430C: KeyVersion("zprv", _B, True, ScriptType.P2WPKH),
    0x0295B43F: KeyVersion("Ypub", _B, False, ScriptType.P2SH_P2WSH, multisig=True),
    0x0295B005: KeyVersion("Yprv", _B, True, None, multisig=True),
    0x02AA7ED3: KeyVersion("Zpub", _B, False, ScriptType.P2WSH, multisig=True),
    0x02AA7A99: KeyVersion("Zprv", _B, True, None, multisig=True),
    # Bitcoin testnet
    0x043587CF: KeyVersion("tpub", _T, False, ScriptType.P2PKH, generic=True),
    0x04358394: KeyVersion("tprv", _T, True, ScriptType.P2PKH),
    0x044A5262: KeyVersion("upub", _T, False, ScriptType.P2SH_P2WPKH),
    0x044A4E28: KeyVersion("uprv", _T, True, ScriptType.P2SH_P2WPKH),
    0x045F1CF6: KeyVersion("vpub", _T, False, ScriptType.P2WPKH),
    0x045F18BC: KeyVersion("vprv", _T, True, ScriptType.P2WPKH),
    0x024289EF: KeyVersion("Upub", _T, False, ScriptType.P2SH_P2WSH, multisig=True),
    0x024285B5: KeyVersion("Uprv", _T, True, None, multisig=True),
    0x02575483: KeyVersion("Vpub", _T, False, ScriptType.P2WSH, multisig=True),
    0x02575048: KeyVersion("Vprv", _T, True, None, multisig=True),
    # Litecoin (SLIP-132) and Dogecoin (BIP32 versions of Dogecoin Core)
    0x019DA462: KeyVersion("Ltub", _L, False, ScriptType.P2PKH, generic=True),
    0x019D9CFE: KeyVersion("Ltpv", _L, True, None),
    0x01B26EF6: KeyVersion("Mtub", _L, False, ScriptType.P2SH_P2WPKH),
    0x01B26792: KeyVersion("Mtpv", _L, True, None),
    0x02FACAFD: KeyVersion("dgub", _D, False, ScriptType.P2PKH, generic=True),
    0x02FAC398: KeyVersion("dgpv", _D, True, None),
    # Other chains: recognised so the message can say what the key is.
    0x0436F6E1: KeyVersion("ttub", None, False, None),
    0x0436EF7D: KeyVersion("ttpv", None, True, None),
}
# Chains that reuse Bitcoin's mainnet versions (xpub/ypub/zpub): Litecoin wallets such as
# Ledger's, Dogecoin and Bitcoin Cash wallets. Such a key is read on the chain the user names.
SHARES_BITCOIN_VERSIONS = frozenset({Network.LITECOIN, Network.DOGECOIN, Network.BITCOIN_CASH})
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
    def is_generic(self) -> bool:
        """True for xpub/tpub/Ltub/dgub: the version does not say the script type."""
        return self.version.generic

    def on_network(self, wanted: Network | None) -> Network:
        """The network this key is read on: its own, or a chain named by the user that reuses
        Bitcoin's versions (an xpub of a Litecoin, Dogecoin or BCH wallet)."""
        own = self.network
        if wanted is None or wanted == own:
            return own
        if own is Network.BITCOIN and wanted in SHARES_BITCOIN_VERSIONS:
            return wanted
        raise InputError(
            f"{self.display} is a {PARAMS[own].label} key but {PARAMS[wanted].label} was requested"
        )

    @property
    def display(self) -> str:
        return display_key(self.text)

    def account_path(self, script_type: ScriptType, network: Network | None = None) -> str:
        """The derivation path of this key, as far as it can be known.

        A depth-3 key is taken to be a standard account key (m/purpose'/coin'/account') of the
        script type; for other depths the levels above the key are unknown and shown as '?'."""
        if self.depth == 0:
            return "m"
        last = self.child_number
        last_text = f"{last - HARDENED}'" if last >= HARDENED else str(last)
        if self.depth == 3 and script_type in PURPOSE and last >= HARDENED:
            coin = PARAMS[network or self.network].coin_type
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
def decode_extended_key(
    text: str, *, allow_master: bool = False, allow_multisig: bool = False
) -> ExtendedPublicKey:
    """Decode and validate an extended public key; raise InputError saying what is wrong.

    Private extended keys raise PrivateKeyRefused. Master keys (depth 0) are refused unless
    allow_master: a scan needs the account-level key. Multisig SLIP-132 keys (Ypub, Zpub, ...)
    are one cosigner's key: alone they are refused, inside a descriptor (allow_multisig) they
    are ordinary extended keys."""
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
            f"'{version.prefix}' keys belong to another chain; supported are Bitcoin "
            "(xpub/ypub/zpub/Ypub/Zpub, tpub/upub/vpub/Upub/Vpub), Litecoin (Ltub/Mtub) and "
            "Dogecoin (dgub) extended keys"
        )
    if version.multisig and not allow_multisig:
        raise InputError(
            f"'{version.prefix}' is one cosigner's key of a multisig wallet, and multisig keys "
            "need a descriptor: paste the wallet's descriptor with every cosigner's key, e.g. "
            f"wsh(sortedmulti(2,{version.prefix}…/<0;1>/*,{version.prefix}…/<0;1>/*,"
            f"{version.prefix}…/<0;1>/*))"
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
            "account settings: the standard accounts sit below hardened steps, which only the "
            "private key can derive. If this wallet really uses the master key's own chains "
            "m/0/* and m/1/*, scan it as a descriptor such as wpkh(KEY/<0;1>/*)"
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
