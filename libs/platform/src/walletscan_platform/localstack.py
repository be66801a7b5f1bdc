"""The local stack: an embedded NATS (JetStream) and a MongoDB-compatible server unless real
ones are configured, then every service as its own process. `make run` runs it under honcho;
the end-to-end tests start the very same process list."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from walletscan_platform.settings import LOCAL_MONGODB_PORT, LOCAL_NATS_PORT


@dataclass(frozen=True, slots=True)
class Process:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def _bin(name: str) -> str:
    """A console script of this environment (the venv's bin folder first)."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        msg = f"{name} is not installed; run `uv sync` first"
        raise FileNotFoundError(msg)
    return found


def nats_process(port: int, data_dir: Path, *, monitor_port: int | None = None) -> Process:
    store = data_dir / "nats"
    store.mkdir(parents=True, exist_ok=True)
    argv = [_bin("nats-server"), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)]
    if monitor_port:
        argv += ["-m", str(monitor_port)]
    return Process("nats", argv)


def mongodb_process(port: int, data_dir: Path) -> Process:
    store = data_dir / "mongodb"
    store.mkdir(parents=True, exist_ok=True)
    return Process(
        "mongodb",
        [
            sys.executable,
            "-m",
            "walletscan_platform.embedded_mongodb",
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--data-dir",
            str(store),
            "--log-file",
            str(data_dir / "mongodb.log"),
            "--pid-file",
            str(data_dir / "mongodb.pid"),
        ],
    )


SERVICES: tuple[tuple[str, list[str]], ...] = (
    ("auth", ["-m", "walletscan_auth"]),
    ("derivation", ["-m", "walletscan_derivation"]),
    ("aggregator", ["-m", "walletscan_aggregator"]),
    ("report", ["-m", "walletscan_report"]),
    ("gateway", ["-m", "walletscan_gateway"]),
)


def enabled_providers(env: dict[str, str]) -> list[str]:
    raw = env.get("WALLETSCAN_FETCHER_PROVIDERS", "esplora")
    return [p.strip() for p in raw.split(",") if p.strip()]


def plan(
    data_dir: Path,
    env: dict[str, str] | None = None,
    *,
    nats_port: int = LOCAL_NATS_PORT,
    mongodb_port: int = LOCAL_MONGODB_PORT,
) -> list[Process]:
    """Every process of the stack with the environment each needs."""
    env = dict(os.environ if env is None else env)
    processes: list[Process] = []
    if not env.get("WALLETSCAN_NATS_URL"):
        processes.append(nats_process(nats_port, data_dir))
        env["WALLETSCAN_NATS_URL"] = f"nats://127.0.0.1:{nats_port}"
    if not env.get("WALLETSCAN_MONGODB_URL"):
        processes.append(mongodb_process(mongodb_port, data_dir))
        env["WALLETSCAN_MONGODB_URL"] = f"mongodb://127.0.0.1:{mongodb_port}"
    shared = {k: v for k, v in env.items() if k.startswith(("WALLETSCAN_", "OTEL_"))}
    # Fetchers re-route only to providers that have a fetcher running here.
    shared["WALLETSCAN_FETCHER_PROVIDERS"] = ",".join(enabled_providers(env))
    python = sys.executable
    processes += [Process(name, [python, *args], shared) for name, args in SERVICES]
    processes += [
        Process(
            f"fetcher-{provider}",
            [python, "-m", "walletscan_fetcher", "--provider", provider],
            shared,
        )
        for provider in enabled_providers(env)
    ]
    return processes


FRONTEND_DIR = Path(__file__).resolve().parents[4] / "frontend"


def frontend_process(env: dict[str, str], *, frontend_dir: Path = FRONTEND_DIR) -> Process | None:
    """The web dashboard (frontend/server.mjs: Next.js, with /api and its WebSocket proxied to
    the gateway on the same origin), or None when node or the built dashboard is missing."""
    node = shutil.which("node")
    if node is None or not (frontend_dir / ".next" / "BUILD_ID").exists():
        return None
    gateway_port = env.get("WALLETSCAN_HTTP_PORT", "8000")
    return Process(
        "frontend",
        [node, str(frontend_dir / "server.mjs")],
        {
            "HOST": "127.0.0.1",
            "PORT": env.get("WALLETSCAN_FRONTEND_PORT", "3000"),
            "WALLETSCAN_API_URL": f"http://127.0.0.1:{gateway_port}",
            "NEXT_TELEMETRY_DISABLED": "1",
            "NODE_ENV": "production",
        },
    )


def main() -> None:
    """Run the stack in the foreground under honcho; Ctrl-C stops every process."""
    from shlex import join

    from honcho.manager import Manager

    data_dir = Path(os.environ.get("WALLETSCAN_DATA_DIR", ".data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    processes = plan(data_dir)
    frontend = frontend_process(dict(os.environ))
    if frontend is not None:
        processes.append(frontend)
    base_env = dict(os.environ)
    manager = Manager()
    for process in processes:
        manager.add_process(process.name, join(process.argv), env={**base_env, **process.env})
    gateway = os.environ.get("WALLETSCAN_HTTP_PORT", "8000")
    dashboard = (
        f"http://127.0.0.1:{frontend.env['PORT']}"
        if frontend is not None
        else "not built (run `make frontend`, needs Node 20)"
    )
    print(
        "\nwalletscan is starting:\n"
        f"  dashboard   {dashboard}\n"
        f"  API         http://127.0.0.1:{gateway}/api  (docs at /api/docs)\n"
        f"  data        {data_dir}\n"
        "  stop        Ctrl-C\n",
        flush=True,
    )
    manager.loop()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
