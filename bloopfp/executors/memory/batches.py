"""Handlers of BatchGetItem and BatchWriteItem.

MemoryExecutor processes every request of a batch unless injected faults choose some to leave
unprocessed. Those come back in UnprocessedKeys or UnprocessedItems, in the same form as
RequestItems, so a caller can send them again as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import invalid
from bloopfp.executors.memory.evaluate import project
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.requests import optional_projection
from bloopfp.executors.memory.tables import KeyIdentity, check_key
from bloopfp.executors.memory.values import Item, check_item, clone
from bloopfp.executors.memory.writes import Write, prepare_delete, prepare_put, run_write

MAX_BATCH_GET_KEYS = 100
MAX_BATCH_WRITE_REQUESTS = 25

# Given the number of requests in a batch, returns the positions (in request order, counting
# across tables) of those to leave unprocessed.
ChooseUnprocessed = Callable[[int], frozenset[int]]


def process_all(count: int) -> frozenset[int]:
    """Leave no request of a batch unprocessed."""
    return frozenset()


def batch_get_item(
    database: Database,
    params: Mapping[str, Any],
    choose_unprocessed: ChooseUnprocessed = process_all,
) -> dict[str, Any]:
    """Read up to 100 items from one or more tables."""
    requests = params["RequestItems"]
    total = sum(len(request["Keys"]) for request in requests.values())
    if total > MAX_BATCH_GET_KEYS:
        raise invalid("Too many items requested for the BatchGetItem call")

    plans = []
    for name, request in requests.items():
        table = database.table(name)
        placeholders = Placeholders(request)
        projection = optional_projection(request, placeholders)
        placeholders.check_all_used()
        keys = [check_item(key) for key in request["Keys"]]
        seen: set[KeyIdentity] = set()
        for key in keys:
            check_key(table, key)
            identity = table.identity(key)
            if identity in seen:
                raise invalid("Provided list of item keys contains duplicates")
            seen.add(identity)
        plans.append((name, table, projection, keys))

    unprocessed = choose_unprocessed(total)
    responses: dict[str, list[Item]] = {}
    unprocessed_keys: dict[str, Any] = {}
    position = 0
    for name, table, projection, keys in plans:
        responses[name] = []
        deferred = []
        for key, requested in zip(keys, requests[name]["Keys"], strict=True):
            if position in unprocessed:
                deferred.append(clone(requested))
            else:
                item = table.items.get(table.identity(key))
                if item is not None:
                    found = clone(item) if projection is None else project(item, projection)
                    responses[name].append(found)
            position += 1
        if deferred:
            entry = {field: clone(value) for field, value in requests[name].items()}
            entry["Keys"] = deferred
            unprocessed_keys[name] = entry
    return {"Responses": responses, "UnprocessedKeys": unprocessed_keys}


def batch_write_item(
    database: Database,
    params: Mapping[str, Any],
    choose_unprocessed: ChooseUnprocessed = process_all,
) -> dict[str, Any]:
    """Put or delete up to 25 items in one or more tables. Batch writes take no conditions."""
    requests = params["RequestItems"]
    total = sum(len(entries) for entries in requests.values())
    if total > MAX_BATCH_WRITE_REQUESTS:
        raise invalid("Too many items requested for the BatchWriteItem call")

    writes: list[tuple[str, Mapping[str, Any], Write]] = []
    for name, entries in requests.items():
        seen: set[KeyIdentity] = set()
        for entry in entries:
            write = _prepare(database, name, entry)
            if write.identity in seen:
                raise invalid("Provided list of item keys contains duplicates")
            seen.add(write.identity)
            writes.append((name, entry, write))

    unprocessed = choose_unprocessed(total)
    unprocessed_items: dict[str, list[Any]] = {}
    for position, (name, entry, write) in enumerate(writes):
        if position in unprocessed:
            unprocessed_items.setdefault(name, []).append(clone(entry))
        else:
            run_write(write)
    return {"UnprocessedItems": unprocessed_items}


def _prepare(database: Database, name: str, entry: Mapping[str, Any]) -> Write:
    table = database.table(name)
    kinds = [kind for kind in ("PutRequest", "DeleteRequest") if kind in entry]
    if len(kinds) != 1:
        raise invalid("A WriteRequest must contain exactly one of PutRequest or DeleteRequest")
    placeholders = Placeholders({})
    if kinds[0] == "PutRequest":
        return prepare_put(table, entry["PutRequest"], placeholders)
    return prepare_delete(table, entry["DeleteRequest"], placeholders)
