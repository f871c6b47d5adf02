"""An in-memory DynamoDB that interprets the low-level client's request dicts.

It imports nothing from bloopfp except the executor protocol, because it works only on the
request dicts it receives.
"""

from bloopfp.executors.memory.executor import MemoryExecutor
from bloopfp.executors.memory.faults import Faults

__all__ = ["Faults", "MemoryExecutor"]
