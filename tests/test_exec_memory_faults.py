"""MemoryExecutor fault injection: throttling, internal errors and partly processed batches."""

from __future__ import annotations

import copy
from typing import Any

import attrs
import pytest
from botocore.exceptions import ClientError

from bloopfp.executors.memory import Faults, MemoryExecutor

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/things"

TABLE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [
        {"AttributeName": "id", "AttributeType": "S"},
        {"AttributeName": "colour", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by_colour",
            "KeySchema": [{"AttributeName": "colour", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def executor(**faults: Any) -> MemoryExecutor:
    db = MemoryExecutor(clock=lambda: 1_700_000_000.0, faults=Faults(**faults))
    db.call("CreateTable", TABLE)
    db.call("CreateTable", {**TABLE, "TableName": "others"})
    return db


def thing(name: str, colour: str = "red") -> dict[str, Any]:
    return {"id": {"S": name}, "colour": {"S": colour}, "weight": {"N": "1"}}


def key(name: str) -> dict[str, Any]:
    return {"id": {"S": name}}


def stored(db: MemoryExecutor, table: str = "things") -> dict[str, Any]:
    items = db.call("Scan", {"TableName": table})["Items"]
    return {item["id"]["S"]: item for item in items}


def outcome(db: MemoryExecutor, operation: str, params: dict[str, Any]) -> str:
    """Return the error code of a call, or a summary of what it left unprocessed."""
    try:
        response = db.call(operation, params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    unprocessed = response.get("UnprocessedItems") or response.get("UnprocessedKeys") or {}
    return f"ok {sorted(unprocessed)} {unprocessed!r}"


def batch_write(names: list[str], table: str = "things") -> dict[str, Any]:
    requests = [{"PutRequest": {"Item": thing(name)}} for name in names]
    return {"RequestItems": {table: requests}}


# Faults, the value.


def test_faults_default_is_harmless() -> None:
    faults = Faults()

    assert faults.throttle == 0.0
    assert faults.internal_error == 0.0
    assert faults.partial_batch == 0.0
    assert "PutItem" in faults.operations


def test_faults_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Faults().throttle = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")])
def test_faults_rate_out_of_range_rejected(rate: float) -> None:
    with pytest.raises(ValueError, match=r"Faults\.throttle must be between 0 and 1"):
        Faults(throttle=rate)


@pytest.mark.parametrize("rate", ["0.5", True, None])
def test_faults_rate_type_rejected(rate: Any) -> None:
    with pytest.raises(TypeError, match=r"Faults\.partial_batch must be a float"):
        Faults(partial_batch=rate)


def test_faults_unknown_operation_rejected() -> None:
    with pytest.raises(ValueError, match="CreateTable"):
        Faults(operations=frozenset({"PutItem", "CreateTable"}))


def test_faults_replaced_with_new_generator() -> None:
    db = executor(seed=1, throttle=0.5)
    request = {"TableName": "things", "Key": key("a")}
    first = [outcome(db, "GetItem", request) for _ in range(20)]

    db.faults = Faults(seed=1, throttle=0.5)
    again = [outcome(db, "GetItem", request) for _ in range(20)]

    assert db.faults == Faults(seed=1, throttle=0.5)
    assert again == first


def test_faults_operations_converted() -> None:
    faults = Faults(operations=["PutItem"])  # type: ignore[arg-type]

    assert faults.operations == frozenset({"PutItem"})


# Determinism.


def fault_sequence(seed: int) -> list[str]:
    db = executor(seed=seed, throttle=0.3, internal_error=0.1, partial_batch=0.5)
    outcomes = []
    for number in range(40):
        outcomes.append(
            outcome(db, "PutItem", {"TableName": "things", "Item": thing(f"p{number}")})
        )
        names = [f"b{number}-{position}" for position in range(5)]
        outcomes.append(outcome(db, "BatchWriteItem", batch_write(names)))
    return outcomes


def test_same_seed_same_faults() -> None:
    first = fault_sequence(seed=11)
    second = fault_sequence(seed=11)

    assert first == second
    assert "ProvisionedThroughputExceededException" in first
    assert "InternalServerError" in first
    assert any(entry.startswith("ok ['things']") for entry in first)


def test_different_seed_different_faults() -> None:
    assert fault_sequence(seed=11) != fault_sequence(seed=12)


def test_same_seed_same_final_state() -> None:
    states = []
    for _ in range(2):
        db = executor(seed=3, throttle=0.5, partial_batch=0.5, operations=WRITES)
        for number in range(10):
            names = [f"i{number}-{position}" for position in range(4)]
            outcome(db, "BatchWriteItem", batch_write(names))
        states.append(sorted(stored(db)))

    assert states[0] == states[1]
    assert 0 < len(states[0]) < 40


def test_throttle_rate_roughly_respected() -> None:
    db = executor(seed=5, throttle=0.3)
    request = {"TableName": "things", "Key": key("x")}
    codes = [outcome(db, "GetItem", request) for _ in range(1000)]

    throttled = codes.count("ProvisionedThroughputExceededException")
    assert 240 <= throttled <= 360


def test_zero_rates_never_fail() -> None:
    db = executor(seed=5)
    for number in range(50):
        db.call("PutItem", {"TableName": "things", "Item": thing(f"n{number}")})
        response = db.call("BatchWriteItem", batch_write([f"m{number}", f"k{number}"]))
        assert response["UnprocessedItems"] == {}

    assert len(stored(db)) == 150


# Throttling and internal errors change nothing.


WRITE_IDS = ["put", "update", "delete", "batch-write", "transact-write"]


def single_writes() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("PutItem", {"TableName": "things", "Item": thing("new")}),
        (
            "UpdateItem",
            {
                "TableName": "things",
                "Key": key("old"),
                "UpdateExpression": "SET weight = :w",
                "ExpressionAttributeValues": {":w": {"N": "9"}},
            },
        ),
        ("DeleteItem", {"TableName": "things", "Key": key("old")}),
        ("BatchWriteItem", batch_write(["new", "newer"])),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "things", "Item": thing("new")}},
                    {"Delete": {"TableName": "others", "Key": key("old")}},
                ]
            },
        ),
    ]


