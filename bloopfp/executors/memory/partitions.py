"""Sorted partitions: the key order of a table or index, kept up to date on every write.

A `SortedKeys` groups the entries of a table or secondary index by hash key value. Each group
(a `Partition`) keeps the entries' order keys in a sorted list, so a Query finds its first entry
with `bisect` and reads one page without touching the rest of the table. Scans walk the
partitions in the order of a digest of their hash key, which spreads hash keys the way DynamoDB's
partitioning does and gives every segment of a parallel scan a stable share.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from bloopfp.executors.memory.schema import KeySchema
from bloopfp.executors.memory.values import AttributeValue, Item, sort_key, type_of

KeyIdentity = tuple[Any, ...]
# The hashable identity of one hash key value: its type and its (normalized) member.
HashIdentity = tuple[str, Any]
# The order of an entry inside its partition: sort keys of the range key, then of the table key.
Order = tuple[Any, ...]


def hash_identity(value: Mapping[str, Any]) -> HashIdentity:
    """Return the hashable identity of a hash key AttributeValue."""
    kind = type_of(value)
    return (kind, value[kind])


def hash_digest(identity: HashIdentity) -> bytes:
    """Return the SHA-256 digest that orders hash keys in a Scan and assigns their segment."""
    return hashlib.sha256(repr(identity).encode("utf-8")).digest()


class Partition:
    """The entries of one hash key value: order keys sorted ascending, with item identities."""

    __slots__ = ("digest", "identities", "orders")

    def __init__(self, digest: bytes) -> None:
        self.digest = digest
        self.orders: list[Order] = []
        self.identities: list[KeyIdentity] = []

    def __len__(self) -> int:
        return len(self.orders)

    def add(self, order: Order, identity: KeyIdentity) -> None:
        """Insert an entry at its place in the order."""
        position = bisect.bisect_left(self.orders, order)
        self.orders.insert(position, order)
        self.identities.insert(position, identity)

    def discard(self, order: Order, identity: KeyIdentity) -> None:
        """Remove an entry, which must be present."""
        position = bisect.bisect_left(self.orders, order)
        assert self.identities[position] == identity, "partition out of step with the items"
        del self.orders[position]
        del self.identities[position]

    def after(self, start: Order | None) -> int:
        """Return the position of the first entry ordered after `start` (0 when None)."""
        return 0 if start is None else bisect.bisect_right(self.orders, start)

    def before(self, start: Order | None) -> int:
        """Return the position just past the last entry ordered before `start`."""
        return len(self.orders) if start is None else bisect.bisect_left(self.orders, start)

    def first_at_least(self, low: Any, inclusive: bool) -> int:
        """Return the position of the first entry whose first order element is >= (or >) `low`."""
        search = bisect.bisect_left if inclusive else bisect.bisect_right
        return search(self.orders, low, key=_first)

    def first_above(self, high: Any, inclusive: bool) -> int:
        """Return the position of the first entry whose first order element is > (or >=) `high`."""
        search = bisect.bisect_right if inclusive else bisect.bisect_left
        return search(self.orders, high, key=_first)


def _first(order: Order) -> Any:
    return order[0]


class SortedKeys:
    """The entries of a table or secondary index, grouped by hash key and sorted by range key.

    Entries of an index are ordered by the index's range key and then by the table's key, so
    entries with equal index keys still have one stable order. An index is sparse, so an item
    without every index key attribute has no entry.
    """

    def __init__(self, key: KeySchema, table_key: KeySchema, is_index: bool) -> None:
        self.key = key
        self.table_key = table_key
        self.is_index = is_index
        self.partitions: dict[HashIdentity, Partition] = {}
        # (digest, hash identity) of every non-empty partition, sorted, for Scan.
        self._scan_order: list[tuple[bytes, HashIdentity]] = []

    def order(self, entry: Mapping[str, AttributeValue]) -> Order:
        """Return the order key of an entry, or of an ExclusiveStartKey for this table or index."""
        parts: list[Any] = []
        if self.key.range_name is not None:
            parts.append(sort_key(entry[self.key.range_name]))
        if self.is_index:
            parts.extend(sort_key(entry[name]) for name in self.table_key.names)
        return tuple(parts)

    def contains(self, item: Item) -> bool:
        """Return whether `item` has an entry here: a table has every item, an index some."""
        return all(name in item for name in self.key.names)

    def add(self, identity: KeyIdentity, item: Item) -> None:
        """Add the entry of a stored item, when it has one."""
        if not self.contains(item):
            return
        hashed = hash_identity(item[self.key.hash_name])
        partition = self.partitions.get(hashed)
        if partition is None:
            partition = Partition(hash_digest(hashed))
            self.partitions[hashed] = partition
            bisect.insort(self._scan_order, (partition.digest, hashed))
        partition.add(self.order(item), identity)

    def discard(self, identity: KeyIdentity, item: Item) -> None:
        """Remove the entry of an item that was stored, when it had one."""
        if not self.contains(item):
            return
        hashed = hash_identity(item[self.key.hash_name])
        partition = self.partitions[hashed]
        partition.discard(self.order(item), identity)
        if not partition.orders:
            del self.partitions[hashed]
            position = bisect.bisect_left(self._scan_order, (partition.digest, hashed))
            del self._scan_order[position]

    def partition(self, value: Mapping[str, Any]) -> Partition | None:
        """Return the partition of a hash key value, or None when no entry has that value."""
        return self.partitions.get(hash_identity(value))

    def scan_partitions(
        self, start: Mapping[str, Any] | None
    ) -> Iterator[tuple[HashIdentity, Partition]]:
        """Yield (hash identity, partition) in scan order, from the partition of a `start` key."""
        position = 0
        if start is not None:
            hashed = hash_identity(start[self.key.hash_name])
            position = bisect.bisect_left(self._scan_order, (hash_digest(hashed), hashed))
        while position < len(self._scan_order):
            hashed = self._scan_order[position][1]
            yield hashed, self.partitions[hashed]
            position += 1
