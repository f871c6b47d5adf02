"""MemoryExecutor expression parsing and evaluation, seen through condition and filter results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from bloopfp.executors.memory import MemoryExecutor

KEY = {"id": {"S": "k"}}
ITEM = {
    **KEY,
    "greeting": {"S": "hello world"},
    "accent": {"S": "é"},
    "num": {"N": "10"},
    "payload": {"B": b"\x01\x02\x03"},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "tags": {"SS": ["red", "blue"]},
    "nums": {"NS": ["1", "2", "3"]},
    "entries": {"L": [{"S": "x"}, {"N": "2"}, {"M": {"deep": {"S": "y"}}}]},
    "info": {"M": {"a": {"N": "1"}, "b": {"M": {"c": {"S": "z"}}}}},
}


def make_executor() -> MemoryExecutor:
    executor = MemoryExecutor(clock=lambda: 0.0)
    executor.call(
        "CreateTable",
        {
            "TableName": "t",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    executor.call("PutItem", {"TableName": "t", "Item": ITEM})
    return executor


@pytest.fixture(scope="module")
def db() -> MemoryExecutor:
    return make_executor()


def holds(
    db: MemoryExecutor,
    expression: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
) -> bool:
    """Return whether a ConditionExpression holds for ITEM, using a ConditionCheck-like delete."""
    request: dict[str, Any] = {
        "TableName": "t",
        "Item": ITEM,
        "ConditionExpression": expression,
    }
    if values:
        request["ExpressionAttributeValues"] = values
    if names:
        request["ExpressionAttributeNames"] = names
    try:
        db.call("PutItem", request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def rejection(
    db: MemoryExecutor,
    expression: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
) -> str:
    with pytest.raises(ClientError) as caught:
        holds(db, expression, values, names)
    return str(caught.value.response["Error"]["Code"])


S = {"S": "hello world"}
TEN = {"N": "10"}


@pytest.mark.parametrize(
    "expression, values, expected",
    [
        ("num = :v", {":v": {"N": "10.0"}}, True),
        ("num <> :v", {":v": {"N": "10"}}, False),
        ("num < :v", {":v": {"N": "9.5"}}, False),
        ("num >= :v", {":v": {"N": "10"}}, True),
        ("num = :v", {":v": {"S": "10"}}, False),
        ("num <> :v", {":v": {"S": "10"}}, True),
        ("num < :v", {":v": {"S": "99"}}, False),
        ("absent = :v", {":v": TEN}, False),
        ("absent <> :v", {":v": TEN}, True),
        ("absent < :v", {":v": TEN}, False),
        ("greeting BETWEEN :a AND :b", {":a": {"S": "h"}, ":b": {"S": "i"}}, True),
        ("num BETWEEN :a AND :b", {":a": {"N": "11"}, ":b": {"N": "12"}}, False),
        ("num IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "10"}}, True),
        ("num IN (:a)", {":a": {"N": "1"}}, False),
        ("greeting > :v", {":v": {"S": "Z"}}, True),
        ("accent > :v", {":v": {"S": "z"}}, True),
        ("payload < :v", {":v": {"B": b"\x02"}}, True),
        ("tags = :v", {":v": {"SS": ["blue", "red"]}}, True),
        ("entries[2].deep = :v", {":v": {"S": "y"}}, True),
        ("info.b.c = :v", {":v": {"S": "z"}}, True),
        ("entries[7] = :v", {":v": {"S": "y"}}, False),
        ("info = :v", {":v": {"M": {"a": {"N": "1"}, "b": {"M": {"c": {"S": "z"}}}}}}, True),
        ("flag = :v", {":v": {"BOOL": True}}, True),
        ("nothing = :v", {":v": {"NULL": True}}, True),
    ],
)
def test_comparisons(
    db: MemoryExecutor, expression: str, values: dict[str, Any], expected: bool
) -> None:
    assert holds(db, expression, values) is expected


@pytest.mark.parametrize(
    "expression, values, expected",
    [
        ("attribute_exists(greeting)", None, True),
        ("attribute_exists(absent)", None, False),
        ("attribute_not_exists(absent)", None, True),
        ("attribute_exists(info.b.c)", None, True),
        ("attribute_exists(entries[5])", None, False),
        ("attribute_type(tags, :t)", {":t": {"S": "SS"}}, True),
        ("attribute_type(num, :t)", {":t": {"S": "S"}}, False),
        ("begins_with(greeting, :p)", {":p": {"S": "hell"}}, True),
        ("begins_with(greeting, :p)", {":p": {"S": "world"}}, False),
        ("begins_with(payload, :p)", {":p": {"B": b"\x01"}}, True),
        ("contains(greeting, :p)", {":p": {"S": "o w"}}, True),
        ("contains(tags, :p)", {":p": {"S": "red"}}, True),
        ("contains(tags, :p)", {":p": {"S": "green"}}, False),
        ("contains(nums, :p)", {":p": {"N": "2"}}, True),
        ("contains(entries, :p)", {":p": {"S": "x"}}, True),
        ("contains(num, :p)", {":p": {"N": "1"}}, False),
        ("size(greeting) = :n", {":n": {"N": "11"}}, True),
        ("size(accent) = :n", {":n": {"N": "1"}}, True),
        ("size(payload) = :n", {":n": {"N": "3"}}, True),
        ("size(tags) = :n", {":n": {"N": "2"}}, True),
        ("size(entries) = :n", {":n": {"N": "3"}}, True),
        ("size(info) = :n", {":n": {"N": "2"}}, True),
        ("size(num) = :n", {":n": {"N": "2"}}, False),
        ("size(absent) < :n", {":n": {"N": "2"}}, False),
    ],
)
def test_functions(
    db: MemoryExecutor, expression: str, values: dict[str, Any] | None, expected: bool
) -> None:
    assert holds(db, expression, values) is expected


@pytest.mark.parametrize(
    "expression, expected",
    [
        (
            "attribute_exists(greeting) OR attribute_exists(greeting) AND attribute_exists(absent)",
            True,
        ),
        (
            "(attribute_exists(greeting) OR attribute_exists(greeting))"
            " AND attribute_exists(absent)",
            False,
        ),
        ("NOT attribute_exists(absent) AND attribute_exists(absent)", False),
        ("NOT (attribute_exists(absent) AND attribute_exists(absent))", True),
        ("not attribute_exists(absent) and attribute_exists(greeting)", True),
        ("NOT NOT attribute_exists(greeting)", True),
    ],
)
def test_precedence(db: MemoryExecutor, expression: str, expected: bool) -> None:
    assert holds(db, expression) is expected


def test_name_placeholder_for_reserved_word(db: MemoryExecutor) -> None:
    assert holds(db, "attribute_not_exists(#n)", names={"#n": "name"})


def test_name_placeholder_with_dot_is_one_name(db: MemoryExecutor) -> None:
    assert holds(db, "attribute_not_exists(#n)", names={"#n": "info.a"})


@pytest.mark.parametrize(
    "expression, values, names",
    [
        ("name = :v", {":v": S}, None),
        ("attribute_exists(#missing)", None, None),
        ("greeting = :missing", None, None),
        ("greeting = :v", {":v": S, ":unused": S}, None),
        ("greeting = :v", {":v": S}, {"#unused": "x"}),
        ("greeting = :v", {":v": S}, {}),
        ("attribute_exists(greeting)", {}, None),
        ("greeting = = :v", {":v": S}, None),
        ("greeting = :v AND", {":v": S}, None),
        ("(greeting = :v", {":v": S}, None),
        ("greeting", None, None),
        ("", None, None),
        ("greeting = :v OR OR greeting = :v", {":v": S}, None),
        ("unknown_fn(greeting)", None, None),
        ("Attribute_Exists(greeting)", None, None),
        ("size(greeting)", None, None),
        ("attribute_exists(greeting, num)", None, None),
        ("attribute_type(greeting, :t)", {":t": {"S": "STRING"}}, None),
        ("begins_with(greeting, :p)", {":p": {"N": "1"}}, None),
        ("greeting = greeting", None, None),
        ("num BETWEEN :b AND :a", {":a": {"N": "1"}, ":b": {"N": "5"}}, None),
        ("entries[x] = :v", {":v": S}, None),
        ("greeting $ :v", {":v": S}, None),
        ("greeting = :v", {":v": {"SS": []}}, None),
        ("if_not_exists(greeting, :v) = :v", {":v": S}, None),
    ],
)
def test_invalid_conditions_rejected(
    db: MemoryExecutor,
    expression: str,
    values: dict[str, Any] | None,
    names: dict[str, str] | None,
) -> None:
    request: dict[str, Any] = {"TableName": "t", "Item": ITEM, "ConditionExpression": expression}
    if values is not None:
        request["ExpressionAttributeValues"] = values
    if names is not None:
        request["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as caught:
        db.call("PutItem", request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_reserved_word_message_names_word(db: MemoryExecutor) -> None:
    request = {"TableName": "t", "Item": ITEM, "ConditionExpression": "attribute_exists(name)"}
    with pytest.raises(ClientError) as caught:
        db.call("PutItem", request)
    assert caught.value.response["Error"]["Message"] == (
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    )


def test_unused_value_message_names_key(db: MemoryExecutor) -> None:
    request = {
        "TableName": "t",
        "Item": ITEM,
        "ConditionExpression": "attribute_exists(greeting)",
        "ExpressionAttributeValues": {":v1": S},
    }
    with pytest.raises(ClientError) as caught:
        db.call("PutItem", request)
    assert caught.value.response["Error"]["Message"] == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v1}"
    )


def test_in_with_101_options_rejected(db: MemoryExecutor) -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    expression = "num IN (" + ", ".join(values) + ")"
    assert rejection(db, expression, values) == "ValidationException"


def test_in_with_100_options_accepted(db: MemoryExecutor) -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(100)}
    expression = "num IN (" + ", ".join(values) + ")"
    assert holds(db, expression, values)


def test_every_reserved_word_rejected_raw(db: MemoryExecutor) -> None:
    from bloopfp.executors.memory.reserved import RESERVED_WORDS

    assert len(RESERVED_WORDS) == 573
    for word in ("name", "Status", "DATA", "size", "comment", "TTL"):
        assert word.upper() in RESERVED_WORDS
        code = rejection(db, f"attribute_exists({word})")
        assert code == "ValidationException"


# Properties.

numbers = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=Decimal("-1e30"), max_value=Decimal("1e30")
).map(lambda number: number.normalize() if number else Decimal(0))


@given(left=numbers, right=numbers)
def test_number_order_matches_decimal(left: Decimal, right: Decimal) -> None:
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
    item = {**KEY, "a": {"N": str(left)}}
    executor.call("PutItem", {"TableName": "t", "Item": item})
    request = {
        "TableName": "t",
        "Item": item,
        "ConditionExpression": "a < :v",
        "ExpressionAttributeValues": {":v": {"N": str(right)}},
    }
    try:
        executor.call("PutItem", request)
        outcome = True
    except ClientError:
        outcome = False
    assert outcome is (left < right)


@given(left=st.text(max_size=5), right=st.text(max_size=5))
def test_string_order_is_utf8_bytes(left: str, right: str) -> None:
    executor = make_executor()
    item = {**KEY, "a": {"S": left}}
    executor.call("PutItem", {"TableName": "t", "Item": item})
    request = {
        "TableName": "t",
        "Item": item,
        "ConditionExpression": "a < :v",
        "ExpressionAttributeValues": {":v": {"S": right}},
    }
    try:
        executor.call("PutItem", request)
        outcome = True
    except ClientError:
        outcome = False
    assert outcome is (left.encode("utf-8") < right.encode("utf-8"))


# A boolean formula over true and false atoms, rendered as DynamoDB greeting and as a Python oracle.
atoms = st.sampled_from([("attribute_exists(greeting)", True), ("attribute_exists(absent)", False)])


def combine(children: st.SearchStrategy[tuple[str, bool]]) -> st.SearchStrategy[tuple[str, bool]]:
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda p: (f"{p[0][0]} AND {p[1][0]}", p[0][1] and p[1][1])),
        pairs.map(lambda p: (f"{p[0][0]} OR {p[1][0]}", p[0][1] or p[1][1])),
        children.map(lambda c: (f"NOT {c[0]}", not c[1])),
        children.map(lambda c: (f"({c[0]})", c[1])),
    )


def python_text(expression: str) -> str:
    return (
        expression.replace("attribute_exists(greeting)", "True")
        .replace("attribute_exists(absent)", "False")
        .replace("AND", "and")
        .replace("OR", "or")
        .replace("NOT", "not")
    )


@given(st.recursive(atoms, combine, max_leaves=8))
def test_formula_matches_python_oracle(formula: tuple[str, bool]) -> None:
    expression, _ = formula
    # Python's not > and > or precedence is the one DynamoDB documents for NOT, AND and OR.
    expected = eval(python_text(expression))
    assert holds(make_executor(), expression) is expected
