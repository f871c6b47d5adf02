"""BatchGetItem and BatchWriteItem: limits, duplicate keys, schema checks and results."""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import (
    ABSENT,
    SS,
    Case,
    Fails,
    N,
    Request,
    Returns,
    S,
    get,
    parametrize,
    put,
    run_case,
    table,
)

BATCH_GET = "BatchGetItem - Amazon DynamoDB"
BATCH_WRITE = "BatchWriteItem - Amazon DynamoDB"

SETUP = (
    table(),
    table("tbl_other", ("id", "N")),
    put({"pk": S("a"), "v": N(1)}),
    put({"pk": S("b"), "v": N(2)}),
    put({"id": N(7), "w": S("x")}, "tbl_other"),
)


def key(name: str) -> dict[str, Any]:
    return {"pk": S(name)}


def batch_get(**tables: list[dict[str, Any]]) -> Request:
    return (
        "BatchGetItem",
        {"RequestItems": {name: {"Keys": keys} for name, keys in tables.items()}},
    )


def batch_write(**tables: list[dict[str, Any]]) -> Request:
    return ("BatchWriteItem", {"RequestItems": tables})


def put_request(item: dict[str, Any]) -> dict[str, Any]:
    return {"PutRequest": {"Item": item}}


def delete_request(item_key: dict[str, Any]) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": item_key}}


def invalid(case_id: str, source: str, request: Request) -> Case:
    return Case(case_id, source, request, Fails("ValidationException"), SETUP)


def read(name: str, expected: dict[str, Any] | None) -> tuple[str, dict[str, Any], Returns]:
    request = get(key(name), ConsistentRead=True)[1]
    return ("GetItem", request, Returns({"Item": ABSENT if expected is None else expected}))


CASES = [
    # BatchGetItem.
    invalid(
        "batch-get-101-keys", BATCH_GET, batch_get(tbl_main=[key(f"k{i}") for i in range(101)])
    ),
    Case(
        "batch-get-100-keys",
        BATCH_GET,
        batch_get(tbl_main=[key(f"k{i}") for i in range(98)] + [key("a"), key("b")]),
        Returns(
            {"Responses": {"tbl_main": [{"pk": S("a"), "v": N(1)}, {"pk": S("b"), "v": N(2)}]}},
            unordered=(("Responses", "tbl_main"),),
        ),
        SETUP,
    ),
    invalid("batch-get-duplicate-keys", BATCH_GET, batch_get(tbl_main=[key("a"), key("a")])),
    invalid("batch-get-key-type-mismatch", BATCH_GET, batch_get(tbl_main=[{"pk": N(1)}])),
    invalid("batch-get-missing-key-attribute", BATCH_GET, batch_get(tbl_main=[{"v": N(1)}])),
    Case(
        "batch-get-missing-table",
        BATCH_GET,
        batch_get(tbl_missing=[key("a")]),
        Fails("ResourceNotFoundException"),
        SETUP,
    ),
    Case(
        "batch-get-two-tables",
        BATCH_GET,
        batch_get(tbl_main=[key("a"), key("absent")], tbl_other=[{"id": N(7)}]),
        Returns(
            {
                "Responses": {
                    "tbl_main": [{"pk": S("a"), "v": N(1)}],
                    "tbl_other": [{"id": N(7), "w": S("x")}],
                },
                "UnprocessedKeys": {},
            }
        ),
        SETUP,
    ),
    Case(
        "batch-get-projection",
        BATCH_GET,
        (
            "BatchGetItem",
            {"RequestItems": {"tbl_main": {"Keys": [key("b")], "ProjectionExpression": "v"}}},
        ),
        Returns({"Responses": {"tbl_main": [{"v": N(2)}]}}),
        SETUP,
    ),
    # BatchWriteItem.
    invalid(
        "batch-write-26-requests",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request(key(f"k{i}")) for i in range(26)]),
    ),
    Case(
        "batch-write-25-requests",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request(key(f"k{i}")) for i in range(25)]),
        Returns({"UnprocessedItems": {}}),
        SETUP,
        then=[("Scan", {"TableName": "tbl_main", "Select": "COUNT"}, Returns({"Count": 27}))],
    ),
    invalid(
        "batch-write-duplicate-puts",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request(key("n")), put_request({**key("n"), "v": N(3)})]),
    ),
    invalid(
        "batch-write-put-and-delete-same-key",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request(key("a")), delete_request(key("a"))]),
    ),
    invalid(
        "batch-write-duplicate-deletes",
        BATCH_WRITE,
        batch_write(tbl_main=[delete_request(key("a")), delete_request(key("a"))]),
    ),
    invalid(
        "batch-write-key-type-mismatch",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request({"pk": N(1)})]),
    ),
    invalid(
        "batch-write-delete-extra-key-attribute",
        BATCH_WRITE,
        batch_write(tbl_main=[delete_request({**key("a"), "v": N(1)})]),
    ),
    invalid(
        "batch-write-empty-set",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request({**key("n"), "s": {"SS": []}})]),
    ),
    invalid(
        "batch-write-item-over-400-kb",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request({**key("n"), "big": S("x" * (400 * 1024))})]),
    ),
    Case(
        "batch-write-invalid-request-writes-nothing",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request(key("n")), put_request({"pk": N(1)})]),
        Fails("ValidationException"),
        SETUP,
        then=[read("n", None)],
    ),
    Case(
        "batch-write-missing-table",
        BATCH_WRITE,
        batch_write(tbl_missing=[put_request(key("a"))]),
        Fails("ResourceNotFoundException"),
        SETUP,
    ),
    Case(
        "batch-write-puts-and-deletes",
        BATCH_WRITE,
        batch_write(
            tbl_main=[put_request({**key("n"), "s": SS("x")}), delete_request(key("a"))],
            tbl_other=[delete_request({"id": N(7)})],
        ),
        Returns({"UnprocessedItems": {}}),
        SETUP,
        then=[
            read("n", {**key("n"), "s": SS("x")}),
            read("a", None),
            read("b", {"pk": S("b"), "v": N(2)}),
        ],
    ),
    Case(
        "batch-write-same-key-in-two-tables",
        BATCH_WRITE,
        batch_write(tbl_main=[put_request(key("z"))], tbl_second=[put_request(key("z"))]),
        Returns({"UnprocessedItems": {}}),
        (*SETUP, table("tbl_second")),
    ),
]


DEPARTURES = {
    "batch-get-key-type-mismatch": {"moto": "moto accepts BatchGetItem keys of the wrong type."},
    "batch-write-26-requests": {
        "moto": "moto accepts more than 25 requests in one BatchWriteItem."
    },
    "batch-write-duplicate-puts": {
        "moto": "moto accepts two puts of one item in a BatchWriteItem."
    },
    "batch-write-put-and-delete-same-key": {"moto": "moto accepts a put and a delete of one item."},
    "batch-write-delete-extra-key-attribute": {
        "moto": "moto accepts a delete key with extra attributes."
    },
    "batch-write-empty-set": {"moto": "moto accepts an empty set in a BatchWriteItem put."},
    "batch-write-invalid-request-writes-nothing": {
        "moto": "moto writes the valid requests of a batch that has an invalid one."
    },
    "batch-write-same-key-in-two-tables": {
        "moto": "moto rejects equal keys in two different tables as duplicates."
    },
}


@parametrize(CASES, DEPARTURES)
def test_batch_rule(case: Case, backend: str, backend_executor: Any) -> None:
    run_case(case, backend_executor, server=backend != "memory")