@pytest.mark.parametrize(("operation", "params"), single_writes(), ids=WRITE_IDS)
def test_throttled_write_applies_nothing(operation: str, params: dict[str, Any]) -> None:
    db = executor()
    db.call("PutItem", {"TableName": "things", "Item": thing("old")})
    db.call("PutItem", {"TableName": "others", "Item": thing("old")})
    db.faults = Faults(seed=1, throttle=1.0, operations=WRITES)
    before = (stored(db), stored(db, "others"))

    with pytest.raises(ClientError) as caught:
        db.call(operation, params)

    error = caught.value.response
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "provisioned throughput" in error["Error"]["Message"]
    assert error["ThrottlingReasons"][0] == {
        "reason": "TableWriteKeyRangeThroughputExceeded",
        "resource": ARN,
    }
    assert (stored(db), stored(db, "others")) == before


def test_throttled_read_reason() -> None:
    db = MemoryExecutor(faults=Faults(throttle=1.0))
    db.call(
        "CreateTable",
        {
            **{name: value for name, value in TABLE.items() if name != "BillingMode"},
            "GlobalSecondaryIndexes": [],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        },
    )

    with pytest.raises(ClientError) as caught:
        db.call("GetItem", {"TableName": "things", "Key": key("x")})

    reasons = caught.value.response["ThrottlingReasons"]
    assert reasons == [{"reason": "TableReadProvisionedThroughputExceeded", "resource": ARN}]


