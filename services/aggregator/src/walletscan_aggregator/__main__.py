"""`python -m walletscan_aggregator`"""

from walletscan_platform.service import prepare, run

from walletscan_aggregator.app import build_app
from walletscan_aggregator.settings import AggregatorSettings

if __name__ == "__main__":
    settings = AggregatorSettings()
    prepare(settings, "aggregator")
    run(build_app(settings))
