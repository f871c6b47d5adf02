"""Query and Scan: key conditions, Select, ordering, pagination, indexes and parallel scans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conformance.harness import (
    ABSENT,
    Case,
    Fails,
    N,
    Request,
    Returns,
    S,
    Satisfies,
    index,
    parametrize,
    put,
    run_case,
    table,
)

QUERY = "Query - Amazon DynamoDB"
SCAN = "Scan - Amazon DynamoDB"
KEY_CONDITIONS = "Key condition expressions for the Query operation in DynamoDB"
QUERY_FILTERS = "Filter expressions for the Query operation in DynamoDB"
PAGINATION = "Paginating table query results in DynamoDB"
PARALLEL = "Scanning tables in DynamoDB"
GSI = "Using Global Secondary Indexes in DynamoDB"
LSI = "Local secondary indexes"
CONSISTENCY = "DynamoDB read consistency"

A1 = {"pk": S("a"), "sk": N(1), "grp": S("g1"), "score": N(30), "label": S("x"), "title": S("t1")}
A2 = {"pk": S("a"), "sk": N(2), "grp": S("g1"), "score": N(10), "label": S("w")}
A10 = {"pk": S("a"), "sk": N(10), "label": S("v"), "title": S("t10")}
B1 = {"pk": S("b"), "sk": N(1), "grp": S("g2"), "score": N(5), "label": S("y")}
ITEMS = (A1, A2, A10, B1)

SETUP = (
    table(
        range_key=("sk", "N"),
        gsis=[
            index("by_group", "grp", "score"),
            index("keys_only", "grp", "score", projection="KEYS_ONLY"),
            index("with_title", "grp", "score", projection="INCLUDE", non_key=["title"]),
        ],
        lsis=[
            index("by_label", "pk", "label"),
            index("label_keys", "pk", "label", projection="KEYS_ONLY"),
        ],
        extra_attributes=[("grp", "S"), ("score", "N"), ("label", "S")],
    ),
    *(put(item) for item in ITEMS),
)


def keys(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk", *names)}


def query(
    condition: str = "pk = :p", values: dict[str, Any] | None = None, **params: Any
) -> Request:
    """Return a Query of tbl_main; `values` defaults to {":p": "a"}."""
    request = {
        "TableName": "tbl_main",
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": {":p": S("a")} if values is None else values,
        **params,
    }
    return ("Query", request)


def group(name: str = "by_group", **params: Any) -> Request:
    return query("grp = :g", {":g": S("g1")}, IndexName=name, **params)


def invalid(case_id: str, source: str, request: Request) -> Case:
    return Case(case_id, source, request, Fails("ValidationException"), SETUP)


def returns(case_id: str, source: str, request: Request, fragment: dict[str, Any]) -> Case:
    return Case(case_id, source, request, Returns(fragment), SETUP)


def sorted_table(kind: str, *values: Any) -> tuple[Request, ...]:
    """Return setup for a table whose sort key of type `kind` contains `values` under pk "a"."""
    created = table(range_key=("sk", kind))
    return (created, *(put({"pk": S("a"), "sk": {kind: value}}) for value in values))


def order(kind: str, values: list[Any]) -> Returns:
    items = [{"pk": S("a"), "sk": {kind: value}} for value in values]
    return Returns({"Items": items, "Count": len(items)})


def check_next_page(request: Request, expected_items: list[dict[str, Any]]) -> Callable[..., None]:
    """Return a check that sends `request` again from the response's LastEvaluatedKey."""

    def check(call: Callable[..., dict[str, Any]], response: dict[str, Any]) -> None:
        operation, params = request
        assert "LastEvaluatedKey" in response
        page = call(operation, {**params, "ExclusiveStartKey": response["LastEvaluatedKey"]})
        assert page["Items"] == expected_items

    return check


def check_parallel_scan(call: Callable[..., dict[str, Any]], response: dict[str, Any]) -> None:
    """Check that segments 0 and 1 of 2 are disjoint and together contain every item."""
    second = call("Scan", {"TableName": "tbl_main", "Segment": 1, "TotalSegments": 2})
    first_keys = [(item["pk"]["S"], item["sk"]["N"]) for item in response["Items"]]
    second_keys = [(item["pk"]["S"], item["sk"]["N"]) for item in second["Items"]]
    every_key = [(item["pk"]["S"], item["sk"]["N"]) for item in ITEMS]
    assert "LastEvaluatedKey" not in response
    assert "LastEvaluatedKey" not in second
    assert not set(first_keys) & set(second_keys)
    assert sorted(first_keys + second_keys) == sorted(every_key)


