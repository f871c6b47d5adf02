"""MemoryExecutor item operations: PutItem, GetItem, DeleteItem and UpdateItem."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from bloopfp.executors.memory import MemoryExecutor


def body(response: dict[str, Any]) -> dict[str, Any]:
    """Return a response without its ResponseMetadata."""
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def error_code(executor: MemoryExecutor, operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as caught:
        executor.call(operation, params)
    return str(caught.value.response["Error"]["Code"])


@pytest.fixture
def db() -> MemoryExecutor:
    executor = MemoryExecutor(clock=lambda: 1_700_000_000.0)
    executor.call(
        "CreateTable",
        {
            "TableName": "things",
            "KeySchema": [
                {"AttributeName": "id", "KeyType": "HASH"},
                {"AttributeName": "n", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "n", "AttributeType": "N"},
                {"AttributeName": "email", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by_email",
                    "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    return executor


KEY = {"id": {"S": "a"}, "n": {"N": "1"}}


def put(db: MemoryExecutor, **attributes: Any) -> None:
    db.call("PutItem", {"TableName": "things", "Item": {**KEY, **attributes}})


def get(db: MemoryExecutor) -> dict[str, Any] | None:
    item: dict[str, Any] | None = db.call("GetItem", {"TableName": "things", "Key": KEY}).get(
        "Item"
    )
    return item


def update(db: MemoryExecutor, expression: str, **params: Any) -> dict[str, Any]:
    request = {"TableName": "things", "Key": KEY, "UpdateExpression": expression, **params}
    return body(db.call("UpdateItem", request))


# PutItem and GetItem.


def test_put_then_get_round_trip(db: MemoryExecutor) -> None:
    put(db, text={"S": "héllo"}, blob={"B": b"\x00\x01"}, flag={"BOOL": True}, none={"NULL": True})
    assert get(db) == {
        **KEY,
        "text": {"S": "héllo"},
        "blob": {"B": b"\x00\x01"},
        "flag": {"BOOL": True},
        "none": {"NULL": True},
    }


def test_put_response_is_empty(db: MemoryExecutor) -> None:
    response = db.call("PutItem", {"TableName": "things", "Item": KEY})
    assert body(response) == {}


def test_response_metadata_shape(db: MemoryExecutor) -> None:
    metadata = db.call("PutItem", {"TableName": "things", "Item": KEY})["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert len(metadata["RequestId"]) == 32


def test_get_missing_item_is_empty(db: MemoryExecutor) -> None:
    assert body(db.call("GetItem", {"TableName": "things", "Key": KEY})) == {}


def test_numbers_are_normalized(db: MemoryExecutor) -> None:
    put(db, a={"N": "1.50"}, b={"N": "-0"}, c={"N": "1E2"}, d={"N": "0.0001000"})
    item = get(db)
    assert item is not None
    assert item["a"] == {"N": "1.5"}
    assert item["b"] == {"N": "0"}
    assert item["c"] == {"N": "100"}
    assert item["d"] == {"N": "0.0001"}


def test_key_number_normalized_for_lookup(db: MemoryExecutor) -> None:
    db.call("PutItem", {"TableName": "things", "Item": {"id": {"S": "a"}, "n": {"N": "1.0"}}})
    assert get(db) == KEY


def test_put_replaces_whole_item(db: MemoryExecutor) -> None:
    put(db, a={"S": "x"})
    put(db, b={"S": "y"})
    assert get(db) == {**KEY, "b": {"S": "y"}}


def test_put_return_values_all_old(db: MemoryExecutor) -> None:
    put(db, a={"S": "x"})
    request = {"TableName": "things", "Item": KEY, "ReturnValues": "ALL_OLD"}
    assert body(db.call("PutItem", request)) == {"Attributes": {**KEY, "a": {"S": "x"}}}


def test_put_return_values_all_new_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Item": KEY, "ReturnValues": "ALL_NEW"}
    assert error_code(db, "PutItem", request) == "ValidationException"


def test_put_unknown_return_values_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Item": KEY, "ReturnValues": "EVERYTHING"}
    assert error_code(db, "PutItem", request) == "ValidationException"


def test_store_does_not_alias_request(db: MemoryExecutor) -> None:
    item = {**KEY, "tags": {"L": [{"S": "x"}]}}
    db.call("PutItem", {"TableName": "things", "Item": item})
    item["tags"]["L"].append({"S": "y"})
    assert get(db) == {**KEY, "tags": {"L": [{"S": "x"}]}}


def test_response_does_not_alias_store(db: MemoryExecutor) -> None:
    put(db, tags={"L": [{"S": "x"}]})
    first = get(db)
    assert first is not None
    first["tags"]["L"].append({"S": "y"})
    assert get(db) == {**KEY, "tags": {"L": [{"S": "x"}]}}


def test_request_not_mutated(db: MemoryExecutor) -> None:
    item = {**KEY, "a": {"N": "1.50"}}
    db.call("PutItem", {"TableName": "things", "Item": item})
    assert item == {**KEY, "a": {"N": "1.50"}}


@pytest.mark.parametrize(
    "item",
    [
        {"id": {"S": "a"}},
        {"id": {"N": "1"}, "n": {"N": "1"}},
        {"id": {"S": ""}, "n": {"N": "1"}},
        {**KEY, "email": {"N": "3"}},
        {**KEY, "email": {"S": ""}},
        {**KEY, "tags": {"SS": []}},
        {**KEY, "tags": {"SS": ["x", "x"]}},
        {**KEY, "nums": {"NS": ["1", "1.0"]}},
        {**KEY, "a": {"N": "abc"}},
        {**KEY, "a": {"N": "1" * 39}},
        {**KEY, "a": {"N": "1E126"}},
        {**KEY, "a": {"N": "1E-131"}},
        {**KEY, "a": {"NULL": False}},
        {**KEY, "a": {}},
        {**KEY, "a": {"S": "x", "N": "1"}},
        {**KEY, "a": {"S": "x" * 409_600}},
    ],
    ids=[
        "missing-range-key",
        "wrong-key-type",
        "empty-key",
        "wrong-index-key-type",
        "empty-index-key",
        "empty-set",
        "duplicate-set-members",
        "duplicate-numbers",
        "not-a-number",
        "39-digits",
        "overflow",
        "underflow",
        "null-false",
        "no-type",
        "two-types",
        "too-large",
    ],
)
def test_put_invalid_item_rejected(db: MemoryExecutor, item: dict[str, Any]) -> None:
    request = {"TableName": "things", "Item": item}
    assert error_code(db, "PutItem", request) == "ValidationException"


def test_number_range_limits_accepted(db: MemoryExecutor) -> None:
    largest = "9.9999999999999999999999999999999999999E+125"
    put(db, big={"N": largest}, small={"N": "1E-130"}, digits={"N": "1" * 38})
    item = get(db)
    assert item is not None
    assert Decimal(item["big"]["N"]) == Decimal(largest)
    assert Decimal(item["small"]["N"]) == Decimal("1E-130")


def test_empty_string_outside_key_accepted(db: MemoryExecutor) -> None:
    put(db, note={"S": ""})
    assert get(db) == {**KEY, "note": {"S": ""}}


def test_item_just_under_size_limit_accepted(db: MemoryExecutor) -> None:
    # The key attributes take 2 + 1 + 1 + 2 bytes, and the name "a" one more byte.
    filler = "x" * (409_600 - 7)
    put(db, a={"S": filler})
    assert get(db) is not None


def test_missing_table_not_found(db: MemoryExecutor) -> None:
    request = {"TableName": "nothing", "Item": KEY}
    assert error_code(db, "PutItem", request) == "ResourceNotFoundException"


def test_unknown_parameter_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Item": KEY, "Bogus": 1}
    assert error_code(db, "PutItem", request) == "ValidationException"


@pytest.mark.parametrize(
    "parameter, value",
    [
        ("Expected", {"a": {"Exists": False}}),
        ("ConditionalOperator", "AND"),
    ],
)
def test_legacy_parameters_rejected(db: MemoryExecutor, parameter: str, value: Any) -> None:
    request = {"TableName": "things", "Item": KEY, parameter: value}
    with pytest.raises(ClientError) as caught:
        db.call("PutItem", request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert parameter in caught.value.response["Error"]["Message"]
    assert "MemoryExecutor" in caught.value.response["Error"]["Message"]


def test_get_key_with_extra_attribute_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Key": {**KEY, "x": {"S": "y"}}}
    assert error_code(db, "GetItem", request) == "ValidationException"


def test_get_with_projection(db: MemoryExecutor) -> None:
    put(db, a={"M": {"b": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]}, "c": {"S": "w"}}})
    request = {
        "TableName": "things",
        "Key": KEY,
        "ProjectionExpression": "#a.b[2], #a.b[0], id",
        "ExpressionAttributeNames": {"#a": "a"},
        "ConsistentRead": True,
    }
    assert body(db.call("GetItem", request)) == {
        "Item": {"id": {"S": "a"}, "a": {"M": {"b": {"L": [{"S": "x"}, {"S": "z"}]}}}}
    }


def test_get_projection_reserved_word_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Key": KEY, "ProjectionExpression": "name"}
    assert error_code(db, "GetItem", request) == "ValidationException"


def test_get_projection_overlap_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Key": KEY, "ProjectionExpression": "a, a.b"}
    assert error_code(db, "GetItem", request) == "ValidationException"


# Conditions on writes.


def test_condition_failure_code(db: MemoryExecutor) -> None:
    put(db)
    request = {
        "TableName": "things",
        "Item": KEY,
        "ConditionExpression": "attribute_not_exists(id)",
    }
    assert error_code(db, "PutItem", request) == "ConditionalCheckFailedException"


def test_condition_failure_returns_old_item(db: MemoryExecutor) -> None:
    put(db, a={"S": "x"})
    request = {
        "TableName": "things",
        "Item": KEY,
        "ConditionExpression": "attribute_not_exists(id)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    with pytest.raises(ClientError) as caught:
        db.call("PutItem", request)
    assert caught.value.response["Item"] == {**KEY, "a": {"S": "x"}}
    assert caught.value.response["Error"]["Message"] == "The conditional request failed"


def test_condition_failure_without_all_old_has_no_item(db: MemoryExecutor) -> None:
    put(db)
    request = {
        "TableName": "things",
        "Item": KEY,
        "ConditionExpression": "attribute_not_exists(id)",
    }
    with pytest.raises(ClientError) as caught:
        db.call("PutItem", request)
    assert "Item" not in caught.value.response


def test_condition_failure_leaves_item(db: MemoryExecutor) -> None:
    put(db, a={"S": "x"})
    request = {
        "TableName": "things",
        "Item": {**KEY, "a": {"S": "changed"}},
        "ConditionExpression": "a = :v",
        "ExpressionAttributeValues": {":v": {"S": "extra"}},
    }
    with pytest.raises(ClientError):
        db.call("PutItem", request)
    assert get(db) == {**KEY, "a": {"S": "x"}}


def test_condition_on_missing_item(db: MemoryExecutor) -> None:
    request = {
        "TableName": "things",
        "Item": KEY,
        "ConditionExpression": "attribute_not_exists(id)",
    }
    db.call("PutItem", request)
    assert get(db) == KEY


def test_unused_value_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "things",
        "Item": KEY,
        "ConditionExpression": "attribute_not_exists(id)",
        "ExpressionAttributeValues": {":v1": {"S": "x"}},
    }
    assert error_code(db, "PutItem", request) == "ValidationException"


def test_names_without_expression_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Item": KEY, "ExpressionAttributeNames": {"#a": "a"}}
    assert error_code(db, "PutItem", request) == "ValidationException"


# DeleteItem.


def test_delete_returns_old(db: MemoryExecutor) -> None:
    put(db, a={"S": "x"})
    request = {"TableName": "things", "Key": KEY, "ReturnValues": "ALL_OLD"}
    assert body(db.call("DeleteItem", request)) == {"Attributes": {**KEY, "a": {"S": "x"}}}
    assert get(db) is None


def test_delete_missing_item_succeeds(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Key": KEY, "ReturnValues": "ALL_OLD"}
    assert body(db.call("DeleteItem", request)) == {}


def test_delete_condition_fails(db: MemoryExecutor) -> None:
    request = {"TableName": "things", "Key": KEY, "ConditionExpression": "attribute_exists(id)"}
    assert error_code(db, "DeleteItem", request) == "ConditionalCheckFailedException"


# UpdateItem.


def test_update_creates_item(db: MemoryExecutor) -> None:
    response = update(
        db, "SET a = :v", ExpressionAttributeValues={":v": {"S": "x"}}, ReturnValues="ALL_NEW"
    )
    assert response == {"Attributes": {**KEY, "a": {"S": "x"}}}


def test_update_without_expression_creates_key_only_item(db: MemoryExecutor) -> None:
    db.call("UpdateItem", {"TableName": "things", "Key": KEY})
    assert get(db) == KEY


def test_update_arithmetic(db: MemoryExecutor) -> None:
    put(db, visits={"N": "10"})
    values = {":one": {"N": "1.5"}, ":zero": {"N": "0"}}
    update(
        db,
        "SET visits = visits - :one, amount = if_not_exists(amount, :zero) + :one",
        ExpressionAttributeValues=values,
    )
    assert get(db) == {**KEY, "visits": {"N": "8.5"}, "amount": {"N": "1.5"}}


def test_update_reserved_word_rejected(db: MemoryExecutor) -> None:
    put(db, count={"N": "10"})
    values = {":one": {"N": "1"}}
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET count = count + :one",
        "ExpressionAttributeValues": values,
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


def test_update_arithmetic_on_missing_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET amount = amount + :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


def test_update_arithmetic_on_string_rejected(db: MemoryExecutor) -> None:
    put(db, amount={"S": "x"})
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET amount = amount + :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


def test_update_list_append_and_index_past_end(db: MemoryExecutor) -> None:
    put(db, entries={"L": [{"N": "1"}]}, extra={"L": [{"N": "5"}]})
    values = {":more": {"L": [{"N": "2"}]}, ":v": {"N": "9"}}
    update(
        db,
        "SET entries = list_append(entries, :more), extra[7] = :v",
        ExpressionAttributeValues=values,
    )
    assert get(db) == {
        **KEY,
        "entries": {"L": [{"N": "1"}, {"N": "2"}]},
        "extra": {"L": [{"N": "5"}, {"N": "9"}]},
    }


def test_update_nested_map(db: MemoryExecutor) -> None:
    put(db, m={"M": {"a": {"N": "1"}}})
    update(db, "SET m.b = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    assert get(db) == {**KEY, "m": {"M": {"a": {"N": "1"}, "b": {"S": "x"}}}}


def test_update_missing_intermediate_map_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET m.b = :v",
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


def test_update_remove(db: MemoryExecutor) -> None:
    put(db, a={"S": "x"}, l={"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]})
    update(db, "REMOVE a, absent, l[1], l[3], l[9]")
    assert get(db) == {**KEY, "l": {"L": [{"N": "0"}, {"N": "2"}]}}


def test_update_add_number_and_set(db: MemoryExecutor) -> None:
    put(db, tags={"SS": ["a"]})
    values = {":n": {"N": "5"}, ":t": {"SS": ["a", "b"]}}
    update(db, "ADD hits :n, tags :t", ExpressionAttributeValues=values)
    item = get(db)
    assert item is not None
    assert item["hits"] == {"N": "5"}
    assert sorted(item["tags"]["SS"]) == ["a", "b"]


def test_update_add_string_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "ADD a :v",
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


def test_update_add_to_wrong_type_rejected(db: MemoryExecutor) -> None:
    put(db, a={"SS": ["x"]})
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "ADD a :v",
        "ExpressionAttributeValues": {":v": {"N": "1"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


def test_update_delete_last_member_removes_attribute(db: MemoryExecutor) -> None:
    put(db, tags={"NS": ["1", "2"]})
    update(db, "DELETE tags :v", ExpressionAttributeValues={":v": {"NS": ["1", "2.0"]}})
    assert get(db) == KEY


def test_update_delete_some_members(db: MemoryExecutor) -> None:
    put(db, tags={"SS": ["a", "b", "c"]})
    update(db, "DELETE tags :v", ExpressionAttributeValues={":v": {"SS": ["b"]}})
    assert get(db) == {**KEY, "tags": {"SS": ["a", "c"]}}


def test_update_key_attribute_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET id = :v",
        "ExpressionAttributeValues": {":v": {"S": "b"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


@pytest.mark.parametrize(
    "expression",
    [
        "SET a = :v, a.b = :v",
        "SET a = :v REMOVE a",
        "SET a = :v SET b = :v",
        "SET a = :v, b",
        "SET a :v",
        "",
        "REMOVE",
        "SET #undefined = :v",
        "SET a = :undefined",
    ],
)
def test_update_invalid_expression_rejected(db: MemoryExecutor, expression: str) -> None:
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": expression,
        "ExpressionAttributeValues": {":v": {"S": "x"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


@pytest.mark.parametrize(
    "return_values, expected",
    [
        ("NONE", {}),
        ("ALL_OLD", {"Attributes": {**KEY, "a": {"N": "1"}, "b": {"S": "keep"}}}),
        ("UPDATED_OLD", {"Attributes": {"a": {"N": "1"}}}),
        ("ALL_NEW", {"Attributes": {**KEY, "a": {"N": "2"}, "b": {"S": "keep"}, "c": {"N": "1"}}}),
        ("UPDATED_NEW", {"Attributes": {"a": {"N": "2"}, "c": {"N": "1"}}}),
    ],
)
def test_update_return_values(
    db: MemoryExecutor, return_values: str, expected: dict[str, Any]
) -> None:
    put(db, a={"N": "1"}, b={"S": "keep"})
    response = update(
        db,
        "SET a = a + :one, c = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues=return_values,
    )
    assert response == expected


def test_update_condition_failure_keeps_item(db: MemoryExecutor) -> None:
    put(db, a={"N": "1"})
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET a = :two",
        "ConditionExpression": "a > :two",
        "ExpressionAttributeValues": {":two": {"N": "2"}},
    }
    assert error_code(db, "UpdateItem", request) == "ConditionalCheckFailedException"
    assert get(db) == {**KEY, "a": {"N": "1"}}


def test_update_number_overflow_rejected(db: MemoryExecutor) -> None:
    put(db, a={"N": "9.9999999999999999999999999999999999999E+125"})
    request = {
        "TableName": "things",
        "Key": KEY,
        "UpdateExpression": "SET a = a + :v",
        "ExpressionAttributeValues": {":v": {"N": "9E+125"}},
    }
    assert error_code(db, "UpdateItem", request) == "ValidationException"


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20
    )
)
def test_number_round_trip_keeps_value(number: Decimal) -> None:
    executor = MemoryExecutor()
    executor.call(
        "CreateTable",
        {
            "TableName": "t",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    item = {"id": {"S": "x"}, "v": {"N": str(number)}}
    executor.call("PutItem", {"TableName": "t", "Item": item})
    stored = executor.call("GetItem", {"TableName": "t", "Key": {"id": {"S": "x"}}})["Item"]
    assert Decimal(stored["v"]["N"]) == number
    assert "E" not in stored["v"]["N"]
