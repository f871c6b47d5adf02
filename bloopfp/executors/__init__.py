"""Executors: the only objects that perform IO.

`BotoExecutor` talks to DynamoDB through boto3; `MemoryExecutor` is an in-memory DynamoDB that
interprets the same requests. Both are imported on first use, so importing bloopfp loads neither
boto3 nor botocore's service model (the runtime does import `botocore.exceptions`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bloopfp.executors.base import Executor

if TYPE_CHECKING:
    from bloopfp.executors.boto import BotoExecutor
    from bloopfp.executors.memory import MemoryExecutor

__all__ = ["BotoExecutor", "Executor", "MemoryExecutor"]

_LAZY = {
    "BotoExecutor": "bloopfp.executors.boto",
    "MemoryExecutor": "bloopfp.executors.memory",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
