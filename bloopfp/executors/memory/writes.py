"""Prepared single-item writes: checked against the schema first, then applied to a table.

PutItem, UpdateItem, DeleteItem and the items of TransactWriteItems all prepare a `Write`,
check its condition against the stored item, and only then apply it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bloopfp.executors.memory.errors import condition_failed, invalid_parameters
from bloopfp.executors.memory.evaluate import evaluate
from bloopfp.executors.memory.item_limits import check_item_limits
from bloopfp.executors.memory.nodes import Action, Condition
from bloopfp.executors.memory.parser import parse_update
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.requests import optional_condition
from bloopfp.executors.memory.tables import KeyIdentity, Table, check_item_keys, check_key
from bloopfp.executors.memory.updates import apply_update, check_actions
from bloopfp.executors.memory.values import Item, check_item, clone


@dataclass(frozen=True)
class Write:
    """One checked write to one item, not yet applied.

    `change` computes the new item from the stored one (None when there is none) and returns
    None to delete the item. A ConditionCheck of a transaction has no change.
    """

    table: Table
    identity: KeyIdentity
    key: Item
    condition: Condition | None
    change: Callable[[Item | None], Item | None] | None
    return_old_on_failure: bool

    def stored(self) -> Item | None:
        """Return the item now stored under this write's key (not a copy)."""
        return self.table.items.get(self.identity)

    def check_condition(self) -> Item | None:
        """Return the stored item. Raise ConditionalCheckFailedException if the condition fails."""
        old = self.stored()
        if self.condition is not None and not evaluate(self.condition, old or {}):
            returned = clone(old) if self.return_old_on_failure and old is not None else None
            raise condition_failed(returned)
        return old

    def compute(self, old: Item | None) -> Item | None:
        """Return the item this write would store, checking its keys, size, depth and names."""
        if self.change is None:
            return old
        new = self.change(old)
        if new is not None:
            check_item_keys(self.table, new)
            check_item_limits(new)
        return new

    def store(self, new: Item | None) -> None:
        """Store `new` under this write's key, or delete the item when `new` is None."""
        if self.change is None:
            return
        if new is None:
            self.table.remove(self.identity)
        else:
            self.table.put(self.identity, clone(new))


def _returns_old_on_failure(params: Mapping[str, Any]) -> bool:
    return bool(params.get("ReturnValuesOnConditionCheckFailure", "NONE") == "ALL_OLD")


def prepare_put(table: Table, params: Mapping[str, Any], placeholders: Placeholders) -> Write:
    """Prepare a PutItem (or a transaction's Put) from its parameters."""
    condition = optional_condition(params, "ConditionExpression", placeholders)
    item = check_item(params["Item"])
    check_item_keys(table, item)
    check_item_limits(item)
    return Write(
        table,
        table.identity(item),
        table.key_of(item),
        condition,
        lambda old: item,
        _returns_old_on_failure(params),
    )


def prepare_delete(table: Table, params: Mapping[str, Any], placeholders: Placeholders) -> Write:
    """Prepare a DeleteItem (or a transaction's Delete) from its parameters."""
    condition = optional_condition(params, "ConditionExpression", placeholders)
    key = _checked_key(table, params)
    return Write(
        table,
        table.identity(key),
        key,
        condition,
        lambda old: None,
        _returns_old_on_failure(params),
    )


def prepare_check(table: Table, params: Mapping[str, Any], placeholders: Placeholders) -> Write:
    """Prepare a transaction's ConditionCheck, which writes nothing."""
    condition = optional_condition(params, "ConditionExpression", placeholders)
    key = _checked_key(table, params)
    return Write(table, table.identity(key), key, condition, None, _returns_old_on_failure(params))


def prepare_update(
    table: Table, params: Mapping[str, Any], placeholders: Placeholders
) -> tuple[Write, tuple[Action, ...]]:
    """Prepare an UpdateItem (or a transaction's Update) and return it with its actions."""
    key = _checked_key(table, params)
    expression = params.get("UpdateExpression")
    actions = parse_update(expression, placeholders) if expression is not None else ()
    condition = optional_condition(params, "ConditionExpression", placeholders)
    check_actions(actions)
    for action in actions:
        name = action.path.elements[0]
        if name in table.key.names:
            raise invalid_parameters(
                f"Cannot update attribute {name}. This attribute is part of the key"
            )

    def change(old: Item | None) -> Item:
        return apply_update(old if old is not None else key, actions)

    write = Write(
        table, table.identity(key), key, condition, change, _returns_old_on_failure(params)
    )
    return write, actions


def _checked_key(table: Table, params: Mapping[str, Any]) -> Item:
    key = check_item(params["Key"])
    check_key(table, key)
    return key


def run_write(write: Write) -> tuple[Item | None, Item | None]:
    """Check and apply one write, returning the old and new items."""
    old = write.check_condition()
    new = write.compute(old)
    write.store(new)
    return old, new
