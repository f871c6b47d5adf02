"""Handlers of the table operations: create, describe, delete, list and update tables, and the
time-to-live and continuous-backup settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import (
    invalid,
    invalid_parameters,
    table_in_use,
    table_not_found,
)
from bloopfp.executors.memory.schema import (
    attribute_types,
    check_billing,
    check_definitions_used,
    parse_global_index,
    parse_indexes,
    parse_key_schema,
)
from bloopfp.executors.memory.tables import Table, now
from bloopfp.executors.memory.values import clone

MAX_LIST_TABLES = 100


def create_table(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Create a table, which is ACTIVE as soon as this call returns."""
    name = params["TableName"]
    for required in ("KeySchema", "AttributeDefinitions"):
        if required not in params:
            member = required[0].lower() + required[1:]
            raise invalid(
                f"1 validation error detected: Value null at '{member}' failed to satisfy "
                "constraint: Member must not be null"
            )
    if name in database.tables:
        raise table_in_use(f"Table already exists: {name}")
    types = attribute_types(params["AttributeDefinitions"])
    key = parse_key_schema(params["KeySchema"], types)
    billing = check_billing(params)
    indexes = parse_indexes(params, key, types, billing)
    check_definitions_used(types, key, indexes)

    created = now(database.clock())
    table = Table(
        name=name,
        key=key,
        attribute_definitions=clone(list(params["AttributeDefinitions"])),
        indexes={index.name: index for index in indexes},
        billing_mode=billing,
        throughput=clone(params.get("ProvisionedThroughput")),
        created=created,
        extra=_extra_settings(params, created),
    )
    database.tables[name] = table
    return {"TableDescription": table.describe("CREATING")}


def _extra_settings(params: Mapping[str, Any], created: Any) -> dict[str, Any]:
    """Return the description fields echoed from optional CreateTable settings."""
    extra: dict[str, Any] = {}
    stream = params.get("StreamSpecification")
    if stream is not None:
        extra["StreamSpecification"] = clone(stream)
        if stream.get("StreamEnabled"):
            label = created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            extra["LatestStreamLabel"] = label
            extra["LatestStreamArn"] = f"{_arn(params['TableName'])}/stream/{label}"
    sse = params.get("SSESpecification")
    if sse is not None and sse.get("Enabled"):
        extra["SSEDescription"] = {"Status": "ENABLED", "SSEType": sse.get("SSEType", "KMS")}
    table_class = params.get("TableClass")
    if table_class is not None:
        extra["TableClassSummary"] = {"TableClass": table_class}
    if params.get("DeletionProtectionEnabled"):
        extra["DeletionProtectionEnabled"] = True
    return extra


def _arn(name: str) -> str:
    return f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"


