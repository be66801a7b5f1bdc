"""Real servers for tests: NATS with JetStream and nx-27017 on free loopback ports (or a real
MongoDB when WALLETSCAN_TEST_MONGODB_URL is set), and the services as real processes."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError
from walletscan_contracts import subjects
from walletscan_contracts.reports import ReportFormat, ReportRequest
from walletscan_contracts.streams import FETCH_JOBS, SCAN_EVENTS, fetch_consumer
from walletscan_platform import localstack

# Durable consumers each service creates; their existence means the service is consuming.
SERVICE_CONSUMERS: tuple[tuple[str, str], ...] = (
    (SCAN_EVENTS.name, "aggregator-requested"),
    (SCAN_EVENTS.name, "aggregator-derived"),
    (SCAN_EVENTS.name, "aggregator-fetched"),
    (SCAN_EVENTS.name, "aggregator-failed"),
    (SCAN_EVENTS.name, "derivation-requested"),
    (SCAN_EVENTS.name, "derivation-derive"),
    (SCAN_EVENTS.name, "report-completed"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            msg = f"process exited with {proc.returncode} before listening on {port}"
            raise RuntimeError(msg)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    msg = f"nothing listens on 127.0.0.1:{port} after {timeout}s"
    raise TimeoutError(msg)


@dataclass
class RunningProcess:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_process(
    process: localstack.Process, log_dir: Path, base_env: dict[str, str]
) -> RunningProcess:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{process.name}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(  # noqa: S603 - argv built by localstack from known binaries
            process.argv,
            env={**base_env, **process.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return RunningProcess(process.name, popen, log_path)


@dataclass
class Infrastructure:
    nats_url: str
    mongodb_url: str
    data_dir: Path
    processes: dict[str, RunningProcess] = field(default_factory=dict)
    nats_port: int = 0

    def stop(self) -> None:
        for proc in reversed(list(self.processes.values())):
            proc.stop()

    def restart_nats(self) -> None:
        """Stop and start the NATS server on the same port and store (resilience tests)."""
        old = self.processes["nats"]
        old.stop()
        process = localstack.nats_process(self.nats_port, self.data_dir)
        self.processes["nats"] = start_process(process, self.data_dir / "logs", dict(os.environ))
        wait_for_port(self.nats_port, proc=self.processes["nats"].popen)


@contextmanager
def infrastructure(data_dir: Path) -> Iterator[Infrastructure]:
    """A fresh NATS and a MongoDB-compatible server, stopped afterwards."""
    env = dict(os.environ)
    logs = data_dir / "logs"
    nats_port = free_port()
    nats_proc = start_process(localstack.nats_process(nats_port, data_dir), logs, env)
    infra = Infrastructure(
        nats_url=f"nats://127.0.0.1:{nats_port}",
        mongodb_url="",
        data_dir=data_dir,
        processes={"nats": nats_proc},
        nats_port=nats_port,
    )
    try:
        wait_for_port(nats_port, proc=nats_proc.popen)
        real_mongodb = os.environ.get("WALLETSCAN_TEST_MONGODB_URL")
        if real_mongodb:
            infra.mongodb_url = real_mongodb
        else:
            mongo_port = free_port()
            mongo = start_process(localstack.mongodb_process(mongo_port, data_dir), logs, env)
            infra.processes["mongodb"] = mongo
            wait_for_port(mongo_port, proc=mongo.popen)
            infra.mongodb_url = f"mongodb://127.0.0.1:{mongo_port}"
        yield infra
    finally:
        infra.stop()


@dataclass
class ServiceStack:
    infra: Infrastructure
    gateway_url: str
    database: str
    env: dict[str, str]
    processes: dict[str, RunningProcess]
    log_dir: Path

    def logs(self) -> str:
        return "\n".join(
            f"----- {name} -----\n{proc.log_tail()}" for name, proc in self.processes.items()
        )

    def restart(self, name: str) -> None:
        old = self.processes[name]
        old.stop()
        process = next(p for p in self._plan() if p.name == name)
        self.processes[name] = start_process(process, self.log_dir, dict(os.environ))

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    def _plan(self) -> list[localstack.Process]:
        return localstack.plan(self.infra.data_dir, self.env)

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.stop()


@contextmanager
def service_stack(
    infra: Infrastructure, *, env: dict[str, str] | None = None, timeout: float = 90.0
) -> Iterator[ServiceStack]:
    """Every walletscan service as its own process, ready when this yields."""
    gateway_port = free_port()
    database = f"walletscan_test_{uuid.uuid4().hex[:10]}"
    stack_env = {
        **os.environ,
        "WALLETSCAN_NATS_URL": infra.nats_url,
        "WALLETSCAN_MONGODB_URL": infra.mongodb_url,
        "WALLETSCAN_MONGODB_DATABASE": database,
        "WALLETSCAN_HTTP_PORT": str(gateway_port),
        "WALLETSCAN_ENVIRONMENT": "test",
        "WALLETSCAN_LOG_LEVEL": "INFO",
        **(env or {}),
    }
    log_dir = infra.data_dir / "logs" / database
    processes: dict[str, RunningProcess] = {}
    stack = ServiceStack(
        infra=infra,
        gateway_url=f"http://127.0.0.1:{gateway_port}",
        database=database,
        env=stack_env,
        processes=processes,
        log_dir=log_dir,
    )
    try:
        for process in localstack.plan(infra.data_dir, stack_env):
            processes[process.name] = start_process(process, log_dir, dict(os.environ))
        providers = localstack.enabled_providers(stack_env)
        try:
            wait_until_ready(stack, providers, timeout=timeout)
        except Exception as exc:
            raise RuntimeError(f"the stack did not become ready:\n{stack.logs()}") from exc
        yield stack
    finally:
        stack.stop()


def wait_until_ready(stack: ServiceStack, providers: list[str], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=stack.gateway_url, timeout=2.0) as client:
        while True:
            for name, proc in stack.processes.items():
                if proc.popen.poll() is not None:
                    msg = f"{name} exited with {proc.popen.returncode}"
                    raise RuntimeError(msg)
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("gateway not healthy")
            time.sleep(0.1)
    asyncio.run(_wait_for_consumers(stack.infra.nats_url, providers, deadline))


async def _wait_for_consumers(nats_url: str, providers: list[str], deadline: float) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        wanted = [*SERVICE_CONSUMERS, *((FETCH_JOBS.name, fetch_consumer(p)) for p in providers)]
        for stream, durable in wanted:
            while True:
                try:
                    await js.consumer_info(stream, durable)
                    break
                except NotFoundError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"consumer {durable} never appeared")
                await asyncio.sleep(0.1)
        # Request-reply services answer once subscribed.
        probe = ReportRequest(scan_id="readiness-probe", owner_id="nobody", format=ReportFormat.CSV)
        for subject, body in (
            (subjects.AUTH_JWKS, b"{}"),
            (subjects.REPORT_GENERATE, probe.model_dump_json().encode()),
        ):
            while True:
                try:
                    await nc.request(subject, body, timeout=1.0)
                    break
                except (NoRespondersError, NatsTimeout):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{subject} has no responder") from None
                    await asyncio.sleep(0.1)
    finally:
        await nc.close()


@contextmanager
def nats_beside(infra: Infrastructure, data_dir: Path) -> Iterator[Infrastructure]:
    """A NATS server of its own next to `infra`'s database server: a second stack whose
    consumers must not compete with the first one's (each stack has its own database)."""
    port = free_port()
    proc = start_process(
        localstack.nats_process(port, data_dir), data_dir / "logs", dict(os.environ)
    )
    own = Infrastructure(
        nats_url=f"nats://127.0.0.1:{port}",
        mongodb_url=infra.mongodb_url,
        data_dir=data_dir,
        processes={"nats": proc},
        nats_port=port,
    )
    try:
        wait_for_port(port, proc=proc.popen)
        yield own
    finally:
        own.stop()
