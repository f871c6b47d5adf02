"""Tables: their schema, stored items, key checks and the TableDescription that describes them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bloopfp.executors.memory.errors import RequestRejected, invalid, invalid_parameters
from bloopfp.executors.memory.partitions import KeyIdentity as KeyIdentity
from bloopfp.executors.memory.partitions import SortedKeys
from bloopfp.executors.memory.schema import IndexSchema, KeySchema
from bloopfp.executors.memory.values import Item, clone, item_size, type_of

ACCOUNT = "000000000000"
REGION = "us-east-1"
MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024


@dataclass
class Table:
    """One table: its schema, settings and items, keyed by the identity of their primary key.

    Change items only through `put` and `remove`, which keep the sorted keys of the table and of
    every index in step with `items`.
    """

    name: str
    key: KeySchema
    attribute_definitions: list[dict[str, str]]
    indexes: dict[str, IndexSchema]
    billing_mode: str
    throughput: dict[str, int] | None
    created: datetime
    extra: dict[str, Any] = field(default_factory=dict)
    items: dict[KeyIdentity, Item] = field(default_factory=dict)
    time_to_live: dict[str, Any] = field(default_factory=lambda: {"TimeToLiveStatus": "DISABLED"})
    point_in_time_recovery: bool = False
    sorted_keys: SortedKeys = field(init=False)
    index_keys: dict[str, SortedKeys] = field(init=False)
    # The size in bytes of every stored item, by identity.
    sizes: dict[KeyIdentity, int] = field(init=False)

    def __post_init__(self) -> None:
        self.sorted_keys = SortedKeys(self.key, self.key, is_index=False)
        self.index_keys = {}
        self.sizes = {}
        for index in self.indexes.values():
            self._build_index_keys(index)
        for identity, item in self.items.items():
            self.sorted_keys.add(identity, item)
            self.sizes[identity] = item_size(item)

    def put(self, identity: KeyIdentity, item: Item) -> None:
        """Store `item` (which the table then owns) under `identity`, replacing any old item."""
        old = self.items.get(identity)
        if old is not None:
            self._discard_keys(identity, old)
        self.items[identity] = item
        self.sizes[identity] = item_size(item)
        self.sorted_keys.add(identity, item)
        for keys in self.index_keys.values():
            keys.add(identity, item)

    def remove(self, identity: KeyIdentity) -> Item | None:
        """Delete the item stored under `identity` and return it, or None when there is none."""
        old = self.items.pop(identity, None)
        if old is not None:
            del self.sizes[identity]
            self._discard_keys(identity, old)
        return old

    def _discard_keys(self, identity: KeyIdentity, item: Item) -> None:
        self.sorted_keys.discard(identity, item)
        for keys in self.index_keys.values():
            keys.discard(identity, item)

    def add_index(self, index: IndexSchema) -> None:
        """Add a secondary index and fill it from the stored items at once."""
        self.indexes[index.name] = index
        self._build_index_keys(index)

    def drop_index(self, name: str) -> None:
        """Remove a secondary index."""
        del self.indexes[name]
        del self.index_keys[name]

    def _build_index_keys(self, index: IndexSchema) -> None:
        keys = SortedKeys(index.key, self.key, is_index=True)
        for identity, item in self.items.items():
            keys.add(identity, item)
        self.index_keys[index.name] = keys

    def keys_of(self, index: IndexSchema | None) -> SortedKeys:
        """Return the sorted keys of the table, or of one of its indexes."""
        return self.sorted_keys if index is None else self.index_keys[index.name]

    @property
    def arn(self) -> str:
        """The table's ARN, in a fixed account and Region."""
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self.name}"

    def index(self, name: str) -> IndexSchema:
        """Return the index called `name`, raising the ValidationException DynamoDB raises."""
        if name not in self.indexes:
            raise invalid(f"The table does not have the specified index: {name}")
        return self.indexes[name]

    def identity(self, item: Mapping[str, Any]) -> KeyIdentity:
        """Return the hashable identity of an item's primary key."""
        return key_identity(item, self.key)

    def key_of(self, item: Mapping[str, Any]) -> Item:
        """Return a copy of the primary key attributes of `item`."""
        return {name: clone(item[name]) for name in self.key.names}

    def describe(self, status: str = "ACTIVE") -> dict[str, Any]:
        """Return the TableDescription as DescribeTable returns it."""
        description: dict[str, Any] = {
            "AttributeDefinitions": clone(self.attribute_definitions),
            "TableName": self.name,
            "KeySchema": self.key.elements(),
            "TableStatus": status,
            "CreationDateTime": self.created,
            "ProvisionedThroughput": _throughput(self.throughput),
            "TableSizeBytes": sum(self.sizes.values()),
            "ItemCount": len(self.items),
            "TableArn": self.arn,
            "TableId": str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"{self.arn}@{self.created.isoformat()}")
            ),
            "BillingModeSummary": {"BillingMode": self.billing_mode},
            "DeletionProtectionEnabled": False,
        }
        global_indexes = [index for index in self.indexes.values() if index.is_global]
        local_indexes = [index for index in self.indexes.values() if not index.is_global]
        if global_indexes:
            description["GlobalSecondaryIndexes"] = [
                self._describe_index(index, status) for index in global_indexes
            ]
        if local_indexes:
            description["LocalSecondaryIndexes"] = [
                self._describe_index(index, status) for index in local_indexes
            ]
        description.update(clone(self.extra))
        return description

    def _describe_index(self, index: IndexSchema, status: str) -> dict[str, Any]:
        entries = [entry for _, entry in index_entries(self, index)]
        description: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": index.key.elements(),
            "Projection": index.projection(),
            "IndexSizeBytes": sum(item_size(entry) for entry in entries),
            "ItemCount": len(entries),
            "IndexArn": f"{self.arn}/index/{index.name}",
        }
        if index.is_global:
            description["IndexStatus"] = "ACTIVE" if status == "ACTIVE" else status
            description["ProvisionedThroughput"] = _throughput(index.throughput)
        return description


