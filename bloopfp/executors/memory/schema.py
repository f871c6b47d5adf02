"""Key schemas of tables and secondary indexes, checked as CreateTable checks them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bloopfp.executors.memory.errors import invalid, invalid_parameters

MAX_LOCAL_INDEXES = 5
MAX_GLOBAL_INDEXES = 20


@dataclass(frozen=True, slots=True)
class KeySchema:
    """The hash key and optional range key of a table or index, with their types (S, N or B)."""

    hash_name: str
    hash_type: str
    range_name: str | None = None
    range_type: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The key attribute names, hash key first."""
        return (self.hash_name,) if self.range_name is None else (self.hash_name, self.range_name)

    def types(self) -> dict[str, str]:
        """Return the declared type of each key attribute."""
        types = {self.hash_name: self.hash_type}
        if self.range_name is not None and self.range_type is not None:
            types[self.range_name] = self.range_type
        return types

    def elements(self) -> list[dict[str, str]]:
        """Return the KeySchema list as DynamoDB describes it."""
        elements = [{"AttributeName": self.hash_name, "KeyType": "HASH"}]
        if self.range_name is not None:
            elements.append({"AttributeName": self.range_name, "KeyType": "RANGE"})
        return elements


@dataclass(frozen=True, slots=True)
class IndexSchema:
    """A secondary index: its name, whether it is global, its key schema and its projection."""

    name: str
    is_global: bool
    key: KeySchema
    projection_type: str
    non_key_attributes: tuple[str, ...]
    throughput: Mapping[str, int] | None

    def projection(self) -> dict[str, Any]:
        """Return the Projection as DynamoDB describes it."""
        projection: dict[str, Any] = {"ProjectionType": self.projection_type}
        if self.non_key_attributes:
            projection["NonKeyAttributes"] = list(self.non_key_attributes)
        return projection


def parse_key_schema(
    elements: Sequence[Mapping[str, str]], types: Mapping[str, str], index: str | None = None
) -> KeySchema:
    """Build a KeySchema from a KeySchema list, with types from the AttributeDefinitions."""
    if elements[0]["KeyType"] != "HASH":
        raise invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(elements) > 2:
        raise invalid("Invalid KeySchema: Too many KeySchemaElements; expected at most 2")
    names = [element["AttributeName"] for element in elements]
    missing = [name for name in names if name not in types]
    if missing:
        raise invalid_parameters(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{', '.join(types)}]"
        )
    hash_name = names[0]
    if len(elements) == 1:
        return KeySchema(hash_name, types[hash_name])
    if elements[1]["KeyType"] != "RANGE":
        raise invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
    range_name = names[1]
    if range_name == hash_name:
        where = f" for index: {index}" if index else ""
        raise invalid_parameters(
            "Both the Hash Key and the Range Key element in the KeySchema have the same "
            f"name{where}"
        )
    return KeySchema(hash_name, types[hash_name], range_name, types[range_name])


