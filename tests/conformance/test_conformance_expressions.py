"""Expression rules: reserved words, placeholders, syntax, update clauses, operators, functions."""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import (
    NS,
    SS,
    B,
    Case,
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

RESERVED = "Reserved words in DynamoDB"
NAMES = "Expression attribute names (aliases) in DynamoDB"
VALUES = "Using expression attribute values in DynamoDB"
UPDATES = "Using update expressions in DynamoDB"
CONDITIONS = "Condition and filter expressions, operators, and functions in DynamoDB"
UPDATE_ITEM = "UpdateItem - Amazon DynamoDB"
KEY_CONDITIONS = "Key condition expressions for the Query operation in DynamoDB"

KEY = {"pk": S("a")}
ITEM = {
    "pk": S("a"),
    "num": N(5),
    "txt": S("hello"),
    "flag": {"BOOL": True},
    "tags": SS("red", "blue"),
    "nums": NS(1, 2, 3),
    "bin": B(b"\x01\x02\x03"),
    "l": L(S("x"), S("y")),
    "m": M(part=S("v"), alt=N(1)),
}
SETUP = (table(), put(ITEM))


def scan(expression: str, values: dict[str, Any] | None = None, **params: Any) -> Request:
    """Return a Scan of tbl_main with a filter expression."""
    request: dict[str, Any] = {"TableName": "tbl_main", "FilterExpression": expression, **params}
    if values is not None:
        request["ExpressionAttributeValues"] = values
    return ("Scan", request)


def matches(count: int) -> Returns:
    return Returns({"Count": count, "ScannedCount": 1})


def invalid(case_id: str, source: str, request: Request, **extra: Any) -> Case:
    """Return a case whose request DynamoDB rejects with ValidationException."""
    return Case(case_id, source, request, Fails("ValidationException"), SETUP, **extra)


def filtered(case_id: str, source: str, request: Request, count: int, **extra: Any) -> Case:
    """Return a case whose filter keeps `count` of the one stored item."""
    return Case(case_id, source, request, matches(count), SETUP, **extra)


CASES = [
    # Reserved words used raw, in every kind of expression.
    invalid("reserved-projection", RESERVED, get(KEY, ProjectionExpression="comment")),
    invalid("reserved-filter", RESERVED, scan("status = :v", {":v": S("x")})),
    invalid(
        "reserved-update-set",
        RESERVED,
        update(KEY, "SET count = :v", ExpressionAttributeValues={":v": N(1)}),
    ),
    invalid(
        "reserved-condition",
        RESERVED,
        (
            "PutItem",
            {
                "TableName": "tbl_main",
                "Item": ITEM,
                "ConditionExpression": "attribute_exists(data)",
            },
        ),
    ),
    invalid("reserved-mixed-case", RESERVED, get(KEY, ProjectionExpression="Name")),
    invalid("reserved-nested-component", RESERVED, get(KEY, ProjectionExpression="m.year")),
    Case(
        "reserved-key-condition",
        KEY_CONDITIONS,
        (
            "Query",
            {
                "TableName": "tbl_main",
                "KeyConditionExpression": "date = :d",
                "ExpressionAttributeValues": {":d": S("x")},
            },
        ),
        Fails("ValidationException"),
        (table(hash_key=("date", "S")),),
    ),
    Case(
        "reserved-word-through-placeholder",
        NAMES,
        get(KEY, ProjectionExpression="#c", ExpressionAttributeNames={"#c": "comment"}),
        Returns({"Item": {"comment": S("ok")}}),
        (table(), put({"pk": S("a"), "comment": S("ok")})),
    ),
    Case(
        "unreserved-name-raw",
        NAMES,
        get(KEY, ProjectionExpression="txt, num"),
        Returns({"Item": {"txt": S("hello"), "num": N(5)}}),
        SETUP,
    ),
    # Placeholders that are undefined, unused or given as empty maps.
    invalid("undefined-name-placeholder", NAMES, get(KEY, ProjectionExpression="#missing")),
    invalid(
        "undefined-value-placeholder",
        VALUES,
        scan(
            "num = :missing",
            {":spare": N(1)},
            ProjectionExpression="#o",
            ExpressionAttributeNames={"#o": "num"},
        ),
    ),
    invalid("undefined-value-without-map", VALUES, scan("num = :v")),
    invalid(
        "unused-value-update",
        VALUES,
        update(KEY, "SET num = :v", ExpressionAttributeValues={":v": N(1), ":unused": N(2)}),
    ),
    invalid(
        "unused-name-get",
        NAMES,
        get(KEY, ProjectionExpression="txt", ExpressionAttributeNames={"#n": "num"}),
    ),
    invalid("names-without-expression", NAMES, get(KEY, ExpressionAttributeNames={"#n": "num"})),
    invalid(
        "values-without-expression",
        VALUES,
        (
            "PutItem",
            {"TableName": "tbl_main", "Item": ITEM, "ExpressionAttributeValues": {":v": N(1)}},
        ),
    ),
    invalid(
        "unused-name-query",
        NAMES,
        (
            "Query",
            {
                "TableName": "tbl_main",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": S("a")},
                "ExpressionAttributeNames": {"#x": "txt"},
            },
        ),
    ),
    invalid(
        "empty-names-map", NAMES, get(KEY, ProjectionExpression="txt", ExpressionAttributeNames={})
    ),
    invalid("empty-values-map", VALUES, update(KEY, "REMOVE txt", ExpressionAttributeValues={})),
    Case(
        "placeholder-shared-across-expressions",
        NAMES,
        update(
            KEY,
            "SET #n = :one",
            ConditionExpression="attribute_exists(#t)",
            ExpressionAttributeNames={"#n": "num", "#t": "txt"},
            ExpressionAttributeValues={":one": N(1)},
            ReturnValues="UPDATED_NEW",
        ),
        Returns({"Attributes": {"num": N(1)}}),
        SETUP,
    ),
    # Syntax errors.
    invalid("syntax-set-without-value", UPDATES, update(KEY, "SET num = ")),
    invalid(
        "syntax-set-without-equals",
        UPDATES,
        update(KEY, "SET num :v", ExpressionAttributeValues={":v": N(1)}),
    ),
    invalid(
        "syntax-trailing-comma",
        UPDATES,
        update(KEY, "SET num = :v,", ExpressionAttributeValues={":v": N(1)}),
    ),
    invalid(
        "syntax-unknown-clause",
        UPDATES,
        update(KEY, "INCREMENT num :v", ExpressionAttributeValues={":v": N(1)}),
    ),
    invalid("syntax-double-comparator", CONDITIONS, scan("num = = :v", {":v": N(1)})),
    invalid("syntax-unbalanced-parenthesis", CONDITIONS, scan("(num = :v", {":v": N(1)})),
    invalid("syntax-unknown-function", CONDITIONS, scan("starts_with(txt, :v)", {":v": S("h")})),
    invalid("syntax-function-name-case", CONDITIONS, scan("ATTRIBUTE_EXISTS(txt)")),
    invalid(
        "syntax-empty-condition",
        CONDITIONS,
        ("DeleteItem", {"TableName": "tbl_main", "Key": KEY, "ConditionExpression": ""}),
    ),
    # Clauses and paths of an update expression.
    invalid(
        "update-two-set-clauses",
        UPDATES,
        update(
            KEY, "SET num = :a SET txt = :b", ExpressionAttributeValues={":a": N(1), ":b": S("b")}
        ),
    ),
    invalid("update-two-remove-clauses", UPDATES, update(KEY, "REMOVE num REMOVE txt")),
    invalid(
        "update-overlap-parent-child",
        UPDATES,
        update(KEY, "SET m = :m, m.part = :v", ExpressionAttributeValues={":m": M(), ":v": S("w")}),
    ),
    invalid(
        "update-overlap-set-remove",
        UPDATES,
        update(KEY, "SET txt = :v REMOVE txt", ExpressionAttributeValues={":v": S("w")}),
    ),
    invalid(
        "update-overlap-same-index",
        UPDATES,
        update(
            KEY, "SET l[0] = :a, l[0] = :b", ExpressionAttributeValues={":a": S("p"), ":b": S("q")}
        ),
    ),
    Case(
        "update-sibling-paths",
        UPDATES,
        update(
            KEY,
            "SET m.part = :a, m.extra = :b",
            ExpressionAttributeValues={":a": S("w"), ":b": S("z")},
            ReturnValues="UPDATED_NEW",
        ),
        Returns({"Attributes": {"m": M(part=S("w"), extra=S("z"))}}),
        SETUP,
    ),
    invalid(
        "update-key-attribute-set",
        UPDATE_ITEM,
        update(KEY, "SET pk = :v", ExpressionAttributeValues={":v": S("b")}),
    ),
    invalid(
        "update-key-attribute-same-value",
        UPDATE_ITEM,
        update(KEY, "SET pk = :v", ExpressionAttributeValues={":v": S("a")}),
    ),
    Case(
        "update-key-attribute-remove-sort",
        UPDATE_ITEM,
        update({"pk": S("a"), "sk": S("b")}, "REMOVE sk"),
        Fails("ValidationException"),
        (table(range_key=("sk", "S")), put({"pk": S("a"), "sk": S("b")})),
    ),
    # Operand types of ADD, DELETE, arithmetic and list_append.
    invalid(
        "add-string-operand",
        UPDATES,
        update(KEY, "ADD txt :v", ExpressionAttributeValues={":v": S("x")}),
    ),
    invalid(
        "add-list-operand",
        UPDATES,
        update(KEY, "ADD l :v", ExpressionAttributeValues={":v": L(S("z"))}),
    ),
    invalid(
        "add-set-to-number",
        UPDATES,
        update(KEY, "ADD num :v", ExpressionAttributeValues={":v": SS("x")}),
    ),
    invalid(
        "add-number-to-string-set",
        UPDATES,
        update(KEY, "ADD tags :v", ExpressionAttributeValues={":v": N(1)}),
    ),
    invalid(
        "delete-number-operand",
        UPDATES,
        update(KEY, "DELETE tags :v", ExpressionAttributeValues={":v": N(1)}),
    ),
    invalid(
        "delete-number-set-from-string-set",
        UPDATES,
        update(KEY, "DELETE tags :v", ExpressionAttributeValues={":v": NS(1)}),
    ),
    invalid(
        "arithmetic-on-string",
        UPDATES,
        update(KEY, "SET num = txt + :one", ExpressionAttributeValues={":one": N(1)}),
    ),
    invalid(
        "arithmetic-on-missing-attribute",
        UPDATES,
        update(KEY, "SET num = absent + :one", ExpressionAttributeValues={":one": N(1)}),
    ),
    invalid(
        "list-append-string",
        UPDATES,
        update(KEY, "SET l = list_append(l, :v)", ExpressionAttributeValues={":v": S("z")}),
    ),
    invalid("size-in-update", UPDATES, update(KEY, "SET num = size(txt)")),
    invalid(
        "if-not-exists-in-condition", CONDITIONS, scan("if_not_exists(num, :v) = :v", {":v": N(1)})
    ),
    # Function operand rules.
    invalid("begins-with-number-operand", CONDITIONS, scan("begins_with(txt, :v)", {":v": N(1)})),
    filtered(
        "begins-with-number-attribute", CONDITIONS, scan("begins_with(num, :v)", {":v": S("5")}), 0
    ),
    invalid(
        "attribute-type-unknown-name",
        CONDITIONS,
        scan("attribute_type(num, :t)", {":t": S("NUMBER")}),
    ),
    invalid(
        "attribute-type-lowercase-name", CONDITIONS, scan("attribute_type(num, :t)", {":t": S("n")})
    ),
    invalid(
        "attribute-type-number-operand", CONDITIONS, scan("attribute_type(num, :t)", {":t": N(1)})
    ),
    filtered(
        "attribute-type-match", CONDITIONS, scan("attribute_type(num, :t)", {":t": S("N")}), 1
    ),
    filtered(
        "attribute-type-mismatch", CONDITIONS, scan("attribute_type(txt, :t)", {":t": S("N")}), 0
    ),
    filtered("attribute-type-map", CONDITIONS, scan("attribute_type(m, :t)", {":t": S("M")}), 1),
    # BETWEEN and IN.
    invalid(
        "between-reversed-bounds",
        CONDITIONS,
        scan("num BETWEEN :hi AND :lo", {":hi": N(10), ":lo": N(1)}),
    ),
    filtered(
        "between-inclusive-bounds",
        CONDITIONS,
        scan("num BETWEEN :lo AND :hi", {":lo": N(5), ":hi": N(5)}),
        1,
    ),
    invalid(
        "in-101-operands",
        CONDITIONS,
        scan(
            f"num IN ({', '.join(f':v{i}' for i in range(101))})",
            {f":v{i}": N(i) for i in range(101)},
        ),
    ),
    filtered(
        "in-100-operands",
        CONDITIONS,
        scan(
            f"num IN ({', '.join(f':v{i}' for i in range(100))})",
            {f":v{i}": N(i) for i in range(100)},
        ),
        1,
    ),
    filtered("in-no-match", CONDITIONS, scan("num IN (:a, :b)", {":a": N(1), ":b": S("5")}), 0),
    # Comparisons with missing attributes and across types.
    filtered("missing-not-equal-is-true", CONDITIONS, scan("absent <> :v", {":v": N(1)}), 1),
    filtered("missing-equal-is-false", CONDITIONS, scan("absent = :v", {":v": N(1)}), 0),
    filtered("missing-less-than-is-false", CONDITIONS, scan("absent < :v", {":v": N(1)}), 0),
    filtered("missing-not-less-than", CONDITIONS, scan("NOT absent < :v", {":v": N(1)}), 1),
    filtered("cross-type-less-than", CONDITIONS, scan("num < :v", {":v": S("9")}), 0),
    filtered("cross-type-equal", CONDITIONS, scan("num = :v", {":v": S("5")}), 0),
    filtered("cross-type-not-equal", CONDITIONS, scan("num <> :v", {":v": S("5")}), 1),
    filtered("number-compares-numerically", CONDITIONS, scan("num < :v", {":v": N(10)}), 1),
    filtered("map-equality", CONDITIONS, scan("m = :v", {":v": M(alt=N(1), part=S("v"))}), 1),
    # size() of each type.
    filtered("size-string", CONDITIONS, scan("size(txt) = :v", {":v": N(5)}), 1),
    filtered("size-binary", CONDITIONS, scan("size(bin) = :v", {":v": N(3)}), 1),
    filtered("size-string-set", CONDITIONS, scan("size(tags) = :v", {":v": N(2)}), 1),
    filtered("size-number-set", CONDITIONS, scan("size(nums) = :v", {":v": N(3)}), 1),
    filtered("size-list", CONDITIONS, scan("size(l) = :v", {":v": N(2)}), 1),
    filtered("size-map", CONDITIONS, scan("size(m) = :v", {":v": N(2)}), 1),
    filtered("size-missing-attribute", CONDITIONS, scan("size(absent) >= :v", {":v": N(0)}), 0),
    # contains, precedence, nested paths.
    filtered("contains-substring", CONDITIONS, scan("contains(txt, :v)", {":v": S("ell")}), 1),
    filtered("contains-set-member", CONDITIONS, scan("contains(tags, :v)", {":v": S("red")}), 1),
    filtered("contains-list-element", CONDITIONS, scan("contains(l, :v)", {":v": S("y")}), 1),
    filtered("contains-number-set-member", CONDITIONS, scan("contains(nums, :v)", {":v": N(4)}), 0),
    filtered(
        "and-binds-tighter-than-or",
        CONDITIONS,
        scan(
            "num = :five OR txt = :nope AND flag = :no",
            {":five": N(5), ":nope": S("nope"), ":no": {"BOOL": False}},
        ),
        1,
    ),
    filtered(
        "not-binds-tighter-than-and",
        CONDITIONS,
        scan("NOT num = :five AND txt = :nope", {":five": N(5), ":nope": S("nope")}),
        0,
    ),
    filtered(
        "parentheses-override-precedence",
        CONDITIONS,
        scan(
            "(num = :five OR txt = :nope) AND flag = :no",
            {":five": N(5), ":nope": S("nope"), ":no": {"BOOL": False}},
        ),
        0,
    ),
    filtered("nested-map-path", CONDITIONS, scan("m.part = :v", {":v": S("v")}), 1),
    filtered("list-index-path", CONDITIONS, scan("l[1] = :v", {":v": S("y")}), 1),
    filtered("attribute-not-exists-nested", CONDITIONS, scan("attribute_not_exists(m.absent)"), 1),
    # Placeholder syntax and limits.
    invalid(
        "name-placeholder-bad-character",
        NAMES,
        get(KEY, ProjectionExpression="#a-b", ExpressionAttributeNames={"#a-b": "txt"}),
    ),
    invalid("value-placeholder-without-colon", VALUES, scan("num = :v", {"v": N(1), ":v": N(1)})),
    invalid(
        "empty-set-as-value",
        VALUES,
        update(KEY, "SET s = :v", ExpressionAttributeValues={":v": {"NS": []}}),
    ),
    invalid(
        "expression-over-4-kb",
        "Constraints in Amazon DynamoDB",
        get(KEY, ProjectionExpression=", ".join(["txt"] * 1100)),
    ),
]


MOTO_500 = "moto returns HTTP 500 instead of ValidationException"

DEPARTURES = {
    "name-placeholder-bad-character": {"moto": "moto accepts a name placeholder containing '-'."},
    "reserved-nested-component": {
        "moto": "moto accepts a reserved word as a nested path component."
    },
    "reserved-key-condition": {"moto": "moto accepts a reserved word in a KeyConditionExpression."},
    "undefined-name-placeholder": {
        "moto": "moto accepts an undefined name placeholder in a projection."
    },
    "undefined-value-placeholder": {"moto": f"{MOTO_500} for an undefined value placeholder."},
    "undefined-value-without-map": {"moto": f"{MOTO_500} for an undefined value placeholder."},
    "values-without-expression": {
        "moto": "moto accepts ExpressionAttributeValues with no expression."
    },
    "syntax-empty-condition": {"moto": "moto accepts an empty ConditionExpression."},
    "begins-with-number-operand": {"moto": "moto accepts a number as the begins_with operand."},
    "attribute-type-unknown-name": {"moto": "moto accepts an unknown attribute_type type name."},
    "attribute-type-lowercase-name": {"moto": "moto accepts a lowercase attribute_type type name."},
    "attribute-type-number-operand": {"moto": "moto accepts a number as the attribute_type type."},
    "between-reversed-bounds": {
        "moto": "moto accepts BETWEEN with the lower bound above the upper."
    },
    "in-101-operands": {
        "moto": "moto accepts IN with more than 100 operands.",
        "dynalite": "dynalite accepts IN with more than 100 operands.",
    },
    "cross-type-less-than": {
        "moto": "moto returns HTTP 500 when < compares a number with a string."
    },
    "map-equality": {"dynalite": "dynalite never finds a map attribute equal to a map value."},
    "size-missing-attribute": {"moto": "moto rejects size() of a missing attribute."},
}


@parametrize(CASES, DEPARTURES)
def test_expression_rule(case: Case, backend: str, backend_executor: Any) -> None:
    run_case(case, backend_executor, server=backend != "memory")
