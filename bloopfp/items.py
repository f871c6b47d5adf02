"""Conversions between records and DynamoDB items (maps of attribute name to AttributeValue)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.errors import InvalidValue, ItemTooLarge, MissingKey
from bloopfp.item_size import MAX_ITEM_SIZE, item_size
from bloopfp.models import spec_of, validate_value
from bloopfp.types import AttributeValue

Item = dict[str, AttributeValue]


def dump_item(record: Any) -> Item:
    """Return the item of a record. Columns that are None or dump to nothing are left out.

    Raises ItemTooLarge when the item is over DynamoDB's 400 KB item size limit.
    """
    spec = spec_of(record)
    item: Item = {}
    for col in spec.columns:
        value = getattr(record, col.name)
        if value is None:
            continue
        dumped = col.type.dump(value)
        if dumped is not None:
            item[col.key_name] = dumped
    size = item_size(item)
    if size > MAX_ITEM_SIZE:
        key = {c.name: getattr(record, c.name) for c in spec.keys}
        raise ItemTooLarge(spec.name, key, size, MAX_ITEM_SIZE)
    return item


def dump_key(model_cls: Any, values: Mapping[str, Any]) -> Item:
    """Return the Key parameter for key values given by Python column name.

    Raises MissingKey for an empty key value and InvalidValue for one over DynamoDB's key size
    limits (2048 bytes for a hash key, 1024 bytes for a range key).
    """
    spec = spec_of(model_cls)
    result: Item = {}
    for col in spec.keys:
        validate_value(spec.name, col, values[col.name])
        dumped = col.type.dump(values[col.name])
        if dumped is None:
            raise MissingKey(spec.name, col.name, "key value dumps to nothing")
        result[col.key_name] = dumped
    return result


def load_item(model_cls: Any, item: Mapping[str, AttributeValue]) -> Any:
    """Build a record from an item, ignoring attributes the model does not declare.

    Columns absent from the item (for example, not projected into an index) load as their type's
    missing value, which is None for most types.
    """
    spec = spec_of(model_cls)
    values: dict[str, Any] = {}
    for col in spec.columns:
        stored = item.get(col.key_name)
        if stored is None or "NULL" in stored:
            if col.is_key:
                raise MissingKey(spec.name, col.name, f"item has no key attribute {col.key_name!r}")
            values[col.name] = col.type.load_missing()
            continue
        try:
            values[col.name] = col.type.load(stored)
        except InvalidValue as error:
            raise error.in_column(spec.name, col.name) from None
    return _loaded_record(model_cls, values)


def _loaded_record(model_cls: Any, values: Mapping[str, Any]) -> Any:
    """Create a record from values that column types loaded, skipping the constructor's checks.

    `Type.load` already returns each value in the normalized form the constructor would convert
    it to, and it rejects stored values the type cannot hold. Running the converters and
    validators again would only repeat that work, which was about half the cost of a load.
    """
    record = object.__new__(model_cls)
    for name, value in values.items():
        object.__setattr__(record, name, value)
    return record
