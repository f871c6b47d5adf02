"""Handlers of Query and Scan: key conditions, ordering, paging, filters, Select and segments."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import invalid, invalid_parameters
from bloopfp.executors.memory.evaluate import evaluate, project
from bloopfp.executors.memory.key_conditions import analyze
from bloopfp.executors.memory.nodes import Condition, Path
from bloopfp.executors.memory.parser import parse_condition
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.requests import optional_condition, optional_projection, paths_in
from bloopfp.executors.memory.schema import IndexSchema, KeySchema
from bloopfp.executors.memory.tables import Table, index_entries
from bloopfp.executors.memory.values import Item, check_item, clone, item_size, sort_key, type_of

MAX_PAGE_BYTES = 1024 * 1024

# An (item, entry) pair: the stored item and what the table or index holds for it.
Entry = tuple[Item, Item]


@dataclass(frozen=True)
class Read:
    """The source of a Query or Scan (table and optional index) and the request's expressions."""

    table: Table
    index: IndexSchema | None
    select: str
    projection: tuple[Path, ...] | None
    filter: Condition | None

    @property
    def key(self) -> KeySchema:
        """The key schema of the table or index being read."""
        return self.index.key if self.index is not None else self.table.key

    def entries(self) -> list[Entry]:
        """Return every (item, entry) pair of the table or index."""
        if self.index is None:
            return [(item, item) for item in self.table.items.values()]
        return index_entries(self.table, self.index)

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

    entries = [pair for pair in read.entries() if key_condition.matches(pair[1], read.key)]
    order = _query_order(read)
    entries.sort(key=lambda pair: order(pair[1]))
    forward = params.get("ScanIndexForward", True)
    if not forward:
        entries.reverse()
    return _page(read, params, entries, order, forward)


def scan(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Read every item of a table or index, or of one segment of it, in a stable order."""
    table = database.table(params["TableName"])
    placeholders = Placeholders(params)
    read = _prepare_read(table, params, placeholders)
    segment, total = _segments(params)

    order = _scan_order(read)
    entries = [pair for pair in read.entries() if _segment_of(pair[1], read.key, total) == segment]
    entries.sort(key=lambda pair: order(pair[1]))
    return _page(read, params, entries, order, True)


def _prepare_read(table: Table, params: Mapping[str, Any], placeholders: Placeholders) -> Read:
    index = table.index(params["IndexName"]) if "IndexName" in params else None
    if index is not None and index.is_global and params.get("ConsistentRead"):
        raise invalid("Consistent reads are not supported on global secondary indexes")
    projection = optional_projection(params, placeholders)
    condition = optional_condition(params, "FilterExpression", placeholders)
    placeholders.check_all_used()
    select = _select(params, index, projection)
    return Read(table, index, select, projection, condition)


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


def _digest(value: Mapping[str, Any]) -> bytes:
    kind = type_of(value)
    return hashlib.sha256(repr((kind, value[kind])).encode("utf-8")).digest()


def _segment_of(entry: Item, key: KeySchema, total: int) -> int:
    return int.from_bytes(_digest(entry[key.hash_name])[:8], "big") % total


Order = Callable[[Item], tuple[Any, ...]]


def _query_order(read: Read) -> Order:
    """Order entries of one hash key by range key, then by table key for index entries."""
    key, table_key = read.key, read.table.key

    def order(entry: Item) -> tuple[Any, ...]:
        parts: list[Any] = []
        if key.range_name is not None:
            parts.append(sort_key(entry[key.range_name]))
        if read.index is not None:
            parts.extend(sort_key(entry[name]) for name in table_key.names)
        return tuple(parts)

    return order


def _scan_order(read: Read) -> Order:
    """Order entries by a digest of the hash key, then range key, then table key."""
    key, table_key = read.key, read.table.key

    def order(entry: Item) -> tuple[Any, ...]:
        parts: list[Any] = [_digest(entry[key.hash_name])]
        if key.range_name is not None:
            parts.append(sort_key(entry[key.range_name]))
        if read.index is not None:
            parts.append(_digest(entry[table_key.hash_name]))
            if table_key.range_name is not None:
                parts.append(sort_key(entry[table_key.range_name]))
        return tuple(parts)

    return order


def _start_position(read: Read, params: Mapping[str, Any], order: Order) -> tuple[Any, ...] | None:
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
    return order(key)


def _page(
    read: Read, params: Mapping[str, Any], entries: list[Entry], order: Order, forward: bool
) -> dict[str, Any]:
    """Evaluate entries after the ExclusiveStartKey up to Limit or 1 MB, then filter them."""
    start = _start_position(read, params, order)
    if start is not None:
        entries = [
            pair
            for pair in entries
            if (order(pair[1]) > start if forward else order(pair[1]) < start)
        ]

    limit = params.get("Limit")
    evaluated: list[Entry] = []
    size = 0
    stopped = False
    for position, pair in enumerate(entries):
        evaluated.append(pair)
        size += item_size(pair[1])
        more = position + 1 < len(entries)
        if limit is not None and len(evaluated) >= limit:
            stopped = True
            break
        if size >= MAX_PAGE_BYTES and more:
            stopped = True
            break

    matched = [
        pair
        for pair in evaluated
        if read.filter is None or evaluate(read.filter, read.source(*pair))
    ]
    response: dict[str, Any] = {}
    if read.select != "COUNT":
        response["Items"] = [read.output(item, entry) for item, entry in matched]
    response["Count"] = len(matched)
    response["ScannedCount"] = len(evaluated)
    if stopped and evaluated:
        last = evaluated[-1][1]
        response["LastEvaluatedKey"] = {name: clone(last[name]) for name in read.start_key_names()}
    return response
