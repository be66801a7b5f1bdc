"""`python -m walletscan_derivation`"""

from walletscan_platform.service import prepare, run

from walletscan_derivation.app import build_app
from walletscan_derivation.settings import DerivationSettings

if __name__ == "__main__":
    settings = DerivationSettings()
    prepare(settings, "derivation", needs_mongodb=False)
    run(build_app(settings))
