"""Provider clients: one address in, the normalised records of ARCHITECTURE §5 out."""

from walletscan_fetcher.providers.base import (
    AddressReport,
    PermanentProviderError,
    Provider,
    ProviderError,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.esplora import EsploraClient

__all__ = [
    "AddressReport",
    "EsploraClient",
    "PermanentProviderError",
    "Provider",
    "ProviderError",
    "TransientProviderError",
    "UnsupportedNetwork",
]
