"""Report settings (environment prefix WALLETSCAN_)."""

from __future__ import annotations

from walletscan_platform.settings import ServiceSettings


class ReportSettings(ServiceSettings):
    pass
