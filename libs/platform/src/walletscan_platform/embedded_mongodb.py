"""`python -m walletscan_platform.embedded_mongodb [nx-27017 options]`: the local
MongoDB-compatible server, quiet. nx-27017 logs two INFO lines per database command, which
would drown everything else `make run` prints; configuring logging first makes its own
`basicConfig` a no-op, so only warnings and errors show."""

from __future__ import annotations

import logging
import sys

from nx_27017.nx_27017 import main

if __name__ == "__main__":
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    sys.exit(main())
