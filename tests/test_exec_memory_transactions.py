"""MemoryExecutor batches and transactions: BatchGetItem, BatchWriteItem, TransactWriteItems and
TransactGetItems."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from bloopfp.executors.memory import MemoryExecutor


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def error_code(executor: MemoryExecutor, operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as caught:
        executor.call(operation, params)
    return str(caught.value.response["Error"]["Code"])


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(clock: Clock) -> MemoryExecutor:
    executor = MemoryExecutor(clock=clock)
    for name in ("accounts", "audit"):
        executor.call(
            "CreateTable",
            {
                "TableName": name,
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )
    return executor


def key(name: str) -> dict[str, Any]:
    return {"id": {"S": name}}


def account(name: str, balance: int) -> dict[str, Any]:
    return {**key(name), "balance": {"N": str(balance)}}


def put(db: MemoryExecutor, table: str, item: dict[str, Any]) -> None:
    db.call("PutItem", {"TableName": table, "Item": item})


def get(db: MemoryExecutor, table: str, name: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = db.call("GetItem", {"TableName": table, "Key": key(name)}).get(
        "Item"
    )
    return item


# BatchGetItem.


def test_batch_get_reads_tables(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 1))
    put(db, "audit", key("x"))
    request = {
        "RequestItems": {
            "accounts": {"Keys": [key("a"), key("missing")], "ProjectionExpression": "balance"},
            "audit": {"Keys": [key("x")], "ConsistentRead": True},
        }
    }
    assert body(db.call("BatchGetItem", request)) == {
        "Responses": {"accounts": [{"balance": {"N": "1"}}], "audit": [key("x")]},
        "UnprocessedKeys": {},
    }


def test_batch_get_duplicate_keys_rejected(db: MemoryExecutor) -> None:
    request = {"RequestItems": {"accounts": {"Keys": [key("a"), key("a")]}}}
    assert error_code(db, "BatchGetItem", request) == "ValidationException"


def test_batch_get_too_many_keys_rejected(db: MemoryExecutor) -> None:
    keys = [key(str(index)) for index in range(101)]
    request = {"RequestItems": {"accounts": {"Keys": keys}}}
    assert error_code(db, "BatchGetItem", request) == "ValidationException"


def test_batch_get_missing_table_not_found(db: MemoryExecutor) -> None:
    request = {"RequestItems": {"nope": {"Keys": [key("a")]}}}
    assert error_code(db, "BatchGetItem", request) == "ResourceNotFoundException"


def test_batch_get_attributes_to_get_rejected(db: MemoryExecutor) -> None:
    request = {"RequestItems": {"accounts": {"Keys": [key("a")], "AttributesToGet": ["id"]}}}
    assert error_code(db, "BatchGetItem", request) == "ValidationException"


# BatchWriteItem.


def test_batch_write_puts_and_deletes(db: MemoryExecutor) -> None:
    put(db, "accounts", account("old", 1))
    request = {
        "RequestItems": {
            "accounts": [
                {"PutRequest": {"Item": account("a", 5)}},
                {"DeleteRequest": {"Key": key("old")}},
            ]
        }
    }
    assert body(db.call("BatchWriteItem", request)) == {"UnprocessedItems": {}}
    assert get(db, "accounts", "a") == account("a", 5)
    assert get(db, "accounts", "old") is None


def test_batch_write_duplicate_keys_rejected(db: MemoryExecutor) -> None:
    request = {
        "RequestItems": {
            "accounts": [
                {"PutRequest": {"Item": account("a", 5)}},
                {"DeleteRequest": {"Key": key("a")}},
            ]
        }
    }
    assert error_code(db, "BatchWriteItem", request) == "ValidationException"
    assert get(db, "accounts", "a") is None


def test_batch_write_too_many_rejected(db: MemoryExecutor) -> None:
    entries = [{"PutRequest": {"Item": account(str(index), 1)}} for index in range(26)]
    request = {"RequestItems": {"accounts": entries}}
    assert error_code(db, "BatchWriteItem", request) == "ValidationException"


def test_batch_write_invalid_item_applies_nothing(db: MemoryExecutor) -> None:
    request = {
        "RequestItems": {
            "accounts": [
                {"PutRequest": {"Item": account("a", 5)}},
                {"PutRequest": {"Item": {"id": {"N": "1"}}}},
            ]
        }
    }
    assert error_code(db, "BatchWriteItem", request) == "ValidationException"
    assert get(db, "accounts", "a") is None


# TransactWriteItems.


def transfer(amount: int, **extra: Any) -> dict[str, Any]:
    values = {":amount": {"N": str(amount)}}
    return {
        "TransactItems": [
            {
                "Update": {
                    "TableName": "accounts",
                    "Key": key("a"),
                    "UpdateExpression": "SET balance = balance - :amount",
                    "ConditionExpression": "balance >= :amount",
                    "ExpressionAttributeValues": values,
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Update": {
                    "TableName": "accounts",
                    "Key": key("b"),
                    "UpdateExpression": "SET balance = balance + :amount",
                    "ExpressionAttributeValues": values,
                }
            },
            {"Put": {"TableName": "audit", "Item": {**key("t1"), "amount": values[":amount"]}}},
            {
                "ConditionCheck": {
                    "TableName": "audit",
                    "Key": key("lock"),
                    "ConditionExpression": "attribute_not_exists(id)",
                }
            },
        ],
        **extra,
    }


def test_transaction_applies_all(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 10))
    put(db, "accounts", account("b", 0))
    assert body(db.call("TransactWriteItems", transfer(4))) == {}
    assert get(db, "accounts", "a") == account("a", 6)
    assert get(db, "accounts", "b") == account("b", 4)
    assert get(db, "audit", "t1") == {**key("t1"), "amount": {"N": "4"}}
    assert get(db, "audit", "lock") is None


def test_transaction_cancel_reasons(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 1))
    put(db, "accounts", account("b", 0))
    put(db, "audit", key("lock"))
    with pytest.raises(ClientError) as caught:
        db.call("TransactWriteItems", transfer(4))
    response = caught.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert response["CancellationReasons"] == [
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": account("a", 1),
        },
        {"Code": "None"},
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]


def test_transaction_cancel_applies_nothing(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 1))
    put(db, "accounts", account("b", 0))
    with pytest.raises(ClientError):
        db.call("TransactWriteItems", transfer(4))
    assert get(db, "accounts", "a") == account("a", 1)
    assert get(db, "accounts", "b") == account("b", 0)
    assert get(db, "audit", "t1") is None


def test_transaction_same_item_twice_rejected(db: MemoryExecutor) -> None:
    request = {
        "TransactItems": [
            {"Put": {"TableName": "accounts", "Item": account("a", 1)}},
            {"Delete": {"TableName": "accounts", "Key": key("a")}},
        ]
    }
    assert error_code(db, "TransactWriteItems", request) == "ValidationException"


def test_transaction_too_many_items_rejected(db: MemoryExecutor) -> None:
    items = [{"Put": {"TableName": "accounts", "Item": account(str(i), 1)}} for i in range(101)]
    assert error_code(db, "TransactWriteItems", {"TransactItems": items}) == "ValidationException"


def test_transaction_unused_placeholder_rejected(db: MemoryExecutor) -> None:
    request = {
        "TransactItems": [
            {
                "Put": {
                    "TableName": "accounts",
                    "Item": account("a", 1),
                    "ExpressionAttributeValues": {":unused": {"N": "1"}},
                }
            }
        ]
    }
    assert error_code(db, "TransactWriteItems", request) == "ValidationException"


def test_transaction_token_is_idempotent(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 10))
    put(db, "accounts", account("b", 0))
    request = transfer(4, ClientRequestToken="token-1")
    db.call("TransactWriteItems", request)
    db.call("TransactWriteItems", request)
    assert get(db, "accounts", "a") == account("a", 6)


def test_transaction_token_mismatch_rejected(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 10))
    put(db, "accounts", account("b", 0))
    db.call("TransactWriteItems", transfer(4, ClientRequestToken="token-1"))
    code = error_code(db, "TransactWriteItems", transfer(5, ClientRequestToken="token-1"))
    assert code == "IdempotentParameterMismatchException"


def test_transaction_token_expires(db: MemoryExecutor, clock: Clock) -> None:
    put(db, "accounts", account("a", 10))
    put(db, "accounts", account("b", 0))
    request = transfer(4, ClientRequestToken="token-1")
    db.call("TransactWriteItems", request)
    clock.now += 601
    db.call("TransactWriteItems", request)
    assert get(db, "accounts", "a") == account("a", 2)


# TransactGetItems.


def test_transact_get(db: MemoryExecutor) -> None:
    put(db, "accounts", account("a", 3))
    request = {
        "TransactItems": [
            {"Get": {"TableName": "accounts", "Key": key("a"), "ProjectionExpression": "balance"}},
            {"Get": {"TableName": "accounts", "Key": key("missing")}},
            {"Get": {"TableName": "audit", "Key": key("a")}},
        ]
    }
    assert body(db.call("TransactGetItems", request)) == {
        "Responses": [{"Item": {"balance": {"N": "3"}}}, {}, {}]
    }


def test_transact_get_same_item_twice_rejected(db: MemoryExecutor) -> None:
    request = {
        "TransactItems": [
            {"Get": {"TableName": "accounts", "Key": key("a")}},
            {"Get": {"TableName": "accounts", "Key": key("a")}},
        ]
    }
    assert error_code(db, "TransactGetItems", request) == "ValidationException"
