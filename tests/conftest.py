"""Shared fixtures: a moto server on 127.0.0.1, executors for both backends, hypothesis profiles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

# Fake credentials and region for the local server, set before any boto3 client is created.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto_command(port: int) -> list[str]:
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if executable is None:
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return [executable, "-H", "127.0.0.1", "-p", str(port)]


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start moto_server on a free port of 127.0.0.1 for the session and stop it afterwards."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(_moto_command(port), stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"moto_server did not start on {endpoint}: {log_path.read_text()[-2000:]}"
                ) from None
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture()
def moto_executor(moto_endpoint: str) -> Iterator[object]:
    """A BotoExecutor on the moto server, with every table deleted after the test."""
    from bloopfp.executors.boto import BotoExecutor

    executor = BotoExecutor.connect(
        moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        max_attempts=1,
    )
    yield executor
    client = executor.client
    for name in client.list_tables()["TableNames"]:
        client.delete_table(TableName=name)


@pytest.fixture()
def memory_executor() -> object:
    from bloopfp.executors.memory import MemoryExecutor

    return MemoryExecutor()


@pytest.fixture(params=["memory", "moto"])
def executor(request: pytest.FixtureRequest) -> object:
    """Each test using this fixture runs once on MemoryExecutor and once on a moto server."""
    if request.param == "memory":
        return request.getfixturevalue("memory_executor")
    return request.getfixturevalue("moto_executor")
