"""Wallet input parsing and HD address derivation for the Bitcoin family.

- :func:`parse_input` validates what a user pasted (extended public key, address, address list)
  and refuses private keys and seed phrases.
- :func:`derive_addresses` derives receive/change addresses below an account key, fast.
- :func:`parse_descriptor` / :func:`derive_descriptor_addresses`: output descriptors
  (BIP380-389), multisig included.
"""

from walletscan_keys.addresses import ParsedAddress, address_from_pubkey, parse_address
from walletscan_keys.derive import (
    DerivedKeyAddress,
    derive_addresses,
    derive_child,
    derive_public_keys,
)
from walletscan_keys.descriptors import (
    Descriptor,
    derive_descriptor_addresses,
    parse_descriptor,
)
from walletscan_keys.errors import InputError, PrivateKeyRefused
from walletscan_keys.extended_keys import ExtendedPublicKey, decode_extended_key, display_key
from walletscan_keys.networks import standard_account_path
from walletscan_keys.parsing import ParsedInput, ScanChain, normalize_script_types, parse_input

__all__ = [
    "DerivedKeyAddress",
    "Descriptor",
    "ExtendedPublicKey",
    "InputError",
    "ParsedAddress",
    "ParsedInput",
    "PrivateKeyRefused",
    "ScanChain",
    "address_from_pubkey",
    "decode_extended_key",
    "derive_addresses",
    "derive_child",
    "derive_descriptor_addresses",
    "derive_public_keys",
    "display_key",
    "normalize_script_types",
    "parse_address",
    "parse_descriptor",
    "parse_input",
    "standard_account_path",
]
