"""The demo story gives the same results on MemoryExecutor and on a moto server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bloopfp import Engine
from examples.accounts import story

ROOT = Path(__file__).resolve().parent.parent


def run_story(executor: Any) -> list[Any]:
    lines: list[str] = []
    return story(Engine(executor, sleep=lambda _: None), say=lines.append)


def test_story_same_on_both_executors(memory_executor: Any, moto_executor: Any) -> None:
    in_memory = run_story(memory_executor)
    on_moto = run_story(moto_executor)
    assert len(in_memory) == 6
    assert in_memory == on_moto


def test_story_twice_gives_same_results(memory_executor: Any) -> None:
    first = run_story(memory_executor)
    second = run_story(memory_executor)
    assert first == second


def _result_lines(endpoint: str | None) -> list[str]:
    environment = {key: value for key, value in os.environ.items() if key != "BLOOPFP_ENDPOINT"}
    if endpoint is not None:
        environment["BLOOPFP_ENDPOINT"] = endpoint
    completed = subprocess.run(
        [sys.executable, "examples/accounts.py"],
        cwd=ROOT,
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return [line for line in completed.stdout.splitlines() if line.startswith("   = ")]


def test_demo_script_prints_same_results(moto_endpoint: str) -> None:
    in_memory = _result_lines(None)
    on_server = _result_lines(moto_endpoint)
    assert len(in_memory) == 6
    assert in_memory == on_server