def _throughput(throughput: Mapping[str, int] | None) -> dict[str, int]:
    described = {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if throughput is not None:
        described["ReadCapacityUnits"] = throughput["ReadCapacityUnits"]
        described["WriteCapacityUnits"] = throughput["WriteCapacityUnits"]
    return described


def key_identity(item: Mapping[str, Any], key: KeySchema) -> KeyIdentity:
    """Return the hashable identity of the key attributes `key` names in `item`."""
    return tuple((type_of(item[name]), item[name][type_of(item[name])]) for name in key.names)


def now(clock_value: float) -> datetime:
    """Return a clock reading as the timezone-aware datetime that botocore parses timestamps to."""
    return datetime.fromtimestamp(clock_value, tz=UTC)


def check_key(table: Table, key: Mapping[str, Any]) -> None:
    """Check a Key parameter: exactly the table's key attributes, with their declared types."""
    types = table.key.types()
    if set(key) != set(types):
        raise invalid("The provided key element does not match the schema")
    for name, declared in types.items():
        if type_of(key[name]) != declared:
            raise invalid("The provided key element does not match the schema")
        _check_key_value(name, key[name], None, is_hash=name == table.key.hash_name)


def check_item_keys(table: Table, item: Mapping[str, Any]) -> None:
    """Check that an item has the table's key attributes and valid index key attributes."""
    for name, declared in table.key.types().items():
        if name not in item:
            raise invalid_parameters(f"Missing the key {name} in the item")
        actual = type_of(item[name])
        if actual != declared:
            raise invalid_parameters(
                f"Type mismatch for key {name} expected: {declared} actual: {actual}"
            )
        _check_key_value(name, item[name], None, is_hash=name == table.key.hash_name)
    for index in table.indexes.values():
        for name, declared in index.key.types().items():
            if name not in item or name in table.key.names:
                continue
            actual = type_of(item[name])
            if actual != declared:
                raise invalid_parameters(
                    f"Type mismatch for Index Key {name} Expected: {declared} Actual: {actual} "
                    f"IndexName: {index.name}"
                )
            _check_key_value(name, item[name], index.name, is_hash=name == index.key.hash_name)


def _check_key_value(
    name: str, value: Mapping[str, Any], index: str | None, *, is_hash: bool
) -> None:
    kind = type_of(value)
    if kind == "N":
        return
    member = value[kind]
    if len(member) == 0:
        raise _empty_key(name, "string" if kind == "S" else "binary", index)
    size = len(member.encode("utf-8")) if kind == "S" else len(member)
    if is_hash and size > MAX_HASH_KEY_BYTES:
        raise invalid_parameters(
            f"Size of hashkey has exceeded the maximum size limit of {MAX_HASH_KEY_BYTES} bytes"
        )
    if not is_hash and size > MAX_RANGE_KEY_BYTES:
        raise invalid_parameters(
            f"Aggregated size of all range keys has exceeded the size limit of "
            f"{MAX_RANGE_KEY_BYTES} bytes"
        )


def _empty_key(name: str, empty: str, index: str | None) -> RequestRejected:
    if index is None:
        return invalid(
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty {empty} value. Key: {name}"
        )
    return invalid(
        "One or more parameter values are not valid. A value specified for a secondary index key "
        f"is not supported. The AttributeValue for a key attribute cannot contain an empty {empty} "
        f"value. IndexName: {index}, IndexKey: {name}"
    )


def index_attribute_names(table: Table, index: IndexSchema) -> tuple[str, ...] | None:
    """Return the attribute names an index stores, or None when it projects every attribute."""
    if index.projection_type == "ALL":
        return None
    names = list(table.key.names)
    names += [name for name in index.key.names if name not in names]
    names += [name for name in index.non_key_attributes if name not in names]
    return tuple(names)


def index_entries(table: Table, index: IndexSchema) -> list[tuple[Item, Item]]:
    """Return (item, index entry) pairs for the items that have every index key attribute.

    Indexes are sparse: an item without one of the index key attributes is not in the index.
    """
    names = index_attribute_names(table, index)
    entries: list[tuple[Item, Item]] = []
    for item in table.items.values():
        if not all(name in item for name in index.key.names):
            continue
        if names is None:
            entries.append((item, item))
        else:
            entries.append((item, {name: item[name] for name in names if name in item}))
    return entries
