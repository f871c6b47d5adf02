"""Compiled requests: the exact params of every operation, checked against botocore's model."""

from __future__ import annotations

import decimal
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from bloopfp import (
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    begins_with,
    column,
    compile,
    diff,
    gt,
    model,
    path,
    types,
)
from bloopfp.compiler import Request
from bloopfp.errors import InvalidCondition, InvalidRequest
from bloopfp.operations import (
    CreateTable,
    DeleteItem,
    DeleteTable,
    DescribeTable,
    GetItem,
    PutItem,
    UpdateItem,
    UpdateTimeToLive,
    key,
    key_of_record,
    projection_paths,
    query,
    scan,
)

SERVICE_MODEL = botocore.session.get_session().get_service_model("dynamodb")


@model(
    table_name="orders",
    billing="provisioned",
    read_units=5,
    write_units=3,
    stream="new_and_old",
    encryption="alias/orders",
    ttl="expires",
)
class Order:
    customer: str = column(types.String, hash_key=True)
    placed: int = column(types.Integer, range_key=True)
    status: str | None = column(types.String)
    total: decimal.Decimal | None = column(types.Number)
    label: str | None = column(types.String, dynamo_name="a.b#c :d")
    tags: frozenset[str] | None = column(types.Set(types.String()))
    expires: int | None = column(types.Integer)
    by_status = GlobalSecondaryIndex(
        hash_key="status", range_key="placed", projection="all", read_units=2, write_units=1
    )
    by_total = LocalSecondaryIndex(range_key="total", projection="keys")
    by_label = GlobalSecondaryIndex(
        hash_key="label", projection=["total", "customer"], read_units=1, write_units=1
    )


@model(table_name="people")
class Person:
    id: str = column(types.String, hash_key=True)
    name: str | None = column(types.String)


def validation_errors(request: Request) -> str:
    """Return botocore's report of invalid params, or "" when the request is valid."""
    shape = SERVICE_MODEL.operation_model(request.operation).input_shape
    report = ParamValidator().validate(request.params, shape)
    return report.generate_report() if report.has_errors() else ""


def compiled(operation: Any) -> Request:
    """Compile an operation and check that botocore accepts the request."""
    request = compile(operation)
    assert validation_errors(request) == ""
    return request


ORDER_KEY = {"customer": {"S": "c1"}, "placed": {"N": "7"}}


def test_validator_rejects_missing_item() -> None:
    request = Request("PutItem", {"TableName": "orders"})

    assert "Item" in validation_errors(request)


def test_validator_rejects_wrong_type() -> None:
    request = Request("Scan", {"TableName": "orders", "Limit": "10"})

    assert "Limit" in validation_errors(request)


# Tables.


