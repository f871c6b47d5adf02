"""Single-item writes: ReturnValues, condition failures and the effect of update actions."""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import (
    ABSENT,
    NS,
    SS,
    Case,
    Expectation,
    Fails,
    L,
    M,
    N,
    Request,
    Returns,
    S,
    get,
    parametrize,
    put,
    run_case,
    table,
    update,
)

PUT_ITEM = "PutItem - Amazon DynamoDB"
UPDATE_ITEM = "UpdateItem - Amazon DynamoDB"
DELETE_ITEM = "DeleteItem - Amazon DynamoDB"
UPDATES = "Using update expressions in DynamoDB"

KEY = {"pk": S("a")}
OLD = {"pk": S("a"), "num": N(5), "txt": S("old"), "keep": S("k")}
SETUP = (table(), put(OLD))


def read_back(item: dict[str, Any] | None) -> tuple[str, dict[str, Any], Expectation]:
    """Return a follow-up GetItem of KEY that expects `item`, or no item when it is None."""
    expected = Returns({"Item": ABSENT if item is None else item})
    return ("GetItem", {"TableName": "tbl_main", "Key": KEY, "ConsistentRead": True}, expected)


def updated(
    case_id: str,
    expression: str,
    values: dict[str, Any] | None,
    start: dict[str, Any] | None,
    result: dict[str, Any] | None,
    source: str = UPDATES,
) -> Case:
    """Return a case where UpdateItem turns item `start` into `result`."""
    params: dict[str, Any] = {}
    if values is not None:
        params["ExpressionAttributeValues"] = values
    setup: tuple[Request, ...] = (table(),) if start is None else (table(), put(start))
    return Case(
        case_id,
        source,
        update(KEY, expression, **params),
        Returns({}),
        setup,
        then=[read_back(result)],
    )


def with_return(operation: str, return_values: str, **params: Any) -> Request:
    request: dict[str, Any] = {"TableName": "tbl_main", "ReturnValues": return_values, **params}
    if operation != "PutItem":
        request["Key"] = KEY
    return (operation, request)


NEW = {"pk": S("a"), "txt": S("new")}
SET_TXT = {
    "UpdateExpression": "SET txt = :t, added = :n",
    "ExpressionAttributeValues": {":t": S("new"), ":n": N(1)},
}
FAILING = {"ConditionExpression": "attribute_not_exists(pk)"}

