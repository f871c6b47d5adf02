"""Handlers of Query and Scan: key conditions, ordering, paging, filters, Select and segments."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import invalid, invalid_parameters
from bloopfp.executors.memory.evaluate import evaluate, project
from bloopfp.executors.memory.key_conditions import RangeBounds, analyze
from bloopfp.executors.memory.nodes import Condition, Path
from bloopfp.executors.memory.parser import parse_condition
from bloopfp.executors.memory.partitions import (
    KeyIdentity,
    Order,
    Partition,
    SortedKeys,
    hash_identity,
)
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.requests import optional_condition, optional_projection, paths_in
from bloopfp.executors.memory.schema import IndexSchema, KeySchema
from bloopfp.executors.memory.tables import Table, index_attribute_names
from bloopfp.executors.memory.values import Item, check_item, clone, item_size, type_of

MAX_PAGE_BYTES = 1024 * 1024

# One item found by a read: its identity, the stored item, and its entry in the table or index
# (the item itself, or the attributes that an index projects).
Match = tuple[KeyIdentity, Item, Item]


@dataclass(frozen=True)
class Read:
    """The source of a Query or Scan (table and optional index) and the request's expressions."""

    table: Table
    index: IndexSchema | None
    select: str
    projection: tuple[Path, ...] | None
    filter: Condition | None
    # The attributes of an index entry, or None when entries are whole items.
    entry_names: tuple[str, ...] | None

    @property
    def key(self) -> KeySchema:
        """The key schema of the table or index being read."""
        return self.index.key if self.index is not None else self.table.key

    @property
    def sorted_keys(self) -> SortedKeys:
        """The entries of the table or index being read, in key order."""
        return self.table.keys_of(self.index)

    def match(self, identity: KeyIdentity) -> Match:
        """Return the stored item under `identity` with its entry in the table or index."""
        item = self.table.items[identity]
        if self.entry_names is None:
            return identity, item, item
        return identity, item, {name: item[name] for name in self.entry_names if name in item}

    def size(self, match: Match) -> int:
        """Return the size of the entry that a read evaluates, for the 1 MB page limit."""
        identity, item, entry = match
        return self.table.sizes[identity] if entry is item else item_size(entry)

    def start_key_names(self) -> tuple[str, ...]:
        """Return the attributes of an ExclusiveStartKey or LastEvaluatedKey for this read."""
        names = list(self.table.key.names)
        names += [name for name in self.key.names if name not in names]
        return tuple(names)

    def source(self, item: Item, entry: Item) -> Item:
        """Return what filters and projections read: the index entry of a GSI, else the item.

        A local secondary index fetches attributes it does not project from the table.
        """
        global_index = self.index is not None and self.index.is_global
        return entry if global_index else item

    def output(self, item: Item, entry: Item) -> Item:
        """Return the attributes that the response holds for one matching item."""
        source = self.source(item, entry)
        if self.projection is not None:
            return project(source, self.projection)
        chosen = entry if self.select == "ALL_PROJECTED_ATTRIBUTES" else source
        copied: Item = clone(chosen)
        return copied


