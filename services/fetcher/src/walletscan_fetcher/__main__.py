"""`python -m walletscan_fetcher --provider esplora`"""

from __future__ import annotations

import argparse

from walletscan_platform.service import prepare, run

from walletscan_fetcher.app import build_app
from walletscan_fetcher.settings import FetcherSettings


def main() -> None:
    parser = argparse.ArgumentParser(description="walletscan fetcher for one provider")
    parser.add_argument("--provider", help="provider this process serves (default: settings)")
    args = parser.parse_args()
    settings = FetcherSettings()
    if args.provider:
        settings = settings.model_copy(update={"provider": args.provider})
    prepare(settings, f"fetcher-{settings.provider}", needs_mongodb=False)
    run(build_app(settings))


if __name__ == "__main__":
    main()
