"""`python -m walletscan_report`"""

from walletscan_platform.service import prepare, run

from walletscan_report.app import build_app
from walletscan_report.settings import ReportSettings

if __name__ == "__main__":
    settings = ReportSettings()
    prepare(settings, "report")
    run(build_app(settings))