def test_create_table() -> None:
    request = compiled(CreateTable(Order))

    assert request.operation == "CreateTable"
    assert request.params == {
        "TableName": "orders",
        "KeySchema": [
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "placed", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "placed", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "total", "AttributeType": "N"},
            {"AttributeName": "a.b#c :d", "AttributeType": "S"},
        ],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by_status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "placed", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 1},
            },
            {
                "IndexName": "by_label",
                "KeySchema": [{"AttributeName": "a.b#c :d", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            },
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": "by_total",
                "KeySchema": [
                    {"AttributeName": "customer", "KeyType": "HASH"},
                    {"AttributeName": "total", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/orders"},
    }


def test_create_table_on_demand() -> None:
    request = compiled(CreateTable(Person))

    assert request.params == {
        "TableName": "people",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


def test_create_table_include_only_keys() -> None:
    @model(table_name="labels")
    class Label:
        id: str = column(types.String, hash_key=True)
        text: str | None = column(types.String)
        by_text = GlobalSecondaryIndex(hash_key="text", projection=["id"])

    request = compile(CreateTable(Label))

    assert validation_errors(request) == ""


def test_describe_table() -> None:
    request = compiled(DescribeTable(Order))

    assert request.operation == "DescribeTable"
    assert request.params == {"TableName": "orders"}


def test_delete_table() -> None:
    request = compiled(DeleteTable(Order))

    assert request.operation == "DeleteTable"
    assert request.params == {"TableName": "orders"}


def test_update_time_to_live() -> None:
    request = compiled(UpdateTimeToLive(Order))

    assert request.operation == "UpdateTimeToLive"
    assert request.params == {
        "TableName": "orders",
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"},
    }


def test_update_time_to_live_without_ttl() -> None:
    with pytest.raises(InvalidRequest, match="no ttl column"):
        compile(UpdateTimeToLive(Person))


# Items.


def test_put_item() -> None:
    order = Order(customer="c1", placed=7, status="open", label="gift", tags=frozenset({"b", "a"}))

    request = compiled(PutItem(order))

    assert request.operation == "PutItem"
    assert request.params == {
        "TableName": "orders",
        "Item": {
            "customer": {"S": "c1"},
            "placed": {"N": "7"},
            "status": {"S": "open"},
            "a.b#c :d": {"S": "gift"},
            "tags": {"SS": ["a", "b"]},
        },
    }
    assert request.table == "orders"
    assert request.key == ORDER_KEY


def test_put_item_with_condition() -> None:
    order = Order(customer="c1", placed=7, total=decimal.Decimal("9.50"))
    condition = Order.customer.not_exists() | (Order.total < decimal.Decimal("10"))

    request = compiled(PutItem(order, condition=condition, return_old_on_failure=True))

    assert request.params == {
        "TableName": "orders",
        "Item": {"customer": {"S": "c1"}, "placed": {"N": "7"}, "total": {"N": "9.50"}},
        "ConditionExpression": "attribute_not_exists(#n0) OR #n1 < :v0",
        "ExpressionAttributeNames": {"#n0": "customer", "#n1": "total"},
        "ExpressionAttributeValues": {":v0": {"N": "10"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def test_get_item_projection_consistent() -> None:
    projection = projection_paths(Order, [Order.status, "label", path("tags")])
    operation = GetItem(
        key(Order, {"customer": "c1", "placed": 7}), consistent=True, projection=projection
    )

    request = compiled(operation)

    assert request.operation == "GetItem"
    assert request.params == {
        "TableName": "orders",
        "Key": ORDER_KEY,
        "ConsistentRead": True,
        "ProjectionExpression": "#n0, #n1, #n2",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "a.b#c :d", "#n2": "tags"},
    }


def test_get_item_plain() -> None:
    request = compiled(GetItem(key(Order, {"placed": 7, "customer": "c1"})))

    assert request.params == {"TableName": "orders", "Key": ORDER_KEY}
    assert list(request.params["Key"]) == ["customer", "placed"]


def test_delete_item() -> None:
    operation = DeleteItem(
        key(Order, {"customer": "c1", "placed": 7}),
        condition=Order.status == "open",
        return_values="ALL_OLD",
    )

    request = compiled(operation)

    assert request.operation == "DeleteItem"
    assert request.params == {
        "TableName": "orders",
        "Key": ORDER_KEY,
        "ConditionExpression": "#n0 = :v0",
        "ExpressionAttributeNames": {"#n0": "status"},
        "ExpressionAttributeValues": {":v0": {"S": "open"}},
        "ReturnValues": "ALL_OLD",
    }


def test_update_item_from_diff() -> None:
    old = Order(customer="c1", placed=7, status="open", total=decimal.Decimal("10"), label="x")
    new = Order(customer="c1", placed=7, status="shipped", label="x", tags=frozenset({"b", "a"}))

    request = compiled(UpdateItem(key_of_record(new), diff(old, new)))

    assert request.operation == "UpdateItem"
    assert request.params == {
        "TableName": "orders",
        "Key": ORDER_KEY,
        "UpdateExpression": "SET #n0 = :v0, #n1 = :v1 REMOVE #n2",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "tags", "#n2": "total"},
        "ExpressionAttributeValues": {":v0": {"S": "shipped"}, ":v1": {"SS": ["a", "b"]}},
    }


def test_update_item_with_condition() -> None:
    old = Order(customer="c1", placed=7, status="open")
    new = Order(customer="c1", placed=7, status="shipped")
    condition = Order.status == "open"

    request = compiled(
        UpdateItem(key_of_record(new), diff(old, new), condition=condition, return_values="ALL_NEW")
    )

    assert request.params == {
        "TableName": "orders",
        "Key": ORDER_KEY,
        "UpdateExpression": "SET #n0 = :v0",
        "ConditionExpression": "#n0 = :v1",
        "ExpressionAttributeNames": {"#n0": "status"},
        "ExpressionAttributeValues": {":v0": {"S": "shipped"}, ":v1": {"S": "open"}},
        "ReturnValues": "ALL_NEW",
    }


def test_update_item_removing_set() -> None:
    old = Order(customer="c1", placed=7, tags=frozenset({"a"}))
    new = Order(customer="c1", placed=7, tags=frozenset())

    request = compiled(UpdateItem(key_of_record(new), diff(old, new)))

    assert request.params["UpdateExpression"] == "REMOVE #n0"
    assert request.params["ExpressionAttributeNames"] == {"#n0": "tags"}
    assert "ExpressionAttributeValues" not in request.params


# Queries and scans.


def test_query_table_with_range_condition() -> None:
    operation = query(
        Order,
        (Order.customer == "c1") & Order.placed.between(10, 20),
        filter=Order.status == "open",
        projection=[Order.status, Order.label],
        forward=False,
        page_size=25,
    )

    request = compiled(operation)

    assert request.operation == "Query"
    assert request.params == {
        "TableName": "orders",
        "KeyConditionExpression": "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
        "FilterExpression": "#n2 = :v3",
        "ProjectionExpression": "#n2, #n3",
        "ExpressionAttributeNames": {
            "#n0": "customer",
            "#n1": "placed",
            "#n2": "status",
            "#n3": "a.b#c :d",
        },
        "ExpressionAttributeValues": {
            ":v0": {"S": "c1"},
            ":v1": {"N": "10"},
            ":v2": {"N": "20"},
            ":v3": {"S": "open"},
        },
        "ScanIndexForward": False,
        "Limit": 25,
    }


def test_query_range_before_hash() -> None:
    operation = query(Order, (Order.placed > 3) & (Order.customer == "c1"))

    request = compiled(operation)

    assert request.params["KeyConditionExpression"] == "#n0 = :v0 AND #n1 > :v1"
    assert request.params["ExpressionAttributeNames"] == {"#n0": "customer", "#n1": "placed"}


def test_query_global_index() -> None:
    operation = query(Order.by_status, (Order.status == "open") & (Order.placed >= 5))

    request = compiled(operation)

    assert request.params == {
        "TableName": "orders",
        "IndexName": "by_status",
        "KeyConditionExpression": "#n0 = :v0 AND #n1 >= :v1",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "placed"},
        "ExpressionAttributeValues": {":v0": {"S": "open"}, ":v1": {"N": "5"}},
    }


def test_query_local_index_consistent() -> None:
    operation = query(
        Order.by_total,
        (Order.customer == "c1") & (Order.total < 100),
        projection=[Order.total],
        consistent=True,
    )

    request = compiled(operation)

    assert request.params == {
        "TableName": "orders",
        "IndexName": "by_total",
        "KeyConditionExpression": "#n0 = :v0 AND #n1 < :v1",
        "ProjectionExpression": "#n1",
        "ExpressionAttributeNames": {"#n0": "customer", "#n1": "total"},
        "ExpressionAttributeValues": {":v0": {"S": "c1"}, ":v1": {"N": "100"}},
        "ConsistentRead": True,
    }


def test_query_begins_with_hostile_name() -> None:
    operation = query(Order.by_label, Order.label == "gift", filter=Order.total == 100)

    request = compiled(operation)

    assert request.params == {
        "TableName": "orders",
        "IndexName": "by_label",
        "KeyConditionExpression": "#n0 = :v0",
        "FilterExpression": "#n1 = :v1",
        "ExpressionAttributeNames": {"#n0": "a.b#c :d", "#n1": "total"},
        "ExpressionAttributeValues": {":v0": {"S": "gift"}, ":v1": {"N": "100"}},
    }


def test_scan_with_segments() -> None:
    operation = scan(
        Order,
        filter=Order.status.in_(["open", "held"]) & ~Order.label.exists(),
        projection=["status"],
        consistent=True,
        page_size=10,
        segment=1,
        total_segments=4,
    )

    request = compiled(operation)

    assert request.operation == "Scan"
    assert request.params == {
        "TableName": "orders",
        "FilterExpression": "#n0 IN (:v0, :v1) AND NOT attribute_exists(#n1)",
        "ProjectionExpression": "#n0",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "a.b#c :d"},
        "ExpressionAttributeValues": {":v0": {"S": "open"}, ":v1": {"S": "held"}},
        "Segment": 1,
        "TotalSegments": 4,
        "ConsistentRead": True,
        "Limit": 10,
    }


def test_scan_plain() -> None:
    request = compiled(scan(Person))

    assert request.params == {"TableName": "people"}


def test_scan_index() -> None:
    request = compiled(scan(Order.by_status, filter=gt(Order.tags.size(), 3)))

    assert request.params == {
        "TableName": "orders",
        "IndexName": "by_status",
        "FilterExpression": "size(#n0) > :v0",
        "ExpressionAttributeNames": {"#n0": "tags"},
        "ExpressionAttributeValues": {":v0": {"N": "3"}},
    }


# Errors raised before compiling.


def test_key_condition_with_or() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, (Order.customer == "c1") | (Order.customer == "c2"))


def test_key_condition_with_not() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, ~(Order.customer == "c1"))


def test_key_condition_with_not_equal() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, Order.customer != "c1")


