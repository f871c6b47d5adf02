"""Handlers of the single-item operations: PutItem, GetItem, DeleteItem and UpdateItem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.evaluate import project
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.requests import check_return_values, optional_projection
from bloopfp.executors.memory.tables import check_key
from bloopfp.executors.memory.updates import updated_paths
from bloopfp.executors.memory.values import Item, check_item, clone
from bloopfp.executors.memory.writes import prepare_delete, prepare_put, prepare_update, run_write


def put_item(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Store an item, replacing any item with the same key."""
    table = database.table(params["TableName"])
    return_values = check_return_values(params, ("NONE", "ALL_OLD"))
    placeholders = Placeholders(params)
    write = prepare_put(table, params, placeholders)
    placeholders.check_all_used()

    old, _ = run_write(write)
    return _attributes(old if return_values == "ALL_OLD" else None)


def delete_item(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Delete the item with the given key. Deleting a missing item succeeds."""
    table = database.table(params["TableName"])
    return_values = check_return_values(params, ("NONE", "ALL_OLD"))
    placeholders = Placeholders(params)
    write = prepare_delete(table, params, placeholders)
    placeholders.check_all_used()

    old, _ = run_write(write)
    return _attributes(old if return_values == "ALL_OLD" else None)


def update_item(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Apply an UpdateExpression to an item, creating the item when it does not exist."""
    table = database.table(params["TableName"])
    return_values = check_return_values(
        params, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
    )
    placeholders = Placeholders(params)
    write, actions = prepare_update(table, params, placeholders)
    placeholders.check_all_used()

    old, new = run_write(write)
    paths = updated_paths(actions)
    if return_values == "ALL_OLD":
        return _attributes(old)
    if return_values == "ALL_NEW":
        return _attributes(new)
    if return_values == "UPDATED_OLD":
        return _attributes(project(old, paths) if old is not None else None)
    if return_values == "UPDATED_NEW":
        return _attributes(project(new, paths) if new is not None else None)
    return {}


def get_item(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the item with the given key, projected when the request has a ProjectionExpression."""
    table = database.table(params["TableName"])
    placeholders = Placeholders(params)
    projection = optional_projection(params, placeholders)
    placeholders.check_all_used()
    key = check_item(params["Key"])
    check_key(table, key)

    item = table.items.get(table.identity(key))
    if item is None:
        return {}
    if projection is not None:
        return {"Item": project(item, projection)}
    return {"Item": clone(item)}


def _attributes(item: Item | None) -> dict[str, Any]:
    if not item:
        return {}
    return {"Attributes": clone(item)}
