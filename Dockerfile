# syntax=docker/dockerfile:1
#
# One image for every backend service. Each container picks its process with its command:
#   python -m walletscan_gateway | walletscan_auth | walletscan_derivation
#   python -m walletscan_fetcher --provider <name> | walletscan_aggregator | walletscan_report
# One image keeps one build in CI and in Tilt; the six services share almost all their
# dependencies (contracts, platform, faststream, pydantic), so separate images would mostly
# repeat the same layers.

ARG PYTHON_VERSION=3.12

# ---------------------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build

# uv is pinned to the version that wrote uv.lock.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /src

# Only the services that run in production, not the root project's local runner (embedded
# NATS and MongoDB servers) nor the dev group.
ARG SERVICES="--package walletscan-gateway --package walletscan-auth \
--package walletscan-derivation --package walletscan-fetcher \
--package walletscan-aggregator --package walletscan-report"

# Third-party dependencies first: this layer is rebuilt only when the lock or a member's
# pyproject.toml changes, not on every source edit. uv needs every member's pyproject.toml to
# read the workspace.
COPY pyproject.toml uv.lock ./
COPY libs/contracts/pyproject.toml libs/contracts/
COPY libs/platform/pyproject.toml libs/platform/
COPY libs/keys/pyproject.toml libs/keys/
COPY libs/testkit/pyproject.toml libs/testkit/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/auth/pyproject.toml services/auth/
COPY services/derivation/pyproject.toml services/derivation/
COPY services/fetcher/pyproject.toml services/fetcher/
COPY services/aggregator/pyproject.toml services/aggregator/
COPY services/report/pyproject.toml services/report/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace ${SERVICES}

# Then the workspace's own packages, installed as wheels (not editable) so the runtime image
# needs no source tree.
COPY libs/ libs/
COPY services/ services/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable ${SERVICES}

# ---------------------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

# A fixed numeric uid so Kubernetes can check runAsNonRoot without resolving a user name.
RUN groupadd --system --gid 10001 walletscan \
 && useradd --system --uid 10001 --gid walletscan --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin walletscan

COPY --from=build --chown=root:root /app/.venv /app/.venv

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WALLETSCAN_METRICS_PORT=9464

WORKDIR /app
USER 10001:10001

# 8000: the gateway's HTTP API; 9464: Prometheus metrics of every service.
EXPOSE 8000 9464

# No default service: every deployment says which process it runs.
CMD ["python", "-c", "raise SystemExit('choose a service: python -m walletscan_<service>')"]