def test_key_condition_range_not_equal() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, (Order.customer == "c1") & (Order.placed != 3))


def test_key_condition_non_key_column() -> None:
    with pytest.raises(InvalidCondition, match="filter"):
        query(Order, (Order.customer == "c1") & (Order.status == "open"))


def test_key_condition_range_without_hash() -> None:
    with pytest.raises(InvalidCondition, match="needs the hash key"):
        query(Order, Order.placed > 3)


def test_key_condition_two_range_conditions() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, (Order.customer == "c1") & (Order.placed > 3) & (Order.placed < 9))


def test_key_condition_table_key_on_index() -> None:
    with pytest.raises(InvalidCondition):
        query(Order.by_status, Order.customer == "c1")


def test_key_condition_hash_against_path() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, Order.customer == Order.status)


def test_key_condition_range_against_path() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, (Order.customer == "c1") & (Order.placed < Order.expires))


def test_key_condition_begins_with_number() -> None:
    with pytest.raises(InvalidCondition):
        query(Order, (Order.customer == "c1") & begins_with(path("placed"), "1"))


def test_local_index_projects_from_table() -> None:
    # A local index reads attributes it does not project from the table, at extra cost.
    request = compiled(query(Order.by_total, Order.customer == "c1", projection=[Order.status]))

    assert request.params["IndexName"] == "by_total"
    assert request.params["ProjectionExpression"] == "#n1"
    assert request.params["ExpressionAttributeNames"]["#n1"] == "status"