CASES = [
    # ReturnValues on PutItem: NONE and ALL_OLD only.
    Case(
        "put-return-none",
        PUT_ITEM,
        with_return("PutItem", "NONE", Item=NEW),
        Returns({"Attributes": ABSENT}),
        SETUP,
    ),
    Case(
        "put-return-all-old",
        PUT_ITEM,
        with_return("PutItem", "ALL_OLD", Item=NEW),
        Returns({"Attributes": OLD}),
        SETUP,
    ),
    Case(
        "put-return-all-old-new-item",
        PUT_ITEM,
        with_return("PutItem", "ALL_OLD", Item=NEW),
        Returns({"Attributes": ABSENT}),
        (table(),),
    ),
    Case(
        "put-return-updated-new",
        PUT_ITEM,
        with_return("PutItem", "UPDATED_NEW", Item=NEW),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "put-return-all-new",
        PUT_ITEM,
        with_return("PutItem", "ALL_NEW", Item=NEW),
        Fails("ValidationException"),
        SETUP,
    ),
    # ReturnValues on UpdateItem: all five options.
    Case(
        "update-return-none",
        UPDATE_ITEM,
        with_return("UpdateItem", "NONE", **SET_TXT),
        Returns({"Attributes": ABSENT}),
        SETUP,
    ),
    Case(
        "update-return-all-old",
        UPDATE_ITEM,
        with_return("UpdateItem", "ALL_OLD", **SET_TXT),
        Returns({"Attributes": OLD}),
        SETUP,
    ),
    Case(
        "update-return-updated-old",
        UPDATE_ITEM,
        with_return("UpdateItem", "UPDATED_OLD", **SET_TXT),
        Returns({"Attributes": {"txt": S("old")}}),
        SETUP,
    ),
    Case(
        "update-return-all-new",
        UPDATE_ITEM,
        with_return("UpdateItem", "ALL_NEW", **SET_TXT),
        Returns({"Attributes": {**OLD, "txt": S("new"), "added": N(1)}}),
        SETUP,
    ),
    Case(
        "update-return-updated-new",
        UPDATE_ITEM,
        with_return("UpdateItem", "UPDATED_NEW", **SET_TXT),
        Returns({"Attributes": {"txt": S("new"), "added": N(1)}}),
        SETUP,
    ),
    Case(
        "update-return-invalid",
        UPDATE_ITEM,
        with_return("UpdateItem", "EVERYTHING", **SET_TXT),
        Fails("ValidationException"),
        SETUP,
    ),
    # ReturnValues on DeleteItem: NONE and ALL_OLD only.
    Case(
        "delete-return-all-old",
        DELETE_ITEM,
        with_return("DeleteItem", "ALL_OLD"),
        Returns({"Attributes": OLD}),
        SETUP,
        then=[read_back(None)],
    ),
    Case(
        "delete-return-none",
        DELETE_ITEM,
        with_return("DeleteItem", "NONE"),
        Returns({"Attributes": ABSENT}),
        SETUP,
    ),
    Case(
        "delete-return-all-new",
        DELETE_ITEM,
        with_return("DeleteItem", "ALL_NEW"),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "delete-absent-item",
        DELETE_ITEM,
        with_return("DeleteItem", "ALL_OLD"),
        Returns({"Attributes": ABSENT}),
        (table(),),
    ),
    # Failed conditions, with and without the old item in the error.
    Case(
        "put-condition-failed",
        PUT_ITEM,
        ("PutItem", {"TableName": "tbl_main", "Item": NEW, **FAILING}),
        Fails("ConditionalCheckFailedException"),
        SETUP,
        then=[read_back(OLD)],
    ),
    Case(
        "put-condition-failed-all-old",
        PUT_ITEM,
        (
            "PutItem",
            {
                "TableName": "tbl_main",
                "Item": NEW,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                **FAILING,
            },
        ),
        Fails("ConditionalCheckFailedException", item=OLD),
        SETUP,
    ),
    Case(
        "update-condition-failed-all-old",
        UPDATE_ITEM,
        update(KEY, "REMOVE txt", ReturnValuesOnConditionCheckFailure="ALL_OLD", **FAILING),
        Fails("ConditionalCheckFailedException", item=OLD),
        SETUP,
        then=[read_back(OLD)],
    ),
    Case(
        "delete-condition-failed-all-old",
        DELETE_ITEM,
        (
            "DeleteItem",
            {
                "TableName": "tbl_main",
                "Key": KEY,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                **FAILING,
            },
        ),
        Fails("ConditionalCheckFailedException", item=OLD),
        SETUP,
        then=[read_back(OLD)],
    ),
    Case(
        "update-condition-on-absent-item",
        UPDATE_ITEM,
        update(KEY, "REMOVE txt", ConditionExpression="attribute_exists(pk)"),
        Fails("ConditionalCheckFailedException"),
        (table(),),
        then=[read_back(None)],
    ),
    Case(
        "put-if-absent-succeeds",
        PUT_ITEM,
        ("PutItem", {"TableName": "tbl_main", "Item": NEW, **FAILING}),
        Returns({}),
        (table(),),
        then=[read_back(NEW)],
    ),
    # Effects of SET, REMOVE, ADD and DELETE.
    updated(
        "update-creates-item",
        "SET txt = :t",
        {":t": S("x")},
        None,
        {"pk": S("a"), "txt": S("x")},
        UPDATE_ITEM,
    ),
    updated(
        "update-reads-values-before-update",
        "SET txt = :t, dup = txt",
        {":t": S("new")},
        OLD,
        {**OLD, "txt": S("new"), "dup": S("old")},
    ),
    updated(
        "set-list-index-past-end-appends",
        "SET l[5] = :v",
        {":v": S("z")},
        {**KEY, "l": L(S("x"))},
        {**KEY, "l": L(S("x"), S("z"))},
    ),
    updated(
        "set-list-index-replaces",
        "SET l[0] = :v",
        {":v": S("z")},
        {**KEY, "l": L(S("x"), S("y"))},
        {**KEY, "l": L(S("z"), S("y"))},
    ),
    updated(
        "remove-list-index-shifts",
        "REMOVE l[0]",
        None,
        {**KEY, "l": L(S("x"), S("y"))},
        {**KEY, "l": L(S("y"))},
    ),
    updated(
        "remove-absent-list-index",
        "REMOVE l[7]",
        None,
        {**KEY, "l": L(S("x"))},
        {**KEY, "l": L(S("x"))},
    ),
    updated("remove-absent-attribute", "REMOVE nothing", None, OLD, OLD),
    updated("add-creates-number", "ADD hits :n", {":n": N(3)}, KEY, {**KEY, "hits": N(3)}),
    updated("add-increments-number", "ADD num :n", {":n": N(-2)}, OLD, {**OLD, "num": N(3)}),
    updated("add-creates-set", "ADD tags :s", {":s": SS("x")}, KEY, {**KEY, "tags": SS("x")}),
    updated(
        "add-unions-set",
        "ADD nums :s",
        {":s": NS(2, 3)},
        {**KEY, "nums": NS(1, 2)},
        {**KEY, "nums": NS(1, 2, 3)},
    ),
    updated("add-creates-item", "ADD hits :n", {":n": N(1)}, None, {**KEY, "hits": N(1)}),
    updated(
        "delete-removes-set-members",
        "DELETE tags :s",
        {":s": SS("x")},
        {**KEY, "tags": SS("x", "y")},
        {**KEY, "tags": SS("y")},
    ),
    updated(
        "delete-last-set-member", "DELETE tags :s", {":s": SS("x")}, {**KEY, "tags": SS("x")}, KEY
    ),
    updated("delete-from-absent-set", "DELETE tags :s", {":s": SS("x")}, KEY, KEY),
    updated("set-arithmetic", "SET num = num + :n", {":n": N(10)}, OLD, {**OLD, "num": N(15)}),
    updated("set-if-not-exists-keeps", "SET num = if_not_exists(num, :n)", {":n": N(0)}, OLD, OLD),
    updated(
        "set-if-not-exists-fills",
        "SET fresh = if_not_exists(fresh, :n)",
        {":n": N(0)},
        OLD,
        {**OLD, "fresh": N(0)},
    ),
    updated(
        "set-list-append",
        "SET l = list_append(l, :v)",
        {":v": L(S("z"))},
        {**KEY, "l": L(S("x"))},
        {**KEY, "l": L(S("x"), S("z"))},
    ),
    updated(
        "set-list-prepend",
        "SET l = list_append(:v, l)",
        {":v": L(S("z"))},
        {**KEY, "l": L(S("x"))},
        {**KEY, "l": L(S("z"), S("x"))},
    ),
    updated(
        "set-nested-map-member",
        "SET m.b = :v",
        {":v": N(2)},
        {**KEY, "m": M(a=N(1))},
        {**KEY, "m": M(a=N(1), b=N(2))},
    ),
    Case(
        "set-missing-intermediate-map",
        UPDATES,
        update(KEY, "SET m.b.c = :v", ExpressionAttributeValues={":v": N(1)}),
        Fails("ValidationException"),
        (table(), put({**KEY, "m": M(a=N(1))})),
    ),
    Case(
        "set-member-of-missing-map",
        UPDATES,
        update(KEY, "SET absent.b = :v", ExpressionAttributeValues={":v": N(1)}),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "set-index-of-non-list",
        UPDATES,
        update(KEY, "SET txt[0] = :v", ExpressionAttributeValues={":v": N(1)}),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "get-projection-nested",
        "Using projection expressions in DynamoDB",
        get(KEY, ProjectionExpression="m.b, l[1]"),
        Returns({"Item": {"m": M(b=N(2)), "l": L(S("y"))}}),
        (table(), put({**KEY, "m": M(a=N(1), b=N(2)), "l": L(S("x"), S("y"))})),
    ),
    updated("update-remove-creates-item", "REMOVE txt", None, None, KEY, UPDATE_ITEM),
    Case(
        "set-index-of-missing-list",
        UPDATES,
        update(KEY, "SET absent[0] = :v", ExpressionAttributeValues={":v": N(1)}),
        Fails("ValidationException"),
        SETUP,
    ),
    Case(
        "get-projection-matches-nothing",
        "Using projection expressions in DynamoDB",
        get(KEY, ProjectionExpression="absent"),
        Returns({"Item": {}}),
        SETUP,
    ),
]


DYNALITE_NO_OLD_ITEM = "dynalite ignores ReturnValuesOnConditionCheckFailure."

DEPARTURES = {
    "delete-return-all-new": {"dynalite": "dynalite accepts ReturnValues ALL_NEW on DeleteItem."},
    "put-condition-failed-all-old": {"dynalite": DYNALITE_NO_OLD_ITEM},
    "update-condition-failed-all-old": {"dynalite": DYNALITE_NO_OLD_ITEM},
    "delete-condition-failed-all-old": {"dynalite": DYNALITE_NO_OLD_ITEM},
}


@parametrize(CASES, DEPARTURES)
def test_item_rule(case: Case, backend: str, backend_executor: Any) -> None:
    run_case(case, backend_executor, server=backend != "memory")
