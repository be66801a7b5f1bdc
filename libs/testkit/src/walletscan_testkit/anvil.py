"""A real local Ethereum node for tests: anvil from the npm package `@foundry-rs/anvil`.

The node and the Solidity compiler (npm `solc`) are pinned in `libs/testkit/evm/package.json`
and its package-lock.json and installed with `npm ci` (by `make evm-setup`, or here on first
use): the anvil binary ships inside the registry package, nothing is downloaded from elsewhere.
The test contracts (`evm/contracts/*.sol`) are compiled with solcjs into `evm/build/` when the
build is missing or older than a source, so the bytecode always matches the committed source.

`anvil_node()` starts anvil on a free loopback port with automining (every transaction is its
own block, so each one has a distinct block number and time) and stops it afterwards.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from walletscan_testkit.stack import free_port, wait_for_port

EVM_DIR = Path(__file__).resolve().parents[2] / "evm"
NODE_MODULES = EVM_DIR / "node_modules"
BUILD_DIR = EVM_DIR / "build"
CONTRACTS_DIR = EVM_DIR / "contracts"

# anvil's chain id when none is given; tests pass the id of the network they pretend to be.
DEFAULT_CHAIN_ID = 31337


class AnvilUnavailable(RuntimeError):
    """node/npm are missing or the npm packages cannot be installed."""


def _platform_package() -> str:
    machine = platform.machine().lower()
    arch = "arm64" if machine in ("arm64", "aarch64") else "amd64"
    system = {"darwin": "darwin", "windows": "win32"}.get(platform.system().lower(), "linux")
    return f"@foundry-rs/anvil-{system}-{arch}"


def install_evm_tools() -> None:
    """`npm ci` in libs/testkit/evm unless its node_modules matches the lock file already."""
    marker = NODE_MODULES / ".package-lock.json"
    lock = EVM_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise AnvilUnavailable("npm is not installed: the EVM tests need node and npm")
    result = subprocess.run(  # noqa: S603 - fixed argv, the project's own lock file
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=EVM_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise AnvilUnavailable(f"npm ci failed in {EVM_DIR}:\n{result.stderr[-2000:]}")


def anvil_binary() -> Path:
    """The native anvil executable inside the npm package (its `bin.mjs` wrapper only finds
    and execs it; calling it directly saves a node start per test session)."""
    install_evm_tools()
    native = NODE_MODULES / _platform_package() / "bin" / "anvil"
    if native.exists():
        return native
    wrapper = NODE_MODULES / ".bin" / "anvil"
    if wrapper.exists():
        return wrapper
    raise AnvilUnavailable(f"no anvil binary under {NODE_MODULES}")


def compile_contracts() -> dict[str, dict[str, Any]]:
    """`{contract name: {abi, bytecode, ...}}`, compiling with solcjs first when needed."""
    install_evm_tools()
    sources = sorted(CONTRACTS_DIR.glob("*.sol"))
    newest_source = max(p.stat().st_mtime for p in sources)
    built = sorted(BUILD_DIR.glob("*.json")) if BUILD_DIR.is_dir() else []
    if not built or min(p.stat().st_mtime for p in built) < newest_source:
        node = shutil.which("node")
        if node is None:
            raise AnvilUnavailable("node is not installed: solcjs needs it")
        result = subprocess.run(  # noqa: S603 - fixed argv
            [node, "compile.mjs"],
            cwd=EVM_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise AnvilUnavailable(f"solcjs failed:\n{result.stderr[-2000:]}")
        built = sorted(BUILD_DIR.glob("*.json"))
    return {p.stem: json.loads(p.read_text()) for p in built}


class RpcError(RuntimeError):
    def __init__(self, method: str, error: dict[str, Any]) -> None:
        super().__init__(f"{method}: {error.get('message')} ({error.get('code')})")
        self.error = error


@dataclass
class AnvilNode:
    """A running anvil with a tiny synchronous JSON-RPC client for building scenarios."""

    url: str
    chain_id: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _http: httpx.Client = field(init=False, repr=False)
    _ids: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(timeout=30.0)

    def rpc(self, method: str, *params: Any) -> Any:
        self._ids += 1
        body = {"jsonrpc": "2.0", "id": self._ids, "method": method, "params": list(params)}
        reply = self._http.post(self.url, json=body).json()
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply["result"]

    def accounts(self) -> list[str]:
        return [str(a) for a in self.rpc("eth_accounts")]

    def block_number(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def balance(self, address: str, block: int | None = None) -> int:
        tag = hex(block) if block is not None else "latest"
        return int(self.rpc("eth_getBalance", address, tag), 16)

    def receipt(self, txid: str, timeout: float = 10.0) -> dict[str, Any]:
        """The receipt once the transaction is mined. Automine answers eth_sendTransaction
        before the block is sealed, so the receipt may lag by a moment."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.rpc("eth_getTransactionReceipt", txid)
            if found is not None:
                return dict(found)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{txid} not mined after {timeout}s")
            time.sleep(0.005)

    def close(self) -> None:
        self._http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@contextmanager
def anvil_node(
    log_dir: Path, *, chain_id: int = DEFAULT_CHAIN_ID, startup_timeout: float = 30.0
) -> Iterator[AnvilNode]:
    binary = anvil_binary()
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"anvil-{port}.log"
    argv = [
        str(binary),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--chain-id",
        str(chain_id),
        # Deterministic dev accounts (anvil's default mnemonic) and quiet logs.
        "--accounts",
        "4",
        "--silent",
    ]
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - the pinned binary from node_modules
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
    node = AnvilNode(f"http://127.0.0.1:{port}", chain_id, proc, log_path)
    try:
        wait_for_port(port, timeout=startup_timeout, proc=proc)
        deadline = time.monotonic() + startup_timeout
        while True:  # listening is not yet serving: wait for the first answer
            try:
                node.block_number()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield node
    finally:
        node.close()
