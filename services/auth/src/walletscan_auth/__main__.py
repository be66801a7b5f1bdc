"""`python -m walletscan_auth`: wait for NATS and MongoDB, declare streams, serve."""

from __future__ import annotations

from walletscan_platform.service import prepare, run

from walletscan_auth.app import build_app
from walletscan_auth.settings import get_settings


def main() -> None:
    settings = get_settings()
    prepare(settings, "auth")
    app, _ = build_app(settings)
    run(app)


if __name__ == "__main__":
    main()
