"""MemoryExecutor Query and Scan: key conditions, order, paging, filters, indexes and segments."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from bloopfp.executors.memory import MemoryExecutor

TABLE = {
    "TableName": "events",
    "KeySchema": [
        {"AttributeName": "user", "KeyType": "HASH"},
        {"AttributeName": "at", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "user", "AttributeType": "S"},
        {"AttributeName": "at", "AttributeType": "N"},
        {"AttributeName": "kind", "AttributeType": "S"},
        {"AttributeName": "score", "AttributeType": "N"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by_kind",
            "KeySchema": [
                {"AttributeName": "kind", "KeyType": "HASH"},
                {"AttributeName": "at", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "by_score",
            "KeySchema": [
                {"AttributeName": "user", "KeyType": "HASH"},
                {"AttributeName": "score", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def event(user: str, at: int, **attributes: Any) -> dict[str, Any]:
    return {"user": {"S": user}, "at": {"N": str(at)}, **attributes}


EVENTS = [
    event("ann", 3, kind={"S": "click"}, score={"N": "30"}, note={"S": "c"}),
    event("ann", 1, kind={"S": "view"}, score={"N": "10"}, note={"S": "a"}),
    event("ann", 2, note={"S": "b"}),
    event("ann", 10, kind={"S": "click"}, score={"N": "5"}),
    event("bob", 1, kind={"S": "click"}),
]


def body(response: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in response.items() if name != "ResponseMetadata"}


def error_code(executor: MemoryExecutor, operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as caught:
        executor.call(operation, params)
    return str(caught.value.response["Error"]["Code"])


@pytest.fixture
def db() -> MemoryExecutor:
    executor = MemoryExecutor(clock=lambda: 0.0)
    executor.call("CreateTable", TABLE)
    for item in EVENTS:
        executor.call("PutItem", {"TableName": "events", "Item": item})
    return executor


def query(db: MemoryExecutor, condition: str, values: dict[str, Any], **params: Any) -> Any:
    request = {
        "TableName": "events",
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
        **params,
    }
    return body(db.call("Query", request))


ANN = {":u": {"S": "ann"}}


def ats(response: dict[str, Any]) -> list[str]:
    return [item["at"]["N"] for item in response["Items"]]


def test_query_orders_by_range_key(db: MemoryExecutor) -> None:
    response = query(db, "#u = :u", ANN, ExpressionAttributeNames={"#u": "user"})
    assert ats(response) == ["1", "2", "3", "10"]
    assert response["Count"] == 4
    assert response["ScannedCount"] == 4
    assert "LastEvaluatedKey" not in response


def test_query_whole_response(db: MemoryExecutor) -> None:
    values = {**ANN, ":a": {"N": "2"}}
    response = query(
        db, "#u = :u AND #a = :a", values, ExpressionAttributeNames={"#u": "user", "#a": "at"}
    )
    assert response == {"Items": [event("ann", 2, note={"S": "b"})], "Count": 1, "ScannedCount": 1}


def test_query_backwards(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    response = query(db, "#u = :u", ANN, ExpressionAttributeNames=names, ScanIndexForward=False)
    assert ats(response) == ["10", "3", "2", "1"]


@pytest.mark.parametrize(
    "condition, values, expected",
    [
        ("#a < :v", {":v": {"N": "3"}}, ["1", "2"]),
        ("#a <= :v", {":v": {"N": "3"}}, ["1", "2", "3"]),
        ("#a > :v", {":v": {"N": "2"}}, ["3", "10"]),
        ("#a >= :v", {":v": {"N": "3"}}, ["3", "10"]),
        ("#a BETWEEN :lo AND :hi", {":lo": {"N": "2"}, ":hi": {"N": "3"}}, ["2", "3"]),
        (":v > #a", {":v": {"N": "2"}}, ["1"]),
    ],
)
def test_query_range_conditions(
    db: MemoryExecutor, condition: str, values: dict[str, Any], expected: list[str]
) -> None:
    names = {"#u": "user", "#a": "at"}
    response = query(
        db, f"#u = :u AND {condition}", {**ANN, **values}, ExpressionAttributeNames=names
    )
    assert ats(response) == expected


def test_query_limit_and_pages(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    first = query(db, "#u = :u", ANN, ExpressionAttributeNames=names, Limit=3)
    assert ats(first) == ["1", "2", "3"]
    assert first["LastEvaluatedKey"] == {"user": {"S": "ann"}, "at": {"N": "3"}}
    second = query(
        db,
        "#u = :u",
        ANN,
        ExpressionAttributeNames=names,
        Limit=3,
        ExclusiveStartKey=first["LastEvaluatedKey"],
    )
    assert ats(second) == ["10"]
    assert "LastEvaluatedKey" not in second


def test_query_limit_counts_before_filter(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    values = {**ANN, ":n": {"S": "b"}}
    response = query(
        db, "#u = :u", values, ExpressionAttributeNames=names, Limit=2, FilterExpression="note = :n"
    )
    assert ats(response) == ["2"]
    assert response["Count"] == 1
    assert response["ScannedCount"] == 2
    assert response["LastEvaluatedKey"] == {"user": {"S": "ann"}, "at": {"N": "2"}}


def test_query_filter_on_key_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "events",
        "KeyConditionExpression": "#u = :u",
        "FilterExpression": "#a > :a",
        "ExpressionAttributeNames": {"#u": "user", "#a": "at"},
        "ExpressionAttributeValues": {**ANN, ":a": {"N": "1"}},
    }
    assert error_code(db, "Query", request) == "ValidationException"


def test_query_count(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    response = query(db, "#u = :u", ANN, ExpressionAttributeNames=names, Select="COUNT")
    assert response == {"Count": 4, "ScannedCount": 4}


def test_query_projection(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    response = query(
        db, "#u = :u", ANN, ExpressionAttributeNames=names, ProjectionExpression="note", Limit=1
    )
    assert response["Items"] == [{"note": {"S": "a"}}]


def test_query_gsi_is_sparse_and_projected(db: MemoryExecutor) -> None:
    values = {":k": {"S": "click"}}
    response = query(db, "kind = :k", values, IndexName="by_kind")
    assert response["Items"] == [
        {"user": {"S": "bob"}, "at": {"N": "1"}, "kind": {"S": "click"}},
        {"user": {"S": "ann"}, "at": {"N": "3"}, "kind": {"S": "click"}},
        {"user": {"S": "ann"}, "at": {"N": "10"}, "kind": {"S": "click"}},
    ]


def test_query_gsi_pages_with_index_key(db: MemoryExecutor) -> None:
    values = {":k": {"S": "click"}}
    first = query(db, "kind = :k", values, IndexName="by_kind", Limit=1)
    assert first["LastEvaluatedKey"] == {
        "user": {"S": "bob"},
        "at": {"N": "1"},
        "kind": {"S": "click"},
    }
    second = query(
        db, "kind = :k", values, IndexName="by_kind", ExclusiveStartKey=first["LastEvaluatedKey"]
    )
    assert ats(second) == ["3", "10"]


def test_query_gsi_consistent_read_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "events",
        "IndexName": "by_kind",
        "KeyConditionExpression": "kind = :k",
        "ExpressionAttributeValues": {":k": {"S": "click"}},
        "ConsistentRead": True,
    }
    assert error_code(db, "Query", request) == "ValidationException"


def test_query_gsi_all_attributes_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "events",
        "IndexName": "by_kind",
        "KeyConditionExpression": "kind = :k",
        "ExpressionAttributeValues": {":k": {"S": "click"}},
        "Select": "ALL_ATTRIBUTES",
    }
    assert error_code(db, "Query", request) == "ValidationException"


def test_query_lsi_orders_by_index_range(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    response = query(db, "#u = :u", ANN, ExpressionAttributeNames=names, IndexName="by_score")
    assert [item["score"]["N"] for item in response["Items"]] == ["5", "10", "30"]
    assert response["Items"][0] == {"user": {"S": "ann"}, "at": {"N": "10"}, "score": {"N": "5"}}


def test_query_lsi_all_attributes_fetches_item(db: MemoryExecutor) -> None:
    names = {"#u": "user"}
    response = query(
        db,
        "#u = :u",
        ANN,
        ExpressionAttributeNames=names,
        IndexName="by_score",
        Select="ALL_ATTRIBUTES",
        Limit=1,
    )
    assert response["Items"] == [event("ann", 10, kind={"S": "click"}, score={"N": "5"})]


def test_query_missing_index_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "events",
        "IndexName": "nope",
        "KeyConditionExpression": "kind = :k",
        "ExpressionAttributeValues": {":k": {"S": "click"}},
    }
    assert error_code(db, "Query", request) == "ValidationException"


@pytest.mark.parametrize(
    "condition, values",
    [
        ("#a = :a", {":a": {"N": "1"}}),
        ("#u = :u OR #a = :a", {**ANN, ":a": {"N": "1"}}),
        ("#u <> :u", ANN),
        ("#u = :u AND #a <> :a", {**ANN, ":a": {"N": "1"}}),
        ("#u = :u AND #a IN (:a)", {**ANN, ":a": {"N": "1"}}),
        ("#u = :u AND note = :a", {**ANN, ":a": {"S": "a"}}),
        ("#u = :u AND #a > :a AND #a < :a", {**ANN, ":a": {"N": "1"}}),
        ("#u = :u AND attribute_exists(#a)", ANN),
        ("#u = :u AND begins_with(#a, :a)", {**ANN, ":a": {"N": "1"}}),
        ("#u = :u AND #a = :a", {**ANN, ":a": {"S": "1"}}),
        ("NOT #u = :u", ANN),
        ("#u < :u", ANN),
    ],
)
def test_query_invalid_key_conditions(
    db: MemoryExecutor, condition: str, values: dict[str, Any]
) -> None:
    names = {
        name: attribute for name, attribute in (("#u", "user"), ("#a", "at")) if name in condition
    }
    request: dict[str, Any] = {
        "TableName": "events",
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
    }
    if names:
        request["ExpressionAttributeNames"] = names
    assert error_code(db, "Query", request) == "ValidationException"


@pytest.mark.parametrize(
    "select, projection",
    [
        ("SPECIFIC_ATTRIBUTES", None),
        ("ALL_ATTRIBUTES", "note"),
        ("ALL_PROJECTED_ATTRIBUTES", None),
    ],
)
def test_query_invalid_select(db: MemoryExecutor, select: str, projection: str | None) -> None:
    request: dict[str, Any] = {
        "TableName": "events",
        "KeyConditionExpression": "#u = :u",
        "ExpressionAttributeNames": {"#u": "user"},
        "ExpressionAttributeValues": ANN,
        "Select": select,
    }
    if projection is not None:
        request["ProjectionExpression"] = projection
    assert error_code(db, "Query", request) == "ValidationException"


def test_query_without_key_condition_rejected(db: MemoryExecutor) -> None:
    assert error_code(db, "Query", {"TableName": "events"}) == "ValidationException"


def test_query_legacy_key_conditions_rejected(db: MemoryExecutor) -> None:
    request = {
        "TableName": "events",
        "KeyConditions": {
            "user": {"AttributeValueList": [{"S": "ann"}], "ComparisonOperator": "EQ"}
        },
    }
    assert error_code(db, "Query", request) == "ValidationException"


def test_query_string_range_orders_by_bytes() -> None:
    executor = MemoryExecutor()
    executor.call(
        "CreateTable",
        {
            "TableName": "words",
            "KeySchema": [
                {"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "w", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "p", "AttributeType": "S"},
                {"AttributeName": "w", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    for word in ("b", "é", "B", "a", "\uffff", "\U0001f600"):
        item = {"p": {"S": "x"}, "w": {"S": word}}
        executor.call("PutItem", {"TableName": "words", "Item": item})
    request = {
        "TableName": "words",
        "KeyConditionExpression": "p = :p",
        "ExpressionAttributeValues": {":p": {"S": "x"}},
    }
    response = executor.call("Query", request)
    words = [item["w"]["S"] for item in response["Items"]]
    assert words == sorted(words, key=lambda word: word.encode("utf-8"))
    assert words == ["B", "a", "b", "é", "\uffff", "\U0001f600"]


def test_query_page_stops_at_one_megabyte() -> None:
    executor = MemoryExecutor()
    executor.call(
        "CreateTable",
        {
            "TableName": "big",
            "KeySchema": [
                {"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "r", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "p", "AttributeType": "S"},
                {"AttributeName": "r", "AttributeType": "N"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    for index in range(5):
        item = {"p": {"S": "x"}, "r": {"N": str(index)}, "data": {"S": "z" * 300_000}}
        executor.call("PutItem", {"TableName": "big", "Item": item})
    request = {
        "TableName": "big",
        "KeyConditionExpression": "p = :p",
        "ExpressionAttributeValues": {":p": {"S": "x"}},
        "Select": "COUNT",
    }
    first = executor.call("Query", request)
    assert first["ScannedCount"] == 4
    assert first["LastEvaluatedKey"] == {"p": {"S": "x"}, "r": {"N": "3"}}
    second = executor.call("Query", {**request, "ExclusiveStartKey": first["LastEvaluatedKey"]})
    assert second["ScannedCount"] == 1
    assert "LastEvaluatedKey" not in second


# Scan.


def keys(response: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["user"]["S"], item["at"]["N"]) for item in response["Items"]]


def test_scan_returns_everything(db: MemoryExecutor) -> None:
    response = body(db.call("Scan", {"TableName": "events"}))
    assert sorted(keys(response)) == sorted((item["user"]["S"], item["at"]["N"]) for item in EVENTS)
    assert response["Count"] == 5


def test_scan_pages_cover_everything_once(db: MemoryExecutor) -> None:
    seen: list[tuple[str, str]] = []
    request: dict[str, Any] = {"TableName": "events", "Limit": 2}
    pages = 0
    while True:
        response = db.call("Scan", request)
        seen += keys(response)
        pages += 1
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    assert sorted(seen) == sorted((item["user"]["S"], item["at"]["N"]) for item in EVENTS)
    assert len(seen) == len(set(seen))
    assert pages == 3


def test_scan_order_is_stable(db: MemoryExecutor) -> None:
    first = keys(db.call("Scan", {"TableName": "events"}))
    second = keys(db.call("Scan", {"TableName": "events"}))
    assert first == second


def test_scan_filter(db: MemoryExecutor) -> None:
    request = {
        "TableName": "events",
        "FilterExpression": "kind = :k AND #u = :u",
        "ExpressionAttributeNames": {"#u": "user"},
        "ExpressionAttributeValues": {":k": {"S": "click"}, **ANN},
    }
    response = body(db.call("Scan", request))
    assert sorted(keys(response)) == [("ann", "10"), ("ann", "3")]
    assert response["ScannedCount"] == 5


def test_scan_gsi_is_sparse(db: MemoryExecutor) -> None:
    response = body(db.call("Scan", {"TableName": "events", "IndexName": "by_kind"}))
    assert response["Count"] == 4
    assert all(set(item) == {"user", "at", "kind"} for item in response["Items"])


@pytest.mark.parametrize("total", [1, 2, 3, 7])
def test_scan_segments_partition_items(db: MemoryExecutor, total: int) -> None:
    seen: list[tuple[str, str]] = []
    for segment in range(total):
        request = {"TableName": "events", "Segment": segment, "TotalSegments": total}
        seen += keys(db.call("Scan", request))
    assert sorted(seen) == sorted((item["user"]["S"], item["at"]["N"]) for item in EVENTS)


@pytest.mark.parametrize(
    "params",
    [{"Segment": 2, "TotalSegments": 2}, {"Segment": 0}, {"TotalSegments": 2}],
)
def test_scan_invalid_segments_rejected(db: MemoryExecutor, params: dict[str, Any]) -> None:
    assert error_code(db, "Scan", {"TableName": "events", **params}) == "ValidationException"


def test_scan_invalid_start_key_rejected(db: MemoryExecutor) -> None:
    request = {"TableName": "events", "ExclusiveStartKey": {"user": {"S": "ann"}}}
    assert error_code(db, "Scan", request) == "ValidationException"


@given(st.lists(st.integers(min_value=-1000, max_value=1000), unique=True, max_size=12))
def test_query_order_matches_numbers(numbers: list[int]) -> None:
    executor = MemoryExecutor()
    executor.call("CreateTable", TABLE)
    for number in numbers:
        executor.call("PutItem", {"TableName": "events", "Item": event("x", number)})
    request = {
        "TableName": "events",
        "KeyConditionExpression": "#u = :u",
        "ExpressionAttributeNames": {"#u": "user"},
        "ExpressionAttributeValues": {":u": {"S": "x"}},
    }
    response = executor.call("Query", request)
    assert [int(item["at"]["N"]) for item in response["Items"]] == sorted(numbers)


def test_query_empty_hash_key_rejected() -> None:
    executor = MemoryExecutor()
    executor.call("CreateTable", TABLE)

    with pytest.raises(ClientError) as raised:
        executor.call(
            "Query",
            {
                "TableName": TABLE["TableName"],
                "KeyConditionExpression": "#h = :h",
                "ExpressionAttributeNames": {"#h": TABLE["KeySchema"][0]["AttributeName"]},
                "ExpressionAttributeValues": {":h": {"S": ""}},
            },
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"