def test_throttled_transaction_names_every_table() -> None:
    db = executor(throttle=1.0)
    request = {
        "TransactItems": [
            {"Get": {"TableName": "things", "Key": key("a")}},
            {"Get": {"TableName": "others", "Key": key("a")}},
        ]
    }

    with pytest.raises(ClientError) as caught:
        db.call("TransactGetItems", request)

    resources = [reason["resource"] for reason in caught.value.response["ThrottlingReasons"]]
    assert resources == [ARN, ARN.replace("things", "others")]


@pytest.mark.parametrize(("operation", "params"), single_writes(), ids=WRITE_IDS)
def test_internal_error_applies_nothing(operation: str, params: dict[str, Any]) -> None:
    db = executor()
    db.call("PutItem", {"TableName": "things", "Item": thing("old")})
    db.call("PutItem", {"TableName": "others", "Item": thing("old")})
    db.faults = Faults(internal_error=1.0, operations=WRITES)
    before = (stored(db), stored(db, "others"))

    with pytest.raises(ClientError) as caught:
        db.call(operation, params)

    error = caught.value.response
    assert error["Error"] == {"Code": "InternalServerError", "Message": "Internal server error"}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert (stored(db), stored(db, "others")) == before


def test_faults_skip_table_operations() -> None:
    db = executor(throttle=1.0, internal_error=1.0)

    tables = db.call("ListTables", {})["TableNames"]

    assert tables == ["others", "things"]


def test_faults_skip_unlisted_operations() -> None:
    db = executor(throttle=1.0, operations=frozenset({"Scan"}))

    db.call("PutItem", {"TableName": "things", "Item": thing("a")})

    with pytest.raises(ClientError):
        db.call("Scan", {"TableName": "things"})


def test_invalid_request_validated_before_faults() -> None:
    db = executor(throttle=1.0)

    with pytest.raises(ClientError) as caught:
        db.call("PutItem", {"TableName": "things"})

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_missing_table_not_throttled() -> None:
    db = executor(throttle=1.0)

    with pytest.raises(ClientError) as caught:
        db.call("GetItem", {"TableName": "missing", "Key": key("a")})

    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


# Partly processed batches.


def test_partial_batch_write_splits_requests_exactly() -> None:
    db = executor(seed=2, partial_batch=1.0)
    request = {
        "RequestItems": {
            "things": [{"PutRequest": {"Item": thing(f"t{n}")}} for n in range(12)],
            "others": [{"PutRequest": {"Item": thing(f"o{n}")}} for n in range(8)],
        }
    }
    sent = copy.deepcopy(request)

    response = db.call("BatchWriteItem", request)

    unprocessed = response["UnprocessedItems"]
    applied = {("things", name) for name in stored(db)} | {
        ("others", name) for name in stored(db, "others")
    }
    deferred = {
        (table, entry["PutRequest"]["Item"]["id"]["S"])
        for table, entries in unprocessed.items()
        for entry in entries
    }
    requested = {
        (table, entry["PutRequest"]["Item"]["id"]["S"])
        for table, entries in sent["RequestItems"].items()
        for entry in entries
    }
    assert applied
    assert deferred
    assert applied.isdisjoint(deferred)
    assert applied | deferred == requested
    assert request == sent


def test_unprocessed_items_keep_request_shape() -> None:
    db = executor(seed=4, partial_batch=1.0)
    entries = [{"PutRequest": {"Item": thing(f"t{n}")}} for n in range(5)]
    entries += [{"DeleteRequest": {"Key": key(f"d{n}")}} for n in range(5)]

    response = db.call("BatchWriteItem", {"RequestItems": {"things": entries}})

    for entry in response["UnprocessedItems"]["things"]:
        assert entry in entries
    positions = [entries.index(entry) for entry in response["UnprocessedItems"]["things"]]
    assert positions == sorted(positions)


def test_unprocessed_items_resent_until_done() -> None:
    db = executor(seed=9, partial_batch=0.8)
    request: dict[str, Any] = batch_write([f"t{n}" for n in range(25)])
    rounds = 0
    while request["RequestItems"]:
        response = db.call("BatchWriteItem", request)
        request = {"RequestItems": response["UnprocessedItems"]}
        rounds += 1

    assert rounds > 1
    assert sorted(stored(db)) == sorted(f"t{n}" for n in range(25))


