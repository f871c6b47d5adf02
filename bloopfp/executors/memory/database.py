"""The in-memory state that every operation handler reads and changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bloopfp.executors.memory.errors import table_not_found
from bloopfp.executors.memory.tables import Table


@dataclass
class Database:
    """All tables, the injected clock, and the transaction tokens seen in the last ten minutes."""

    clock: Callable[[], float]
    tables: dict[str, Table] = field(default_factory=dict)
    # ClientRequestToken -> (time received, request, response) for TransactWriteItems idempotency.
    transaction_tokens: dict[str, tuple[float, Any, dict[str, Any]]] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        """Return the table called `name`, raising ResourceNotFoundException when there is none."""
        table = self.tables.get(name)
        if table is None:
            raise table_not_found()
        return table
