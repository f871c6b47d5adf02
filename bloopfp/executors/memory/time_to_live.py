"""Time to live: which items have expired, and the sweep that deletes them.

DynamoDB deletes expired items in the background, on a best-effort basis: the API reference
gives "typically within two days" of expiry (earlier texts gave 48 hours). Until then, expired
items still appear in reads, queries and scans. MemoryExecutor never deletes them by itself.
A test calls `MemoryExecutor.delete_expired_items` to play the background process at the
moment it chooses.

An item can expire only when, per the Developer Guide's "Using DynamoDB Time to Live (TTL)":
it has the table's TTL attribute at the top level, the value is a Number of seconds since the
Unix epoch, and that time is no more than five years in the past.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bloopfp.executors.memory.tables import Table

# NOTE: the guide gives "five years" without saying how it counts them. This counts 5 x 365
# days plus one leap day.
MAX_PAST_SECONDS = (5 * 365 + 1) * 24 * 60 * 60


def attribute_name(table: Table) -> str | None:
    """Return the table's TTL attribute, or None when time to live is not enabled."""
    if table.time_to_live.get("TimeToLiveStatus") != "ENABLED":
        return None
    return str(table.time_to_live["AttributeName"])


def is_expired(value: Mapping[str, Any] | None, now: float) -> bool:
    """Return whether a TTL attribute value is an expiry time at or before `now`.

    A missing value, a value of another type than Number, and a time more than five years
    before `now` never expire.
    """
    if value is None or "N" not in value:
        return False
    expires = Decimal(value["N"])
    current = Decimal(now)
    return current - MAX_PAST_SECONDS <= expires <= current


def delete_expired(table: Table, now: float) -> int:
    """Delete the expired items of one table, from the table and its indexes, and count them."""
    name = attribute_name(table)
    if name is None:
        return 0
    expired = [
        identity for identity, item in table.items.items() if is_expired(item.get(name), now)
    ]
    for identity in expired:
        table.remove(identity)
    return len(expired)
