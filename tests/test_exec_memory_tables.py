"""MemoryExecutor table operations: CreateTable, DescribeTable, DeleteTable, ListTables and more."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bloopfp.executors.memory import MemoryExecutor

NOW = 1_700_000_000.0
CREATED = datetime.fromtimestamp(NOW, tz=UTC)

TABLE = {
    "TableName": "orders",
    "KeySchema": [
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "placed", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "customer", "AttributeType": "S"},
        {"AttributeName": "placed", "AttributeType": "N"},
        {"AttributeName": "sku", "AttributeType": "S"},
        {"AttributeName": "price", "AttributeType": "N"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by_sku",
            "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]},
            "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "by_price",
            "KeySchema": [
                {"AttributeName": "customer", "KeyType": "HASH"},
                {"AttributeName": "price", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
}

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/orders"


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def error_code(executor: MemoryExecutor, operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as caught:
        executor.call(operation, params)
    return str(caught.value.response["Error"]["Code"])


@pytest.fixture
def db() -> MemoryExecutor:
    return MemoryExecutor(clock=lambda: NOW)


def expected_description(status: str, table_id: str) -> dict[str, Any]:
    return {
        "AttributeDefinitions": TABLE["AttributeDefinitions"],
        "TableName": "orders",
        "KeySchema": TABLE["KeySchema"],
        "TableStatus": status,
        "CreationDateTime": CREATED,
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 5,
            "WriteCapacityUnits": 6,
        },
        "TableSizeBytes": 0,
        "ItemCount": 0,
        "TableArn": ARN,
        "TableId": table_id,
        "BillingModeSummary": {"BillingMode": "PROVISIONED"},
        "DeletionProtectionEnabled": False,
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by_sku",
                "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]},
                "IndexSizeBytes": 0,
                "ItemCount": 0,
                "IndexArn": f"{ARN}/index/by_sku",
                "IndexStatus": status,
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 2,
                    "WriteCapacityUnits": 3,
                },
            }
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": "by_price",
                "KeySchema": TABLE["LocalSecondaryIndexes"][0]["KeySchema"],
                "Projection": {"ProjectionType": "ALL"},
                "IndexSizeBytes": 0,
                "ItemCount": 0,
                "IndexArn": f"{ARN}/index/by_price",
            }
        ],
    }


def test_create_returns_description(db: MemoryExecutor) -> None:
    response = body(db.call("CreateTable", TABLE))
    table_id = response["TableDescription"]["TableId"]
    assert response == {"TableDescription": expected_description("CREATING", table_id)}


def test_describe_is_active(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    response = body(db.call("DescribeTable", {"TableName": "orders"}))
    table_id = response["Table"]["TableId"]
    assert response == {"Table": expected_description("ACTIVE", table_id)}


def test_describe_counts_items(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    item = {"customer": {"S": "c"}, "placed": {"N": "1"}, "sku": {"S": "s"}}
    db.call("PutItem", {"TableName": "orders", "Item": item})
    table = db.call("DescribeTable", {"TableName": "orders"})["Table"]
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] == len("customer") + 1 + len("placed") + 2 + len("sku") + 1
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    assert table["LocalSecondaryIndexes"][0]["ItemCount"] == 0


def test_create_pay_per_request(db: MemoryExecutor) -> None:
    request = {
        "TableName": "simple",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "TableClass": "STANDARD_INFREQUENT_ACCESS",
    }
    table = db.call("CreateTable", request)["TableDescription"]
    assert table["BillingModeSummary"] == {"BillingMode": "PAY_PER_REQUEST"}
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert table["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert table["LatestStreamArn"].startswith(
        "arn:aws:dynamodb:us-east-1:000000000000:table/simple/stream/"
    )


def test_create_existing_table_in_use(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    assert error_code(db, "CreateTable", TABLE) == "ResourceInUseException"


def variant(change: Any) -> dict[str, Any]:
    request = copy.deepcopy(TABLE)
    change(request)
    return request


def drop_range(request: dict[str, Any]) -> None:
    request["KeySchema"] = request["KeySchema"][:1]
    request["AttributeDefinitions"] = [
        d for d in request["AttributeDefinitions"] if d["AttributeName"] != "placed"
    ]


INVALID_TABLES = {
    "undefined-key": lambda r: r["AttributeDefinitions"].pop(0),
    "unused-definition": lambda r: r["AttributeDefinitions"].append(
        {"AttributeName": "extra", "AttributeType": "S"}
    ),
    "duplicate-definition": lambda r: r["AttributeDefinitions"].append(
        {"AttributeName": "sku", "AttributeType": "S"}
    ),
    "bad-type": lambda r: r["AttributeDefinitions"][0].update(AttributeType="BOOL"),
    "range-first": lambda r: r.update(KeySchema=list(reversed(r["KeySchema"]))),
    "two-hash": lambda r: r["KeySchema"][1].update(KeyType="HASH"),
    "no-throughput": lambda r: r.pop("ProvisionedThroughput"),
    "throughput-on-demand": lambda r: r.update(BillingMode="PAY_PER_REQUEST"),
    "index-no-throughput": lambda r: r["GlobalSecondaryIndexes"][0].pop("ProvisionedThroughput"),
    "include-without-attributes": lambda r: r["GlobalSecondaryIndexes"][0]["Projection"].pop(
        "NonKeyAttributes"
    ),
    "all-with-attributes": lambda r: r["GlobalSecondaryIndexes"][0]["Projection"].update(
        ProjectionType="ALL"
    ),
    "lsi-without-table-range": drop_range,
    "lsi-other-hash": lambda r: r["LocalSecondaryIndexes"][0]["KeySchema"][0].update(
        AttributeName="sku"
    ),
    "lsi-without-range": lambda r: r["LocalSecondaryIndexes"][0].update(
        KeySchema=r["LocalSecondaryIndexes"][0]["KeySchema"][:1]
    ),
    "duplicate-index-name": lambda r: r["LocalSecondaryIndexes"][0].update(IndexName="by_sku"),
    "missing-key-schema": lambda r: r.pop("KeySchema"),
    "unknown-parameter": lambda r: r.update(Colour="blue"),
}


@pytest.mark.parametrize("change", INVALID_TABLES.values(), ids=INVALID_TABLES.keys())
def test_create_invalid_rejected(db: MemoryExecutor, change: Any) -> None:
    assert error_code(db, "CreateTable", variant(change)) == "ValidationException"


def test_describe_missing_not_found(db: MemoryExecutor) -> None:
    assert error_code(db, "DescribeTable", {"TableName": "nope"}) == "ResourceNotFoundException"


def test_delete_table(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    description = db.call("DeleteTable", {"TableName": "orders"})["TableDescription"]
    assert description["TableStatus"] == "DELETING"
    assert error_code(db, "DescribeTable", {"TableName": "orders"}) == "ResourceNotFoundException"


def test_delete_missing_not_found(db: MemoryExecutor) -> None:
    assert error_code(db, "DeleteTable", {"TableName": "nope"}) == "ResourceNotFoundException"


def test_list_tables_pages(db: MemoryExecutor) -> None:
    for name in ("c", "a", "b"):
        request = variant(lambda r, name=name: r.update(TableName=f"t_{name}"))
        db.call("CreateTable", request)
    first = body(db.call("ListTables", {"Limit": 2}))
    assert first == {"TableNames": ["t_a", "t_b"], "LastEvaluatedTableName": "t_b"}
    second = body(db.call("ListTables", {"Limit": 2, "ExclusiveStartTableName": "t_b"}))
    assert second == {"TableNames": ["t_c"]}


def test_list_tables_empty(db: MemoryExecutor) -> None:
    assert body(db.call("ListTables", {})) == {"TableNames": []}


def test_unknown_operation(db: MemoryExecutor) -> None:
    with pytest.raises(ClientError) as caught:
        db.call("RestoreTableFromBackup", {"TargetTableName": "x", "BackupArn": "arn"})
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "RestoreTableFromBackup" in caught.value.response["Error"]["Message"]


def test_not_an_operation(db: MemoryExecutor) -> None:
    assert error_code(db, "FlyToMoon", {}) == "UnknownOperationException"


def test_update_table_billing(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    request = {
        "TableName": "orders",
        "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
    }
    db.call("UpdateTable", request)
    table = db.call("DescribeTable", {"TableName": "orders"})["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert table["TableStatus"] == "ACTIVE"


def test_update_table_adds_and_drops_index(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    create = {
        "Create": {
            "IndexName": "by_note",
            "KeySchema": [{"AttributeName": "note", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        }
    }
    db.call(
        "UpdateTable",
        {
            "TableName": "orders",
            "AttributeDefinitions": [{"AttributeName": "note", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [create],
        },
    )
    names = [
        index["IndexName"]
        for index in db.call("DescribeTable", {"TableName": "orders"})["Table"][
            "GlobalSecondaryIndexes"
        ]
    ]
    assert names == ["by_sku", "by_note"]
    db.call(
        "UpdateTable",
        {
            "TableName": "orders",
            "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_sku"}}],
        },
    )
    table = db.call("DescribeTable", {"TableName": "orders"})["Table"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["by_note"]


def test_time_to_live(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    before = body(db.call("DescribeTimeToLive", {"TableName": "orders"}))
    assert before == {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    specification = {"Enabled": True, "AttributeName": "expires"}
    request = {"TableName": "orders", "TimeToLiveSpecification": specification}
    assert body(db.call("UpdateTimeToLive", request)) == {"TimeToLiveSpecification": specification}
    after = body(db.call("DescribeTimeToLive", {"TableName": "orders"}))
    assert after == {
        "TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    }


def test_time_to_live_enabled_twice_rejected(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    specification = {"Enabled": True, "AttributeName": "expires"}
    request = {"TableName": "orders", "TimeToLiveSpecification": specification}
    db.call("UpdateTimeToLive", request)
    assert error_code(db, "UpdateTimeToLive", request) == "ValidationException"


def test_continuous_backups(db: MemoryExecutor) -> None:
    db.call("CreateTable", TABLE)
    before = body(db.call("DescribeContinuousBackups", {"TableName": "orders"}))
    assert before == {
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
        }
    }
    request = {
        "TableName": "orders",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    after = db.call("UpdateContinuousBackups", request)["ContinuousBackupsDescription"]
    recovery = after["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    assert recovery["EarliestRestorableDateTime"] == CREATED
