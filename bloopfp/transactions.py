"""Transaction items as values, and the mapping of DynamoDB's responses back to them.

Build items with `put`, `update`, `delete`, `check` and `get`, and run them with
`Engine.transact_write` or `Engine.transact_read`. The compiler turns a `TransactWriteItems` or
`TransactGetItems` value into one request and rejects, before sending, more than 100 items, more
than 4 MB of items, and (for writes) two items on the same key: the limits DynamoDB documents.

>>> import uuid
>>> from bloopfp import model, column
>>> from bloopfp.types import String, UUID
>>> @model(table_name="wallets")
... class Wallet:
...     id: uuid.UUID = column(UUID, hash_key=True)
...     owner: str | None = column(String)
>>> item = delete(Wallet, id=uuid.UUID(int=1))
>>> type(item).__name__
'TransactDelete'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from bloopfp.conditions import EMPTY, Condition, and_
from bloopfp.errors import InvalidRequest
from bloopfp.items import load_item
from bloopfp.models import ModelSpec, spec_of
from bloopfp.operations import (
    Key,
    TransactConditionCheck,
    TransactDelete,
    TransactGet,
    TransactPut,
    TransactUpdate,
    TransactWriteItem,
    key,
    key_of_record,
    model_of_transact_item,
    projection_paths,
)
from bloopfp.paths import Path, Value, path
from bloopfp.updates import (
    Arithmetic,
    IfNotExists,
    SetAction,
    Update,
    diff,
    next_version,
    version_column,
    version_guard,
)

# Argument checks shared with the engine, so that a wrong value fails before any request.


def _example(spec: ModelSpec) -> str:
    """Return a column of the model to show in examples, preferring one that is not a key."""
    chosen = next((c for c in spec.columns if not c.is_key), spec.columns[0])
    return f"{spec.name}.{chosen.name}"


def require_condition(value: Any, *, argument: str, model: Any) -> Condition:
    """Return `value` when it is a Condition, else raise InvalidRequest naming `argument`."""
    if isinstance(value, Condition):
        return value
    spec = spec_of(model)
    example = f"{_example(spec)} == 'x'"
    hint = ""
    if isinstance(value, bool):
        hint = (
            "; comparing a record's attribute (record.column == value) gives a bool, so compare "
            "the model class's column instead"
        )
    elif isinstance(value, Update):
        hint = "; an Update changes an item, so pass it to engine.update or transactions.update"
    elif value is None:
        hint = f"; leave out {argument}= for none"
    raise InvalidRequest(
        f"{argument} must be a Condition built from the model class, e.g. {example}, "
        f"got {value!r} ({type(value).__name__}){hint}"
    )


def require_update(value: Any, *, argument: str, model: Any) -> Update:
    """Return `value` when it is an Update, else raise InvalidRequest naming `argument`."""
    if isinstance(value, Update):
        return value
    spec = spec_of(model)
    hint = ""
    if isinstance(value, Condition):
        hint = "; a Condition only tests an item, so pass it as condition="
    raise InvalidRequest(
        f"{argument} must be an Update of {spec.name}, got {value!r} "
        f"({type(value).__name__}){hint}. Build one from the model class, e.g. "
        f"{_example(spec)}.set('x'), and combine several with &"
    )


# Version columns.


def reject_version_changes(model: Any, changes: Update) -> None:
    """Raise InvalidRequest when `changes` write the model's version column themselves."""
    col = version_column(model)
    if col is None:
        return
    for action in changes.actions:
        if action.path.segments[0] == col.key_name:
            name = spec_of(model).name
            raise InvalidRequest(
                f"the update writes {name}.{col.name}, the version column, which bloopfp "
                f"advances by itself on every write; remove the action on {col.name!r}"
            )


def advance_version(model: Any, changes: Update) -> Update:
    """Add `SET version = if_not_exists(version, 0) + 1` to `changes` for a versioned model.

    This is for updates without a loaded record: the version advances whether or not an item
    (or a version) is stored, so a record saved from an earlier load then fails its check.
    Models without a version column get `changes` back.
    """
    col = version_column(model)
    if col is None:
        return changes
    reject_version_changes(model, changes)
    target = Path((col.key_name,))
    current = IfNotExists(target, Value(0, col.type))
    return changes & Update((SetAction(target, Arithmetic("+", current, Value(1, col.type))),))


def _target_key(target: Any, key_values: Mapping[str, Any]) -> Key:
    if isinstance(target, type):
        return key(target, key_values)
    if key_values:
        raise TypeError("pass either a record or a model class with key values, not both")
    return key_of_record(target)


def put(record: Any, *, condition: Condition = EMPTY, return_old: bool = False) -> TransactPut:
    """Write a whole record. `return_old` requests the stored item when the condition fails.

    For a model with a version column, the put also requires the stored version to be the
    record's and writes `next_version(record)`, as `engine.save` does.
    """
    condition = require_condition(condition, argument="condition", model=record)
    if version_column(record) is not None:
        guard, _ = version_guard(record)
        record, condition = next_version(record), and_(guard, condition)
    return TransactPut(record, condition=condition, return_old_on_failure=return_old)


