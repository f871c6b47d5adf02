"""MemoryExecutor limits on stored items and the size() rule it shares with bloopfp.oracle.

- Nesting depth: a value may be up to 32 levels deep, counting the scalar inside the maps, in
  every write that stores an item.
- Attribute names: the empty string is rejected as an attribute name and as a map key.
- size() of a string counts UTF-16 code units in both the executor and the oracle.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

import bloopfp
from bloopfp import oracle
from bloopfp.conditions import eq, size
from bloopfp.executors.memory import MemoryExecutor

KEY = {"pk": {"S": "a"}}


@pytest.fixture
def db() -> MemoryExecutor:
    executor = MemoryExecutor()
    executor.call(
        "CreateTable",
        {
            "TableName": "docs",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    return executor


def rejection(executor: MemoryExecutor, operation: str, params: dict[str, Any]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        executor.call(operation, params)
    return caught.value


def nested_maps(levels: int) -> dict[str, Any]:
    """Return a string inside `levels` nested maps: `levels + 1` levels deep."""
    value: dict[str, Any] = {"S": "leaf"}
    for _ in range(levels):
        value = {"M": {"d": value}}
    return value


def nested_lists(levels: int) -> dict[str, Any]:
    """Return a number inside `levels` nested lists: `levels + 1` levels deep."""
    value: dict[str, Any] = {"N": "1"}
    for _ in range(levels):
        value = {"L": [value]}
    return value


def stored_item(executor: MemoryExecutor) -> dict[str, Any] | None:
    response = executor.call("GetItem", {"TableName": "docs", "Key": KEY})
    item: dict[str, Any] | None = response.get("Item")
    return item


# Nesting depth.


@pytest.mark.parametrize("nested", [nested_maps, nested_lists])
def test_put_accepts_32_levels(db: MemoryExecutor, nested: Any) -> None:
    item = {**KEY, "deep": nested(31)}

    db.call("PutItem", {"TableName": "docs", "Item": item})

    assert stored_item(db) == item


@pytest.mark.parametrize("nested", [nested_maps, nested_lists])
def test_put_rejects_33_levels(db: MemoryExecutor, nested: Any) -> None:
    error = rejection(db, "PutItem", {"TableName": "docs", "Item": {**KEY, "deep": nested(32)}})

    assert error.response["Error"]["Code"] == "ValidationException"
    assert "Nesting Levels have exceeded supported limits" in error.response["Error"]["Message"]
    assert stored_item(db) is None


def test_put_counts_deepest_branch(db: MemoryExecutor) -> None:
    shallow_and_deep = {"M": {"shallow": {"S": "x"}, "deep": nested_lists(31)}}

    error = rejection(
        db, "PutItem", {"TableName": "docs", "Item": {**KEY, "mixed": shallow_and_deep}}
    )

    assert error.response["Error"]["Code"] == "ValidationException"


def test_update_rejects_result_over_32_levels(db: MemoryExecutor) -> None:
    db.call("PutItem", {"TableName": "docs", "Item": {**KEY, "deep": nested_maps(31)}})
    # The value is 32 levels deep on its own and becomes 33 levels deep inside the map "wrap".
    update = {
        "TableName": "docs",
        "Key": KEY,
        "UpdateExpression": "SET #wrap = :value",
        "ExpressionAttributeNames": {"#wrap": "wrap"},
        "ExpressionAttributeValues": {":value": {"M": {"inner": nested_maps(31)}}},
    }

    error = rejection(db, "UpdateItem", update)

    assert error.response["Error"]["Code"] == "ValidationException"
    assert "wrap" not in (stored_item(db) or {})


def test_update_accepts_result_of_32_levels(db: MemoryExecutor) -> None:
    update = {
        "TableName": "docs",
        "Key": KEY,
        "UpdateExpression": "SET #wrap = :value",
        "ExpressionAttributeNames": {"#wrap": "wrap"},
        "ExpressionAttributeValues": {":value": {"M": {"inner": nested_maps(30)}}},
    }

    db.call("UpdateItem", update)

    assert stored_item(db) == {**KEY, "wrap": {"M": {"inner": nested_maps(30)}}}


def test_update_rejects_path_deepening_document(db: MemoryExecutor) -> None:
    db.call("PutItem", {"TableName": "docs", "Item": {**KEY, "deep": nested_maps(31)}})
    # "deep" contains a string 31 maps down, and setting a map in its place adds a level.
    path = ".".join(["#deep"] + ["#d"] * 31)
    update = {
        "TableName": "docs",
        "Key": KEY,
        "UpdateExpression": f"SET {path} = :value",
        "ExpressionAttributeNames": {"#deep": "deep", "#d": "d"},
        "ExpressionAttributeValues": {":value": {"M": {"x": {"S": "y"}}}},
    }

    error = rejection(db, "UpdateItem", update)

    assert error.response["Error"]["Code"] == "ValidationException"
    assert stored_item(db) == {**KEY, "deep": nested_maps(31)}


def test_batch_write_rejects_33_levels(db: MemoryExecutor) -> None:
    deep_put = {"PutRequest": {"Item": {"pk": {"S": "b"}, "deep": nested_maps(32)}}}
    fine_put = {"PutRequest": {"Item": {"pk": {"S": "c"}}}}

    error = rejection(db, "BatchWriteItem", {"RequestItems": {"docs": [fine_put, deep_put]}})

    assert error.response["Error"]["Code"] == "ValidationException"
    assert db.call("Scan", {"TableName": "docs"})["Count"] == 0


def test_transaction_put_rejects_33_levels(db: MemoryExecutor) -> None:
    deep_put = {"Put": {"TableName": "docs", "Item": {**KEY, "deep": nested_maps(32)}}}

    error = rejection(db, "TransactWriteItems", {"TransactItems": [deep_put]})

    assert error.response["Error"]["Code"] == "ValidationException"
    assert stored_item(db) is None


def test_transaction_update_over_32_levels_cancels(db: MemoryExecutor) -> None:
    fine_put = {"Put": {"TableName": "docs", "Item": {"pk": {"S": "b"}}}}
    deep_update = {
        "Update": {
            "TableName": "docs",
            "Key": KEY,
            "UpdateExpression": "SET #wrap = :value",
            "ExpressionAttributeNames": {"#wrap": "wrap"},
            "ExpressionAttributeValues": {":value": {"M": {"inner": nested_maps(31)}}},
        }
    }

    error = rejection(db, "TransactWriteItems", {"TransactItems": [fine_put, deep_update]})

    assert error.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = error.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ValidationError"]
    assert "Nesting Levels have exceeded supported limits" in reasons[1]["Message"]
    assert db.call("Scan", {"TableName": "docs"})["Count"] == 0


# Attribute names.


def test_put_rejects_empty_attribute_name(db: MemoryExecutor) -> None:
    error = rejection(db, "PutItem", {"TableName": "docs", "Item": {**KEY, "": {"S": "x"}}})

    assert error.response["Error"]["Code"] == "ValidationException"
    assert stored_item(db) is None


@pytest.mark.parametrize(
    "value",
    [
        {"M": {"": {"S": "x"}}},
        {"M": {"outer": {"M": {"": {"N": "1"}}}}},
        {"L": [{"S": "x"}, {"M": {"": {"BOOL": True}}}]},
    ],
    ids=["map", "nested-map", "map-in-list"],
)
def test_put_rejects_empty_map_key(db: MemoryExecutor, value: dict[str, Any]) -> None:
    error = rejection(db, "PutItem", {"TableName": "docs", "Item": {**KEY, "doc": value}})

    assert error.response["Error"]["Code"] == "ValidationException"
    assert stored_item(db) is None


def test_update_rejects_empty_attribute_name(db: MemoryExecutor) -> None:
    update = {
        "TableName": "docs",
        "Key": KEY,
        "UpdateExpression": "SET #empty = :value",
        "ExpressionAttributeNames": {"#empty": ""},
        "ExpressionAttributeValues": {":value": {"S": "x"}},
    }

    error = rejection(db, "UpdateItem", update)

    assert error.response["Error"]["Code"] == "ValidationException"
    assert stored_item(db) is None


def test_put_accepts_one_character_names(db: MemoryExecutor) -> None:
    item = {**KEY, "x": {"M": {"y": {"S": "z"}}}}

    db.call("PutItem", {"TableName": "docs", "Item": item})

    assert stored_item(db) == item


# size() of strings: UTF-16 code units, the same in the executor and the oracle. Every case
# but "plain" has a UTF-8 byte count and a code point count that differ from the expected size.

STRING_SIZES = {
    "plain": ("abc", 3),
    "accented": ("\u00e9", 1),
    "cjk": ("\u6f22\u5b57", 2),
    "emoji": ("\U0001f600", 2),
    "flag": ("\U0001f1ef\U0001f1f5", 4),
    "accent-and-clef": ("\u00e9\U0001d11e", 3),
}


def executor_size_equals(executor: MemoryExecutor, count: int) -> bool:
    """Return whether the executor finds `size(a) = count` true for the stored item."""
    update = {
        "TableName": "docs",
        "Key": KEY,
        "UpdateExpression": "SET #touched = :count",
        "ConditionExpression": "size(#a) = :count",
        "ExpressionAttributeNames": {"#a": "a", "#touched": "touched"},
        "ExpressionAttributeValues": {":count": {"N": str(count)}},
    }
    try:
        executor.call("UpdateItem", update)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return False
    return True


@pytest.mark.parametrize(("text", "expected"), STRING_SIZES.values(), ids=STRING_SIZES.keys())
def test_string_size_executor_and_oracle_agree(
    db: MemoryExecutor, text: str, expected: int
) -> None:
    item = {**KEY, "a": {"S": text}}
    db.call("PutItem", {"TableName": "docs", "Item": item})

    for count in (expected - 1, expected, expected + 1):
        condition = eq(size(bloopfp.path("a")), count)
        assert executor_size_equals(db, count) == (count == expected), count
        assert oracle.evaluate(condition, item) == (count == expected), count