def attribute_types(definitions: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Return AttributeDefinitions as a name-to-type dict, rejecting a name defined twice."""
    types: dict[str, str] = {}
    for definition in definitions:
        name = definition["AttributeName"]
        if name in types:
            raise invalid("Cannot have two attributes with the same name")
        types[name] = definition["AttributeType"]
    return types


def parse_indexes(
    params: Mapping[str, Any], table_key: KeySchema, types: Mapping[str, str], billing: str
) -> list[IndexSchema]:
    """Build and check the GlobalSecondaryIndexes and LocalSecondaryIndexes of a CreateTable."""
    global_specs = params.get("GlobalSecondaryIndexes", [])
    local_specs = params.get("LocalSecondaryIndexes", [])
    if len(global_specs) > MAX_GLOBAL_INDEXES:
        raise invalid_parameters(
            f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"
        )
    if len(local_specs) > MAX_LOCAL_INDEXES:
        raise invalid_parameters(
            f"LocalSecondaryIndex count exceeds the per-table limit of {MAX_LOCAL_INDEXES}"
        )
    if local_specs and table_key.range_name is None:
        raise invalid_parameters(
            "Table KeySchema does not have a range key, which is required when specifying a "
            "LocalSecondaryIndex"
        )

    indexes = [parse_global_index(spec, types, billing) for spec in global_specs]
    indexes += [parse_local_index(spec, table_key, types) for spec in local_specs]

    seen: set[str] = set()
    for index in indexes:
        if index.name in seen:
            raise invalid_parameters(f"Duplicate index name: {index.name}")
        seen.add(index.name)
    return indexes


def parse_global_index(
    spec: Mapping[str, Any], types: Mapping[str, str], billing: str
) -> IndexSchema:
    """Build a global secondary index from its CreateTable or UpdateTable specification."""
    name = spec["IndexName"]
    key = parse_key_schema(spec["KeySchema"], types, name)
    throughput = spec.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and throughput is None:
        raise invalid_parameters(f"ProvisionedThroughput must be specified for index: {name}")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise invalid_parameters(
            f"ProvisionedThroughput should not be specified for index: {name} when BillingMode is "
            "PAY_PER_REQUEST"
        )
    projection_type, non_key = parse_projection(spec["Projection"], name)
    return IndexSchema(name, True, key, projection_type, non_key, throughput)


def parse_local_index(
    spec: Mapping[str, Any], table_key: KeySchema, types: Mapping[str, str]
) -> IndexSchema:
    """Build a local secondary index, which shares the table's hash key and has a range key."""
    name = spec["IndexName"]
    key = parse_key_schema(spec["KeySchema"], types, name)
    if key.range_name is None:
        raise invalid_parameters(f"Index KeySchema does not have a range key for index: {name}")
    if key.hash_name != table_key.hash_name:
        raise invalid_parameters(
            f"Index KeySchema does not have the same leading hash key as table KeySchema for "
            f"index: {name}. index hash key: {key.hash_name}, table hash key: {table_key.hash_name}"
        )
    projection_type, non_key = parse_projection(spec["Projection"], name)
    return IndexSchema(name, False, key, projection_type, non_key, None)


def parse_projection(projection: Mapping[str, Any], index: str) -> tuple[str, tuple[str, ...]]:
    """Return the projection type and non-key attributes of an index's Projection."""
    projection_type = projection.get("ProjectionType")
    non_key = tuple(projection.get("NonKeyAttributes", ()))
    if projection_type is None:
        raise invalid_parameters(f"Unknown ProjectionType: null for index: {index}")
    if projection_type == "INCLUDE" and not non_key:
        raise invalid_parameters(
            f"NonKeyAttributes must be specified when ProjectionType is INCLUDE for index: {index}"
        )
    if projection_type != "INCLUDE" and non_key:
        raise invalid_parameters(
            f"ProjectionType is {projection_type}, but NonKeyAttributes is specified for index: "
            f"{index}"
        )
    if len(set(non_key)) != len(non_key):
        raise invalid_parameters(f"Duplicate NonKeyAttributes for index: {index}")
    return projection_type, non_key


def check_definitions_used(
    types: Mapping[str, str], table_key: KeySchema, indexes: Sequence[IndexSchema]
) -> None:
    """Reject AttributeDefinitions that no key schema of the table or its indexes uses."""
    used = set(table_key.names)
    for index in indexes:
        used.update(index.key.names)
    if set(types) != used:
        raise invalid_parameters(
            "Number of attributes in KeySchema does not exactly match number of attributes defined "
            "in AttributeDefinitions"
        )


def check_billing(params: Mapping[str, Any]) -> str:
    """Return the BillingMode, checking that ProvisionedThroughput is given only when needed."""
    billing = params.get("BillingMode", "PROVISIONED")
    throughput = params.get("ProvisionedThroughput")
    if billing == "PROVISIONED" and throughput is None:
        raise invalid_parameters(
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
        )
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise invalid_parameters(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
            "PAY_PER_REQUEST"
        )
    return str(billing)