def update(
    record: Any,
    *,
    old: Any = None,
    changes: Update | None = None,
    condition: Condition = EMPTY,
    return_old: bool = False,
) -> TransactUpdate:
    """Update the item of `record`: with the diff from `old`, or with explicit `changes`.

    An update that changes nothing is sent as a ConditionCheck when it has a condition, and is
    rejected by the compiler otherwise.

    For a model with a version column, the update requires the stored version to be the one of
    `old` (or of `record`, with `changes`), or no stored version when that is None, and advances
    it by one. `changes` may not write the version column.
    """
    if (old is None) == (changes is None):
        raise InvalidRequest("pass exactly one of old= (to send the diff) or changes=")
    condition = require_condition(condition, argument="condition", model=record)
    if changes is not None:
        actions = require_update(changes, argument="changes", model=record)
        loaded = record
    else:
        actions = diff(old, record)
        loaded = old
    col = version_column(record)
    if col is not None:
        if getattr(loaded, col.name) != getattr(record, col.name):
            raise InvalidRequest(
                f"{spec_of(record).name}.{col.name} differs between the old and new record; "
                "the version column is advanced by the update, so leave it as loaded"
            )
        reject_version_changes(record, actions)
        guard, advance = version_guard(loaded)
        actions, condition = actions & advance, and_(guard, condition)
    return TransactUpdate(
        key_of_record(record), actions, condition=condition, return_old_on_failure=return_old
    )


def delete(
    target: Any, *, condition: Condition = EMPTY, return_old: bool = False, **key_values: Any
) -> TransactDelete:
    """Delete a record, or the item of a model class under the given key.

    A record of a model with a version column is deleted only while the stored version is the
    record's (or, when the record's version is None, while none is stored). Deleting by model
    class and key checks no version.
    """
    item_key = _target_key(target, key_values)
    condition = require_condition(condition, argument="condition", model=item_key.model)
    if not isinstance(target, type) and version_column(target) is not None:
        guard, _ = version_guard(target)
        condition = and_(guard, condition)
    return TransactDelete(item_key, condition=condition, return_old_on_failure=return_old)


def check(
    target: Any, condition: Condition, *, return_old: bool = False, **key_values: Any
) -> TransactConditionCheck:
    """Require `condition` to hold on an item, without writing it."""
    item_key = _target_key(target, key_values)
    condition = require_condition(condition, argument="condition", model=item_key.model)
    return TransactConditionCheck(item_key, condition, return_old_on_failure=return_old)


def get(target: Any, *, projection: Iterable[Any] | None = None, **key_values: Any) -> TransactGet:
    """Read one item in a TransactGetItems call. A projection always includes the key."""
    item_key = _target_key(target, key_values)
    paths = projection_paths(item_key.model, projection)
    if paths is not None:
        chosen = {p.segments for p in paths}
        key_paths = [path(c.key_name) for c in spec_of(item_key.model).keys]
        paths = paths + tuple(p for p in key_paths if p.segments not in chosen)
    return TransactGet(item_key, projection=paths)


@attrs.frozen
class Cancellation:
    """The reason DynamoDB gave for canceling a transaction, for one submitted item.

    `code` is None for items that did not cause the cancellation. `old` is the stored record
    (and `old_item` the raw item) when the item asked for it with `return_old=True` and its
    condition failed.
    """

    item: TransactWriteItem | TransactGet
    code: str | None
    message: str | None
    old: Any = None
    old_item: dict[str, Any] | None = attrs.field(default=None, repr=False)

    @property
    def failed(self) -> bool:
        return self.code not in (None, "None")


def cancellations(
    items: Sequence[TransactWriteItem | TransactGet], reasons: Sequence[Mapping[str, Any]]
) -> tuple[Cancellation, ...]:
    """Pair each submitted item with its CancellationReason, loading any returned old item.

    DynamoDB returns one reason per item in the order submitted. Items without a reason (when a
    server returns fewer) get a Cancellation with code None.
    """
    result = []
    for position, item in enumerate(items):
        reason = reasons[position] if position < len(reasons) else {}
        old_item = reason.get("Item")
        old = load_item(model_of_transact_item(item), old_item) if old_item else None
        result.append(
            Cancellation(
                item=item,
                code=reason.get("Code"),
                message=reason.get("Message"),
                old=old,
                old_item=dict(old_item) if old_item else None,
            )
        )
    return tuple(result)


def describe_cancellations(found: Sequence[Cancellation]) -> str:
    """Return a one-line summary of the items that caused a cancellation."""
    parts = []
    for position, cancellation in enumerate(found):
        if not cancellation.failed:
            continue
        item = cancellation.item
        model = spec_of(model_of_transact_item(item)).name
        item_key = key_of_record(item.record) if isinstance(item, TransactPut) else item.key
        parts.append(
            f"item {position} ({type(item).__name__} of {model} {item_key.as_dict()}): "
            f"{cancellation.code}"
        )
    return "; ".join(parts) or "no item reported a reason"


def read_results(items: Sequence[TransactGet], response: Mapping[str, Any]) -> list[Any]:
    """Return the record of each TransactGetItems item, or None where no item is stored."""
    records = []
    for item, entry in zip(items, response.get("Responses", []), strict=True):
        stored = entry.get("Item")
        records.append(load_item(item.key.model, stored) if stored else None)
    return records
