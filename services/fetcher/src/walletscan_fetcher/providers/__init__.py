"""Provider clients: one address in, the normalised records of ARCHITECTURE §5 out."""

from walletscan_fetcher.providers.base import (
    AddressReport,
    BatchProvider,
    PermanentProviderError,
    Provider,
    ProviderError,
    QuotaExhausted,
    TransientProviderError,
    UnsupportedNetwork,
)
from walletscan_fetcher.providers.esplora import EsploraClient

__all__ = [
    "AddressReport",
    "BatchProvider",
    "EsploraClient",
    "PermanentProviderError",
    "Provider",
    "ProviderError",
    "QuotaExhausted",
    "TransientProviderError",
    "UnsupportedNetwork",
]