def describe_table(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the TableDescription of a table."""
    name = params["TableName"]
    table = database.tables.get(name)
    if table is None:
        raise table_not_found(name)
    return {"Table": table.describe()}


def delete_table(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Delete a table and its items at once, returning its description as DELETING."""
    name = params["TableName"]
    table = database.tables.get(name)
    if table is None:
        raise table_not_found(name)
    if table.extra.get("DeletionProtectionEnabled"):
        raise invalid(
            f"Resource cannot be deleted as it is currently protected against deletion. Disable "
            f"deletion protection first. Table: {name}"
        )
    description = table.describe("DELETING")
    del database.tables[name]
    return {"TableDescription": description}


def list_tables(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """List table names in order, at most Limit (default and maximum 100) per page."""
    limit = params.get("Limit", MAX_LIST_TABLES)
    names = sorted(database.tables)
    start = params.get("ExclusiveStartTableName")
    if start is not None:
        names = [name for name in names if name > start]
    response: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        response["LastEvaluatedTableName"] = names[limit - 1]
    return response


def update_table(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Change billing, throughput, streams or global secondary indexes of a table."""
    table = database.table(params["TableName"])
    changes = [name for name in params if name != "TableName"]
    if not changes:
        raise invalid(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )
    _update_billing(table, params)
    if "AttributeDefinitions" in params:
        for definition in params["AttributeDefinitions"]:
            if definition not in table.attribute_definitions:
                table.attribute_definitions.append(clone(definition))
    for update in params.get("GlobalSecondaryIndexUpdates", []):
        _update_index(table, update)
    if "StreamSpecification" in params:
        table.extra.update(
            _extra_settings({**params, "TableName": table.name}, now(database.clock()))
        )
    if "TableClass" in params:
        table.extra["TableClassSummary"] = {"TableClass": params["TableClass"]}
    if "DeletionProtectionEnabled" in params:
        table.extra["DeletionProtectionEnabled"] = bool(params["DeletionProtectionEnabled"])
    return {"TableDescription": table.describe("UPDATING")}


def _update_billing(table: Table, params: Mapping[str, Any]) -> None:
    billing = params.get("BillingMode", table.billing_mode)
    throughput = params.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise invalid_parameters(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
            "PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and table.billing_mode != "PROVISIONED" and throughput is None:
        raise invalid_parameters(
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
        )
    table.billing_mode = billing
    if billing == "PAY_PER_REQUEST":
        table.throughput = None
    elif throughput is not None:
        table.throughput = clone(throughput)


def _update_index(table: Table, update: Mapping[str, Any]) -> None:
    if "Create" in update:
        spec = update["Create"]
        types = {d["AttributeName"]: d["AttributeType"] for d in table.attribute_definitions}
        index = parse_global_index(spec, types, table.billing_mode)
        if index.name in table.indexes:
            raise invalid_parameters(f"Index already exists: {index.name}")
        table.add_index(index)
    elif "Delete" in update:
        name = update["Delete"]["IndexName"]
        if name not in table.indexes or not table.indexes[name].is_global:
            raise table_not_found()
        table.drop_index(name)
    else:
        raise invalid(
            "GlobalSecondaryIndexUpdates Update actions are not supported by MemoryExecutor"
        )


def update_time_to_live(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Enable or disable time to live on one attribute, taking effect at once.

    Expired items are deleted only by `MemoryExecutor.delete_expired_items`.
    """
    # NOTE: DynamoDB rejects another UpdateTimeToLive on the same table within an hour of a
    # change. MemoryExecutor does not, so tests can enable and disable freely.
    table = database.table(params["TableName"])
    specification = params["TimeToLiveSpecification"]
    enabled = specification["Enabled"]
    current = table.time_to_live
    if enabled and current.get("TimeToLiveStatus") == "ENABLED":
        raise invalid("TimeToLive is already enabled")
    if not enabled and current.get("TimeToLiveStatus") != "ENABLED":
        raise invalid("TimeToLive is already disabled")
    if enabled:
        table.time_to_live = {
            "TimeToLiveStatus": "ENABLED",
            "AttributeName": specification["AttributeName"],
        }
    else:
        table.time_to_live = {"TimeToLiveStatus": "DISABLED"}
    return {"TimeToLiveSpecification": clone(dict(specification))}


def describe_time_to_live(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the time-to-live setting of a table."""
    table = database.table(params["TableName"])
    return {"TimeToLiveDescription": clone(table.time_to_live)}


def update_continuous_backups(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Enable or disable point-in-time recovery. MemoryExecutor keeps no backups."""
    table = database.table(params["TableName"])
    specification = params["PointInTimeRecoverySpecification"]
    table.point_in_time_recovery = bool(specification["PointInTimeRecoveryEnabled"])
    return {"ContinuousBackupsDescription": _backups(table, database)}


def describe_continuous_backups(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the continuous-backup and point-in-time-recovery settings of a table."""
    name = params["TableName"]
    table = database.tables.get(name)
    if table is None:
        raise table_not_found(name)
    return {"ContinuousBackupsDescription": _backups(table, database)}


def _backups(table: Table, database: Database) -> dict[str, Any]:
    recovery: dict[str, Any] = {
        "PointInTimeRecoveryStatus": "ENABLED" if table.point_in_time_recovery else "DISABLED"
    }
    if table.point_in_time_recovery:
        recovery["EarliestRestorableDateTime"] = table.created
        recovery["LatestRestorableDateTime"] = now(database.clock())
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}