def check_scan_limit(call: Callable[..., dict[str, Any]], response: dict[str, Any]) -> None:
    assert response["Count"] == 0
    assert response["ScannedCount"] == 2
    assert "LastEvaluatedKey" in response


# UTF-8 byte order puts U+FF5E before U+1F600, while UTF-16 code unit order would not.
HIGH_BMP = "\uff5e"
EMOJI = "\U0001f600"
ACCENT = "\u00e9"
LABEL_V = {":p": S("a"), ":l": S("v")}

CASES = [
    # Key condition restrictions.
    invalid(
        "key-condition-non-key-attribute", KEY_CONDITIONS, query("pk = :p AND label = :l", LABEL_V)
    ),
    invalid(
        "key-condition-or", KEY_CONDITIONS, query("pk = :p OR sk = :s", {":p": S("a"), ":s": N(1)})
    ),
    invalid(
        "key-condition-two-range-conditions",
        KEY_CONDITIONS,
        query("pk = :p AND sk > :lo AND sk < :hi", {":p": S("a"), ":lo": N(1), ":hi": N(9)}),
    ),
    invalid("key-condition-missing-hash", KEY_CONDITIONS, query("sk = :s", {":s": N(1)})),
    invalid("key-condition-hash-not-equality", KEY_CONDITIONS, query("pk > :p")),
    invalid("key-condition-in", KEY_CONDITIONS, query("pk IN (:p)")),
    invalid(
        "key-condition-not-equal-range",
        KEY_CONDITIONS,
        query("pk = :p AND sk <> :s", {":p": S("a"), ":s": N(1)}),
    ),
    invalid(
        "key-condition-begins-with-number",
        KEY_CONDITIONS,
        query("pk = :p AND begins_with(sk, :s)", {":p": S("a"), ":s": S("1")}),
    ),
    invalid("key-condition-wrong-value-type", KEY_CONDITIONS, query("pk = :p", {":p": N(1)})),
    invalid("key-condition-table-key-on-index", GSI, query("pk = :p", IndexName="by_group")),
    invalid("query-missing-index", QUERY, query(IndexName="no_such_index")),
    invalid(
        "filter-on-key-attribute",
        QUERY_FILTERS,
        query(FilterExpression="sk > :s", ExpressionAttributeValues={":p": S("a"), ":s": N(1)}),
    ),
    returns(
        "key-condition-between",
        KEY_CONDITIONS,
        query("pk = :p AND sk BETWEEN :lo AND :hi", {":p": S("a"), ":lo": N(2), ":hi": N(10)}),
        {"Items": [A2, A10], "Count": 2},
    ),
    returns(
        "key-condition-no-match",
        KEY_CONDITIONS,
        query(values={":p": S("zzz")}),
        {"Items": [], "Count": 0},
    ),
    # Select.
    returns(
        "select-count",
        QUERY,
        query(Select="COUNT"),
        {"Count": 3, "ScannedCount": 3, "Items": ABSENT},
    ),
    invalid("select-specific-without-projection", QUERY, query(Select="SPECIFIC_ATTRIBUTES")),
    invalid(
        "select-all-with-projection",
        QUERY,
        query(Select="ALL_ATTRIBUTES", ProjectionExpression="label"),
    ),
    invalid(
        "select-count-with-projection", QUERY, query(Select="COUNT", ProjectionExpression="label")
    ),
    invalid("select-all-projected-on-table", QUERY, query(Select="ALL_PROJECTED_ATTRIBUTES")),
    invalid(
        "select-all-attributes-keys-only-gsi", QUERY, group("keys_only", Select="ALL_ATTRIBUTES")
    ),
    returns(
        "select-specific-with-projection",
        QUERY,
        query(Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="label"),
        {"Items": [{"label": S("x")}, {"label": S("w")}, {"label": S("v")}]},
    ),
    # Order of results.
    returns("order-numeric-sort-key", KEY_CONDITIONS, query(), {"Items": [A1, A2, A10]}),
    returns(
        "order-numeric-reverse", QUERY, query(ScanIndexForward=False), {"Items": [A10, A2, A1]}
    ),
    Case(
        "order-string-bytes",
        KEY_CONDITIONS,
        query(),
        order("S", ["B", "Z", "a", "b", ACCENT, HIGH_BMP, EMOJI]),
        sorted_table("S", "b", EMOJI, "a", HIGH_BMP, "Z", ACCENT, "B"),
    ),
    Case(
        "order-string-bytes-reverse",
        QUERY,
        query(ScanIndexForward=False),
        order("S", [EMOJI, HIGH_BMP, "b", "a", "Z"]),
        sorted_table("S", "a", "Z", EMOJI, "b", HIGH_BMP),
    ),
    Case(
        "order-binary-unsigned",
        QUERY,
        query(),
        order("B", [b"\x01", b"\x7f", b"\x80", b"\xff"]),
        sorted_table("B", b"\x80", b"\x01", b"\xff", b"\x7f"),
    ),
    Case(
        "order-negative-and-decimal-numbers",
        KEY_CONDITIONS,
        query(),
        order("N", ["-10", "-2.5", "0", "0.5", "3"]),
        sorted_table("N", "0.5", "-2.5", "3", "-10", "0"),
    ),
    returns("order-lsi-sort-key", LSI, query(IndexName="by_label"), {"Items": [A10, A2, A1]}),
    returns("order-gsi-sort-key", GSI, group(), {"Items": [A2, A1]}),
    # Limit, filters and pagination.
    returns(
        "limit-applies-before-filter",
        QUERY_FILTERS,
        query(Limit=2, FilterExpression="label = :l", ExpressionAttributeValues=LABEL_V),
        {"Items": [], "Count": 0, "ScannedCount": 2, "LastEvaluatedKey": keys(A2)},
    ),
    returns(
        "filter-count-and-scanned-count",
        QUERY_FILTERS,
        query(FilterExpression="label = :l", ExpressionAttributeValues=LABEL_V),
        {"Items": [A10], "Count": 1, "ScannedCount": 3, "LastEvaluatedKey": ABSENT},
    ),
    returns(
        "limit-last-evaluated-key",
        PAGINATION,
        query(Limit=1),
        {"Items": [A1], "LastEvaluatedKey": keys(A1)},
    ),
    returns(
        "exclusive-start-key-continues",
        PAGINATION,
        query(ExclusiveStartKey=keys(A1)),
        {"Items": [A2, A10], "LastEvaluatedKey": ABSENT},
    ),
    returns(
        "exclusive-start-key-reverse",
        PAGINATION,
        query(ScanIndexForward=False, ExclusiveStartKey=keys(A10)),
        {"Items": [A2, A1]},
    ),
    returns(
        "gsi-last-evaluated-key-has-index-keys",
        GSI,
        group(Limit=1),
        {"Items": [A2], "LastEvaluatedKey": keys(A2, "grp", "score")},
    ),
    Case(
        "gsi-exclusive-start-key",
        GSI,
        group(Limit=1),
        Satisfies(check_next_page(group(Limit=1), [A1])),
        SETUP,
    ),
    returns(
        "lsi-last-evaluated-key-has-index-keys",
        LSI,
        query(IndexName="by_label", Limit=1),
        {"Items": [A10], "LastEvaluatedKey": keys(A10, "label")},
    ),
    Case(
        "scan-limit-applies-before-filter",
        SCAN,
        (
            "Scan",
            {
                "TableName": "tbl_main",
                "Limit": 2,
                "FilterExpression": "label = :l",
                "ExpressionAttributeValues": {":l": S("none")},
            },
        ),
        Satisfies(check_scan_limit),
        SETUP,
    ),
    # Read consistency of indexes.
    invalid("consistent-read-gsi-query", CONSISTENCY, group(ConsistentRead=True)),
    invalid(
        "consistent-read-gsi-scan",
        CONSISTENCY,
        ("Scan", {"TableName": "tbl_main", "IndexName": "by_group", "ConsistentRead": True}),
    ),
    returns(
        "consistent-read-lsi-query",
        CONSISTENCY,
        query(IndexName="by_label", ConsistentRead=True),
        {"Count": 3},
    ),
    # Sparse indexes and projections.
    Case(
        "sparse-gsi-scan",
        GSI,
        ("Scan", {"TableName": "tbl_main", "IndexName": "by_group"}),
        Returns({"Count": 3, "Items": [A1, A2, B1]}, unordered=(("Items",),)),
        SETUP,
    ),
    returns(
        "keys-only-projection",
        GSI,
        group("keys_only"),
        {"Items": [keys(A2, "grp", "score"), keys(A1, "grp", "score")]},
    ),
    returns(
        "include-projection",
        GSI,
        group("with_title"),
        {"Items": [keys(A2, "grp", "score"), {**keys(A1, "grp", "score"), "title": S("t1")}]},
    ),
    returns(
        "all-projected-attributes-on-index",
        QUERY,
        group("keys_only", Select="ALL_PROJECTED_ATTRIBUTES"),
        {"Count": 2, "Items": [keys(A2, "grp", "score"), keys(A1, "grp", "score")]},
    ),
    returns(
        "lsi-fetches-unprojected-attributes",
        LSI,
        query(IndexName="label_keys", Select="ALL_ATTRIBUTES", Limit=1),
        {"Items": [A10]},
    ),
    # Parallel scan.
    Case(
        "parallel-scan-segments-partition-items",
        PARALLEL,
        ("Scan", {"TableName": "tbl_main", "Segment": 0, "TotalSegments": 2}),
        Satisfies(check_parallel_scan),
        SETUP,
    ),
    invalid(
        "parallel-scan-segment-out-of-range",
        PARALLEL,
        ("Scan", {"TableName": "tbl_main", "Segment": 2, "TotalSegments": 2}),
    ),
    invalid(
        "parallel-scan-segment-without-total",
        PARALLEL,
        ("Scan", {"TableName": "tbl_main", "Segment": 0}),
    ),
    Case(
        "scan-projection",
        SCAN,
        ("Scan", {"TableName": "tbl_main", "ProjectionExpression": "title"}),
        Returns(
            {"Count": 4, "Items": [{}, {}, {"title": S("t1")}, {"title": S("t10")}]},
            unordered=(("Items",),),
        ),
        SETUP,
    ),
]