def query(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Read the items with one hash key value, in range key order."""
    table = database.table(params["TableName"])
    placeholders = Placeholders(params)
    expression = params.get("KeyConditionExpression")
    if expression is None:
        raise invalid(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request."
        )
    parsed_key_condition = parse_condition(expression, "KeyConditionExpression", placeholders)
    read = _prepare_read(table, params, placeholders)
    key_condition = analyze(parsed_key_condition, read.key)
    _check_filter_avoids_keys(read)
    start = _start_key(read, params)

    forward = bool(params.get("ScanIndexForward", True))
    partition = read.sorted_keys.partition(key_condition.hash_value)
    if partition is None:
        return _page(read, params, iter(()))
    start_order = None if start is None else read.sorted_keys.order(start)
    identities = _query_identities(partition, key_condition.range_bounds(), start_order, forward)
    matches = (read.match(identity) for identity in identities)
    if key_condition.range_condition is not None:
        # The bounds already select the matching interval, and this check confirms it.
        matches = (match for match in matches if key_condition.matches(match[2], read.key))
    return _page(read, params, matches)


def _query_identities(
    partition: Partition, bounds: RangeBounds, start: Order | None, forward: bool
) -> Iterator[KeyIdentity]:
    """Yield the identities inside `bounds` after `start`, in the direction of the read.

    Both ends are found with bisect, so one page costs the same in a partition of any size.
    """
    low = 0
    if bounds.low is not None:
        low = partition.first_at_least(bounds.low, bounds.low_inclusive)
    high = len(partition)
    if bounds.high is not None:
        high = partition.first_above(bounds.high, bounds.high_inclusive)
    identities = partition.identities
    if forward:
        position = max(low, partition.after(start))
        while position < high:
            yield identities[position]
            position += 1
    else:
        position = min(high, partition.before(start)) - 1
        while position >= low:
            yield identities[position]
            position -= 1


def scan(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Read every item of a table or index, or of one segment of it, in a stable order."""
    table = database.table(params["TableName"])
    placeholders = Placeholders(params)
    read = _prepare_read(table, params, placeholders)
    segment, total = _segments(params)
    start = _start_key(read, params)
    return _page(read, params, _scan_matches(read, start, segment, total))


def _scan_matches(read: Read, start: Item | None, segment: int, total: int) -> Iterator[Match]:
    """Yield the entries of one segment in scan order, starting after the key `start`."""
    keys = read.sorted_keys
    start_hash = None if start is None else hash_identity(start[read.key.hash_name])
    start_order = None if start is None else keys.order(start)
    for hashed, partition in keys.scan_partitions(start):
        if int.from_bytes(partition.digest[:8], "big") % total != segment:
            continue
        position = partition.after(start_order) if hashed == start_hash else 0
        identities = partition.identities
        while position < len(identities):
            yield read.match(identities[position])
            position += 1


def _prepare_read(table: Table, params: Mapping[str, Any], placeholders: Placeholders) -> Read:
    index = table.index(params["IndexName"]) if "IndexName" in params else None
    if index is not None and index.is_global and params.get("ConsistentRead"):
        raise invalid("Consistent reads are not supported on global secondary indexes")
    projection = optional_projection(params, placeholders)
    condition = optional_condition(params, "FilterExpression", placeholders)
    placeholders.check_all_used()
    select = _select(params, index, projection)
    entry_names = None if index is None else index_attribute_names(table, index)
    return Read(table, index, select, projection, condition, entry_names)


def _select(
    params: Mapping[str, Any], index: IndexSchema | None, projection: tuple[Path, ...] | None
) -> str:
    select = params.get("Select")
    if select is None:
        if projection is not None:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    if projection is not None and select != "SPECIFIC_ATTRIBUTES":
        raise invalid(f"Cannot specify a ProjectionExpression when Select is {select}")
    if select == "SPECIFIC_ATTRIBUTES" and projection is None:
        raise invalid("Select type SPECIFIC_ATTRIBUTES requires a ProjectionExpression")
    if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
        raise invalid("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
    if (
        select == "ALL_ATTRIBUTES"
        and index is not None
        and index.is_global
        and index.projection_type != "ALL"
    ):
        raise invalid_parameters(
            f"Select type ALL_ATTRIBUTES is not supported for global secondary index {index.name} "
            "because its projection type is not ALL"
        )
    return str(select)


def _check_filter_avoids_keys(read: Read) -> None:
    for path in paths_in(read.filter):
        name = path.elements[0]
        if name in read.key.names:
            raise invalid(
                "Filter Expression can only contain non-primary key attributes: Primary key "
                f"attribute: {name}"
            )


def _segments(params: Mapping[str, Any]) -> tuple[int, int]:
    segment = params.get("Segment")
    total = params.get("TotalSegments")
    if segment is None and total is None:
        return 0, 1
    if total is None:
        raise invalid(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present"
        )
    if segment is None:
        raise invalid(
            "The Segment parameter is required but was not present in the request when parameter "
            "TotalSegments is present"
        )
    if segment >= total:
        raise invalid(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total}"
        )
    return int(segment), int(total)


def _start_key(read: Read, params: Mapping[str, Any]) -> Item | None:
    """Return the request's checked ExclusiveStartKey, or None when it has none."""
    start = params.get("ExclusiveStartKey")
    if start is None:
        return None
    key = check_item(start)
    expected = read.start_key_names()
    types = {**read.table.key.types(), **read.key.types()}
    if set(key) != set(expected) or any(type_of(key[name]) != types[name] for name in expected):
        raise invalid(
            "The provided starting key is invalid: The provided key element does not match the "
            "schema"
        )
    return key


def _page(read: Read, params: Mapping[str, Any], matches: Iterator[Match]) -> dict[str, Any]:
    """Evaluate entries up to Limit or 1 MB, then filter them and build the response."""
    limit = params.get("Limit")
    evaluated: list[Match] = []
    size = 0
    stopped = False
    following = next(matches, None)
    while following is not None:
        evaluated.append(following)
        size += read.size(following)
        if limit is not None and len(evaluated) >= limit:
            stopped = True
            break
        following = next(matches, None)
        if size >= MAX_PAGE_BYTES and following is not None:
            stopped = True
            break

    matched = [
        (item, entry)
        for _, item, entry in evaluated
        if read.filter is None or evaluate(read.filter, read.source(item, entry))
    ]
    response: dict[str, Any] = {}
    if read.select != "COUNT":
        response["Items"] = [read.output(item, entry) for item, entry in matched]
    response["Count"] = len(matched)
    response["ScannedCount"] = len(evaluated)
    if stopped and evaluated:
        last = evaluated[-1][2]
        response["LastEvaluatedKey"] = {name: clone(last[name]) for name in read.start_key_names()}
    return response
