"""TransactWriteItems and TransactGetItems: cancellation reasons, atomicity, limits."""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import (
    ABSENT,
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

TRANSACT_WRITE = "TransactWriteItems - Amazon DynamoDB"
TRANSACT_GET = "TransactGetItems - Amazon DynamoDB"
TRANSACTIONS = "Amazon DynamoDB Transactions: How it works"

OLD = {"pk": S("a"), "v": N(1)}
SETUP = (table(), table("tbl_other"), put(OLD))
ABSENT_PK = "attribute_not_exists(pk)"


def key(name: str) -> dict[str, Any]:
    return {"pk": S(name)}


def put_action(
    item: dict[str, Any], condition: str | None = None, name: str = "tbl_main"
) -> dict[str, Any]:
    action: dict[str, Any] = {"TableName": name, "Item": item}
    if condition is not None:
        action["ConditionExpression"] = condition
    return {"Put": action}


def check_action(name: str, condition: str = ABSENT_PK, **params: Any) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": "tbl_main",
            "Key": key(name),
            "ConditionExpression": condition,
            **params,
        }
    }


def update_action(name: str, expression: str, **params: Any) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": "tbl_main",
            "Key": key(name),
            "UpdateExpression": expression,
            **params,
        }
    }


def delete_action(name: str) -> dict[str, Any]:
    return {"Delete": {"TableName": "tbl_main", "Key": key(name)}}


def write(*actions: dict[str, Any], **params: Any) -> Request:
    return ("TransactWriteItems", {"TransactItems": list(actions), **params})


def read(name: str, expected: dict[str, Any] | None) -> tuple[str, dict[str, Any], Returns]:
    request = get(key(name), ConsistentRead=True)[1]
    return ("GetItem", request, Returns({"Item": ABSENT if expected is None else expected}))


def transact_get(*keys: dict[str, Any], name: str = "tbl_main", **params: Any) -> Request:
    items = [{"Get": {"TableName": name, "Key": item_key, **params}} for item_key in keys]
    return ("TransactGetItems", {"TransactItems": items})


INCREMENT = {"ExpressionAttributeValues": {":one": N(1)}}