MOTO_500 = "moto returns HTTP 500 instead of ValidationException"

DEPARTURES = {
    "key-condition-or": {"moto": f"{MOTO_500} for OR in a key condition."},
    "key-condition-two-range-conditions": {"moto": "moto accepts two sort key conditions."},
    "key-condition-not-equal-range": {"moto": f"{MOTO_500} for <> in a key condition."},
    "key-condition-begins-with-number": {"moto": f"{MOTO_500} for begins_with on a number key."},
    "key-condition-wrong-value-type": {
        "moto": "moto accepts a key condition value of the wrong type."
    },
    "query-missing-index": {"moto": "moto returns ResourceNotFoundException for a missing index."},
    "filter-on-key-attribute": {"moto": "moto accepts a key attribute in a Query filter."},
    "select-specific-without-projection": {
        "dynalite": "dynalite accepts SPECIFIC_ATTRIBUTES alone."
    },
    "select-all-with-projection": {
        "dynalite": "dynalite accepts ALL_ATTRIBUTES with a projection."
    },
    "select-count-with-projection": {"dynalite": "dynalite accepts COUNT with a projection."},
    "select-all-projected-on-table": {
        "dynalite": "dynalite accepts ALL_PROJECTED_ATTRIBUTES on a table."
    },
    "consistent-read-gsi-scan": {"dynalite": "dynalite accepts ConsistentRead on a GSI Scan."},
    "lsi-fetches-unprojected-attributes": {
        "moto": "moto returns only projected attributes from an LSI."
    },
    "parallel-scan-segment-without-total": {
        "dynalite": "dynalite accepts Segment without TotalSegments."
    },
}


@parametrize(CASES, DEPARTURES)
def test_query_rule(case: Case, backend: str, backend_executor: Any) -> None:
    run_case(case, backend_executor, server=backend != "memory")
