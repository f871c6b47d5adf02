"""Backends of the conformance suite: MemoryExecutor, a moto server and a dynalite server.

Both servers listen on 127.0.0.1 and live for the whole session. dynalite is installed with npm
into a cache folder outside the repository. Its runs are skipped when node or npm is missing or
the install fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

DYNALITE_VERSION = "4.0.0"
NPM_INSTALL_TIMEOUT = 120


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _dynalite_folder() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bloopfp-dynalite" / DYNALITE_VERSION


def _install_dynalite(folder: Path) -> Path:
    """Install dynalite into `folder` unless it is there, and return its cli.js."""
    cli = folder / "node_modules" / "dynalite" / "cli.js"
    if cli.exists():
        return cli
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("dynalite backend skipped: npm is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund"]
    try:
        subprocess.run(
            [*command, f"dynalite@{DYNALITE_VERSION}"],
            check=True,
            capture_output=True,
            timeout=NPM_INSTALL_TIMEOUT,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        output = getattr(error, "stderr", b"") or b""
        pytest.skip(f"dynalite backend skipped: npm install failed: {output.decode()[-500:]}")
    if not cli.exists():
        pytest.skip(f"dynalite backend skipped: npm install did not create {cli}")
    return cli


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"dynalite did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.05)


@pytest.fixture(scope="session")
def dynalite_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start dynalite on a free port of 127.0.0.1 for the session and stop it afterwards."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("dynalite backend skipped: node is not installed")
    cli = _install_dynalite(_dynalite_folder())
    port = _free_port()
    log_path = tmp_path_factory.mktemp("dynalite") / "server.log"
    # Tables become ACTIVE at once, so setup requests need not wait for CREATING to end.
    command = [node, str(cli), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    _wait_for_port(port, process, log_path)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _connect(endpoint: str) -> object:
    from bloopfp.executors.boto import BotoExecutor

    return BotoExecutor.connect(
        endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        max_attempts=1,
    )


@pytest.fixture(scope="session")
def conformance_moto(moto_endpoint: str) -> object:
    """One BotoExecutor on the session's moto server; each case deletes its own tables."""
    return _connect(moto_endpoint)


@pytest.fixture(scope="session")
def conformance_dynalite(dynalite_endpoint: str) -> object:
    """One BotoExecutor on the session's dynalite server; each case deletes its own tables."""
    return _connect(dynalite_endpoint)


@pytest.fixture()
def backend_executor(backend: str, request: pytest.FixtureRequest) -> object:
    """The executor of the case's backend: a fresh MemoryExecutor, or a session server."""
    if backend == "memory":
        from bloopfp.executors.memory import MemoryExecutor

        return MemoryExecutor()
    return request.getfixturevalue(f"conformance_{backend}")