CASES = [
    Case(
        "write-same-item-twice",
        TRANSACT_WRITE,
        write(put_action(key("n")), update_action("n", "SET v = :one", **INCREMENT)),
        Fails("ValidationException"),
        SETUP,
        then=[read("n", None)],
    ),
    Case(
        "write-check-and-update-same-item",
        TRANSACT_WRITE,
        write(
            check_action("a", "attribute_exists(pk)"),
            update_action("a", "SET v = :one", **INCREMENT),
        ),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "write-reasons-in-order",
        TRANSACT_WRITE,
        write(put_action(key("b")), check_action("a"), put_action(key("c"))),
        Fails("TransactionCanceledException", reasons=("None", "ConditionalCheckFailed", "None")),
        SETUP,
        then=[read("b", None), read("c", None), read("a", OLD)],
    ),
    Case(
        "write-two-failed-conditions",
        TRANSACT_WRITE,
        write(
            put_action(OLD, ABSENT_PK),
            delete_action("b"),
            update_action(
                "x", "SET v = :one", ConditionExpression="attribute_exists(pk)", **INCREMENT
            ),
        ),
        Fails(
            "TransactionCanceledException",
            reasons=("ConditionalCheckFailed", "None", "ConditionalCheckFailed"),
        ),
        SETUP,
        then=[read("x", None)],
    ),
    Case(
        "write-canceled-applies-nothing",
        TRANSACT_WRITE,
        write(
            update_action("a", "SET v = :one", **INCREMENT),
            delete_action("a2"),
            put_action(key("d"), name="tbl_other"),
            check_action("zz", "attribute_exists(pk)"),
        ),
        Fails(
            "TransactionCanceledException",
            reasons=("None", "None", "None", "ConditionalCheckFailed"),
        ),
        (*SETUP, put({"pk": S("a2")})),
        then=[
            read("a", OLD),
            read("a2", {"pk": S("a2")}),
            ("GetItem", {"TableName": "tbl_other", "Key": key("d")}, Returns({"Item": ABSENT})),
        ],
    ),
    Case(
        "write-reason-returns-old-item",
        TRANSACT_WRITE,
        write(
            put_action(key("b")), check_action("a", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        ),
        Fails(
            "TransactionCanceledException",
            reasons=("None", "ConditionalCheckFailed"),
            reason_items=(None, OLD),
        ),
        SETUP,
    ),
    Case(
        "write-applies-every-action",
        TRANSACT_WRITE,
        write(
            check_action("a", "attribute_exists(pk)"),
            put_action(key("b"), ABSENT_PK),
            update_action("c", "SET v = :one", **INCREMENT),
            put_action(key("d"), name="tbl_other"),
        ),
        Returns({}),
        SETUP,
        then=[read("b", key("b")), read("c", {"pk": S("c"), "v": N(1)}), read("a", OLD)],
    ),
    Case(
        "write-delete-applies",
        TRANSACT_WRITE,
        write(delete_action("a")),
        Returns({}),
        SETUP,
        then=[read("a", None)],
    ),
    Case(
        "write-update-key-attribute",
        TRANSACT_WRITE,
        write(update_action("a", "SET pk = :b", ExpressionAttributeValues={":b": S("b")})),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "write-101-actions",
        TRANSACT_WRITE,
        write(*(put_action(key(f"k{i}")) for i in range(101))),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "write-100-actions",
        TRANSACT_WRITE,
        write(*(put_action(key(f"k{i}")) for i in range(100))),
        Returns({}),
        SETUP,
        then=[("Scan", {"TableName": "tbl_main", "Select": "COUNT"}, Returns({"Count": 101}))],
    ),
    Case(
        "write-missing-table",
        TRANSACT_WRITE,
        write(put_action(key("b"), name="tbl_missing")),
        Fails("ResourceNotFoundException"),
        SETUP,
    ),
    Case(
        "write-idempotent-token-mismatch",
        TRANSACT_WRITE,
        write(put_action(key("c")), ClientRequestToken="token-1"),
        Fails("IdempotentParameterMismatchException"),
        (*SETUP, write(put_action(key("b")), ClientRequestToken="token-1")),
    ),
    Case(
        "get-items-in-request-order",
        TRANSACT_GET,
        transact_get(key("b"), key("a"), key("missing")),
        Returns({"Responses": [{"Item": key("b")}, {"Item": OLD}, {}]}),
        (*SETUP, put(key("b"))),
    ),
    Case(
        "get-items-projection",
        TRANSACT_GET,
        transact_get(key("a"), ProjectionExpression="v"),
        Returns({"Responses": [{"Item": {"v": N(1)}}]}),
        SETUP,
    ),
    Case(
        "get-items-missing-table",
        TRANSACT_GET,
        transact_get(key("a"), name="tbl_missing"),
        Fails("ResourceNotFoundException"),
        SETUP,
    ),
    Case(
        "get-items-101-actions",
        TRANSACT_GET,
        transact_get(*(key(f"k{i}") for i in range(101))),
        Fails("ValidationException"),
        SETUP,
    ),
]


DYNALITE_NO_TRANSACTIONS = "dynalite 4.0.0 does not implement transactions."

DEPARTURES: dict[str, dict[str, str]] = {
    case.id: {"dynalite": DYNALITE_NO_TRANSACTIONS} for case in CASES
}
DEPARTURES["write-idempotent-token-mismatch"]["moto"] = (
    "moto accepts a reused ClientRequestToken with other parameters."
)
DEPARTURES["get-items-projection"]["moto"] = (
    "moto ignores ProjectionExpression in TransactGetItems."
)


@parametrize(CASES, DEPARTURES)
def test_transaction_rule(case: Case, backend: str, backend_executor: Any) -> None:
    run_case(case, backend_executor, server=backend != "memory")