def test_partial_batch_write_updates_index() -> None:
    db = executor(seed=2, partial_batch=1.0)

    response = db.call("BatchWriteItem", batch_write([f"t{n}" for n in range(6)]))

    deferred = len(response["UnprocessedItems"]["things"])
    query = {
        "TableName": "things",
        "IndexName": "by_colour",
        "KeyConditionExpression": "colour = :c",
        "ExpressionAttributeValues": {":c": {"S": "red"}},
        "Select": "COUNT",
    }
    assert db.call("Query", query)["Count"] == 6 - deferred


def test_single_request_batch_never_partial() -> None:
    db = executor(seed=2, partial_batch=1.0)

    response = db.call("BatchWriteItem", batch_write(["only"]))

    assert response["UnprocessedItems"] == {}
    assert list(stored(db)) == ["only"]


def test_partial_batch_get_splits_keys_exactly() -> None:
    db = executor(seed=6, partial_batch=1.0)
    for number in range(10):
        db.call("PutItem", {"TableName": "things", "Item": thing(f"t{number}")})
        db.call("PutItem", {"TableName": "others", "Item": thing(f"o{number}")})
    request = {
        "RequestItems": {
            "things": {
                "Keys": [key(f"t{n}") for n in range(10)] + [key("absent")],
                "ProjectionExpression": "#id, weight",
                "ExpressionAttributeNames": {"#id": "id"},
                "ConsistentRead": True,
            },
            "others": {"Keys": [key(f"o{n}") for n in range(10)]},
        }
    }
    sent = copy.deepcopy(request)

    response = db.call("BatchGetItem", request)

    returned = {
        (table, item["id"]["S"]) for table, items in response["Responses"].items() for item in items
    }
    deferred = {
        (table, entry["id"]["S"])
        for table, unprocessed in response["UnprocessedKeys"].items()
        for entry in unprocessed["Keys"]
    }
    requested = {
        (table, entry["id"]["S"])
        for table, entries in sent["RequestItems"].items()
        for entry in entries["Keys"]
    }
    assert deferred
    assert returned.isdisjoint(deferred)
    assert returned | deferred | {("things", "absent")} == requested
    assert request == sent


def test_unprocessed_keys_keep_request_shape() -> None:
    db = executor(seed=6, partial_batch=1.0)
    entry = {
        "Keys": [key(f"t{n}") for n in range(10)],
        "ProjectionExpression": "#id, weight",
        "ExpressionAttributeNames": {"#id": "id"},
        "ConsistentRead": True,
    }

    response = db.call("BatchGetItem", {"RequestItems": {"things": entry}})

    unprocessed = response["UnprocessedKeys"]["things"]
    assert {name: value for name, value in unprocessed.items() if name != "Keys"} == {
        "ProjectionExpression": "#id, weight",
        "ExpressionAttributeNames": {"#id": "id"},
        "ConsistentRead": True,
    }
    assert all(found in entry["Keys"] for found in unprocessed["Keys"])
    assert 0 < len(unprocessed["Keys"]) < 10


def test_unprocessed_keys_resent_until_done() -> None:
    db = executor(seed=8, partial_batch=0.8)
    for number in range(30):
        db.call("PutItem", {"TableName": "things", "Item": thing(f"t{number}")})
    request: dict[str, Any] = {
        "RequestItems": {"things": {"Keys": [key(f"t{n}") for n in range(30)]}}
    }
    found: list[str] = []
    rounds = 0
    while request["RequestItems"]:
        response = db.call("BatchGetItem", request)
        found += [item["id"]["S"] for item in response["Responses"]["things"]]
        request = {"RequestItems": response["UnprocessedKeys"]}
        rounds += 1

    assert rounds > 1
    assert sorted(found) == sorted(f"t{n}" for n in range(30))