def test_include_index_projection() -> None:
    with pytest.raises(InvalidRequest, match="does not project 'tags'"):
        query(Order.by_label, Order.label == "gift", projection=[Order.tags])


def test_consistent_query_global_index() -> None:
    with pytest.raises(InvalidRequest, match="consistent"):
        query(Order.by_status, Order.status == "open", consistent=True)


def test_consistent_scan_global_index() -> None:
    with pytest.raises(InvalidRequest, match="consistent"):
        scan(Order.by_status, consistent=True)


def test_scan_segment_without_total() -> None:
    with pytest.raises(InvalidRequest):
        scan(Order, segment=1)


def test_scan_segment_out_of_range() -> None:
    with pytest.raises(InvalidRequest):
        scan(Order, segment=4, total_segments=4)


def test_page_size_zero() -> None:
    with pytest.raises(InvalidRequest):
        scan(Order, page_size=0)


def test_update_of_key_column() -> None:
    old = Order(customer="c1", placed=7)
    new = Order(customer="c1", placed=8)

    with pytest.raises(InvalidCondition, match="key columns cannot be updated"):
        diff(old, new)


def test_compile_unknown_value() -> None:
    with pytest.raises(InvalidRequest, match="no compile rule"):
        compile(object())


def test_key_condition_empty_hash_value() -> None:
    with pytest.raises(InvalidCondition, match="empty value"):
        query(Order, Order.customer == "")
