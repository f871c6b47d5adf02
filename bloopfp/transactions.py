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
from bloopfp.models import spec_of
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
from bloopfp.paths import path
from bloopfp.updates import Update, diff, next_version, version_column, version_guard


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
    """
    if (old is None) == (changes is None):
        raise InvalidRequest("pass exactly one of old= (to send the diff) or changes=")
    actions = diff(old, record) if old is not None else changes
    assert actions is not None
    if old is not None and version_column(record) is not None:
        guard, advance = version_guard(old)
        actions, condition = actions & advance, and_(guard, condition)
    return TransactUpdate(
        key_of_record(record), actions, condition=condition, return_old_on_failure=return_old
    )


def delete(
    target: Any, *, condition: Condition = EMPTY, return_old: bool = False, **key_values: Any
) -> TransactDelete:
    """Delete a record, or the item of a model class under the given key."""
    item_key = _target_key(target, key_values)
    return TransactDelete(item_key, condition=condition, return_old_on_failure=return_old)


def check(
    target: Any, condition: Condition, *, return_old: bool = False, **key_values: Any
) -> TransactConditionCheck:
    """Require `condition` to hold on an item, without writing it."""
    item_key = _target_key(target, key_values)
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
