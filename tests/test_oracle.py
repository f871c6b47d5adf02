"""The evaluation oracle: unit cases, and agreement with executors running compiled expressions.

The properties generate schemaless items and conditions or updates on them, compile each value
with the request compiler's placeholders, send it as a raw PutItem or UpdateItem, and compare the
outcome with `oracle.evaluate` or `oracle.apply`.
"""

from __future__ import annotations

import decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from bloopfp import conditions as c
from bloopfp import oracle
from bloopfp import updates as u
from bloopfp.compiler.expressions import condition as compile_condition
from bloopfp.compiler.expressions import update as compile_update
from bloopfp.compiler.placeholders import Placeholders
from bloopfp.paths import Path, Size, path

TABLE = "oracle"
KEY = {"pk": {"S": "item"}}

# Attribute names, including ones that would break an expression written as text.
NAMES = ("a", "b", "name", "a.b", "#n0", ":v0", "size", "x y", "ü")
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=4)
NUMBERS = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)
BYTES = st.binary(max_size=3)


# Items.


def scalar_values() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        TEXT.map(lambda s: {"S": s}),
        NUMBERS.map(lambda n: {"N": str(n)}),
        BYTES.map(lambda b: {"B": b}),
        st.booleans().map(lambda b: {"BOOL": b}),
        st.just({"NULL": True}),
    )


def attribute_values() -> st.SearchStrategy[dict[str, Any]]:
    sets = st.one_of(
        st.sets(TEXT, min_size=1, max_size=3).map(lambda s: {"SS": sorted(s)}),
        st.sets(st.integers(-5, 5), min_size=1, max_size=3).map(
            lambda s: {"NS": [str(n) for n in sorted(s)]}
        ),
        st.sets(BYTES, min_size=1, max_size=3).map(lambda s: {"BS": sorted(s)}),
    )
    return st.recursive(
        st.one_of(scalar_values(), sets),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda items: {"L": items}),
            st.dictionaries(st.sampled_from(NAMES), inner, max_size=3).map(
                lambda fields: {"M": fields}
            ),
        ),
        max_leaves=6,
    )


items = st.dictionaries(st.sampled_from(NAMES), attribute_values(), max_size=5)


# Conditions, drawn on a small set of paths so that they often hit generated attributes.

paths = st.one_of(
    st.sampled_from(NAMES).map(lambda name: path(name)),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)).map(lambda p: path(*p)),
    st.tuples(st.sampled_from(NAMES), st.integers(0, 2)).map(lambda p: path(*p)),
)
ordered_values = st.one_of(TEXT, NUMBERS, BYTES)
plain_values = st.one_of(ordered_values, st.booleans())


@st.composite
def between_conditions(draw: st.DrawFn) -> c.Condition:
    kind = draw(st.sampled_from((TEXT, NUMBERS, BYTES)))
    low, high = draw(kind), draw(kind)
    ordered = sorted((low, high), key=lambda v: v.encode() if isinstance(v, str) else v)
    return c.between(draw(paths), *ordered)


leaf_conditions = st.one_of(
    st.builds(c.compare, st.sampled_from(("=", "<>")), paths, plain_values),
    st.builds(c.compare, st.sampled_from(c.ORDERING), paths, ordered_values),
    st.builds(
        lambda op, left, right: c.compare(op, path(left), path(right)),
        st.sampled_from(c.COMPARATORS),
        st.sampled_from(NAMES[:4]),
        st.sampled_from(NAMES[4:]),
    ),
    between_conditions(),
    st.builds(c.in_, paths, st.lists(plain_values, min_size=1, max_size=4)),
    st.builds(c.begins_with, paths, st.one_of(TEXT, BYTES)),
    st.builds(c.contains, paths, plain_values),
    st.builds(c.attribute_exists, paths),
    st.builds(c.attribute_not_exists, paths),
    st.builds(c.attribute_type, paths, st.sampled_from(c.ATTRIBUTE_TYPES)),
    st.builds(
        lambda op, target, n: c.compare(op, c.size(target), n),
        st.sampled_from(c.COMPARATORS),
        paths,
        st.integers(0, 4),
    ),
)

condition_values = st.recursive(
    leaf_conditions,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: c.and_(*parts)),
        st.lists(inner, min_size=2, max_size=3).map(lambda parts: c.or_(*parts)),
        inner.map(c.not_),
    ),
    max_leaves=4,
)


# Running compiled values.


def create_table(executor: Any) -> None:
    executor.call(
        "CreateTable",
        {
            "TableName": TABLE,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def store(executor: Any, item: dict[str, Any]) -> None:
    executor.call("PutItem", {"TableName": TABLE, "Item": {**item, **KEY}})


def run_condition(executor: Any, condition: c.Condition, item: dict[str, Any]) -> bool:
    """Send a conditional PutItem of the stored item and report whether the condition held."""
    placeholders = Placeholders()
    params = {
        "TableName": TABLE,
        "Item": {**item, **KEY},
        "ConditionExpression": compile_condition(condition, placeholders),
    }
    placeholders.add_to(params)
    try:
        executor.call("PutItem", params)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def run_update(executor: Any, update: u.Update) -> dict[str, Any] | None:
    """Send an UpdateItem and return the new item, or None when DynamoDB rejected it."""
    placeholders = Placeholders()
    params = {
        "TableName": TABLE,
        "Key": KEY,
        "UpdateExpression": compile_update(update, placeholders),
        "ReturnValues": "ALL_NEW",
    }
    placeholders.add_to(params)
    try:
        response = executor.call("UpdateItem", params)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ValidationException":
            return None
        raise
    attributes = dict(response.get("Attributes", {}))
    attributes.pop("pk", None)
    return attributes


def normalized(value: Any) -> Any:
    """Return a comparable form of an AttributeValue: numbers by value, sets unordered."""
    if isinstance(value, dict) and len(value) == 1:
        [(code, stored)] = value.items()
        if code == "N":
            return ("N", decimal.Decimal(stored))
        if code == "NS":
            return ("NS", frozenset(decimal.Decimal(n) for n in stored))
        if code in ("SS", "BS"):
            return (code, frozenset(bytes(s) if code == "BS" else s for s in stored))
        if code == "B":
            return ("B", bytes(stored))
        if code == "L":
            return ("L", tuple(normalized(v) for v in stored))
        if code == "M":
            return ("M", normalized_item(stored))
        return (code, stored)
    return value


def normalized_item(item: dict[str, Any]) -> frozenset[Any]:
    return frozenset((name, normalized(value)) for name, value in item.items())


# Unit cases.


def test_missing_attribute_comparisons() -> None:
    for operator in ("=", "<", "<=", ">", ">="):
        assert not oracle.evaluate(c.compare(operator, path("x"), 1), {})
    assert oracle.evaluate(c.ne(path("x"), 1), {})


def test_cross_type_comparisons() -> None:
    item = {"x": {"S": "1"}}
    assert not oracle.evaluate(c.eq(path("x"), 1), item)
    assert oracle.evaluate(c.ne(path("x"), 1), item)
    assert not oracle.evaluate(c.lt(path("x"), 5), item)
    assert not oracle.evaluate(c.ge(path("x"), 0), item)


def test_string_order_is_utf8_bytes() -> None:
    # U+FFFD sorts after U+1F986 in UTF-16 code units but before it in UTF-8 bytes.
    item = {"x": {"S": "\ufffd"}}
    assert oracle.evaluate(c.lt(path("x"), "🦆"), item)


def test_number_order_is_numeric() -> None:
    item = {"x": {"N": "10"}}
    assert oracle.evaluate(c.gt(path("x"), 9), item)
    assert oracle.evaluate(c.eq(path("x"), decimal.Decimal("10.00")), item)


def test_size_per_type() -> None:
    item = {
        "s": {"S": "é🦆"},
        "b": {"B": b"abc"},
        "ss": {"SS": ["a", "b"]},
        "l": {"L": [{"N": "1"}]},
        "m": {"M": {}},
        "n": {"N": "123"},
    }
    assert oracle.evaluate(c.eq(c.size(path("s")), 3), item)
    assert oracle.evaluate(c.eq(c.size(path("b")), 3), item)
    assert oracle.evaluate(c.eq(c.size(path("ss")), 2), item)
    assert oracle.evaluate(c.eq(c.size(path("l")), 1), item)
    assert oracle.evaluate(c.eq(c.size(path("m")), 0), item)
    assert not oracle.evaluate(c.ge(c.size(path("n")), 0), item)
    assert not oracle.evaluate(c.ge(c.size(path("missing")), 0), item)


def test_contains_and_begins_with() -> None:
    item = {"s": {"S": "hello"}, "ns": {"NS": ["1", "2"]}, "l": {"L": [{"M": {"a": {"N": "1"}}}]}}
    assert oracle.evaluate(c.contains(path("s"), "ell"), item)
    assert oracle.evaluate(c.contains(path("ns"), decimal.Decimal("2.0")), item)
    assert oracle.evaluate(c.contains(path("l"), {"a": 1}), item)
    assert oracle.evaluate(c.begins_with(path("s"), "he"), item)
    assert not oracle.evaluate(c.begins_with(path("ns"), "1"), item)


def test_empty_condition_holds() -> None:
    assert oracle.evaluate(c.EMPTY, {})


def test_apply_leaves_input_unchanged() -> None:
    item = {"l": {"L": [{"S": "a"}]}, "n": {"N": "1"}}
    before = {"l": {"L": [{"S": "a"}]}, "n": {"N": "1"}}
    result = oracle.apply(u.append(path("l"), ["b"]) & u.increment(path("n")), item)
    assert item == before
    assert result == {"l": {"L": [{"S": "a"}, {"S": "b"}]}, "n": {"N": "2"}}


def test_apply_set_reads_old_item() -> None:
    item = {"a": {"N": "1"}, "b": {"N": "2"}}
    result = oracle.apply(u.set_(path("a"), path("b")) & u.set_(path("b"), path("a")), item)
    assert result == {"a": {"N": "2"}, "b": {"N": "1"}}


def test_apply_rejects_missing_operand() -> None:
    with pytest.raises(oracle.UpdateRejected, match="does not exist"):
        oracle.apply(u.set_(path("a"), u.plus(path("missing"), 1)), {})


def test_apply_delete_empties_set() -> None:
    result = oracle.apply(u.delete(path("s"), {"a"}), {"s": {"SS": ["a"]}})
    assert result == {}


def test_apply_list_removals_use_old_indexes() -> None:
    item = {"l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]}}
    result = oracle.apply(u.remove(path("l", 0)) & u.remove(path("l", 2)), item)
    assert result == {"l": {"L": [{"N": "1"}]}}


# Agreement with executors.


def _python(value: dict[str, Any]) -> Any:
    """Return the Python value that Dynamic dumps to `value`."""
    from bloopfp.types import Dynamic

    return Dynamic().load(value)


update_values = st.one_of(
    st.builds(u.set_, paths, attribute_values().filter(lambda v: "NULL" not in v).map(_python)),
    st.builds(u.set_, paths, paths),
    st.builds(u.remove, paths),
    st.builds(u.add, paths, st.one_of(NUMBERS, st.sets(TEXT, min_size=1, max_size=2))),
    st.builds(u.delete, paths, st.sets(TEXT, min_size=1, max_size=2)),
    st.builds(lambda t, n: u.set_(t, u.plus(t, n)), paths, NUMBERS),
    st.builds(lambda t, n: u.set_(t, u.if_not_exists(t, n)), paths, NUMBERS),
    st.builds(u.append, paths, st.lists(TEXT, max_size=2)),
    st.builds(u.prepend, paths, st.lists(NUMBERS, max_size=2)),
    st.builds(u.append_or_create, paths, st.lists(TEXT, max_size=2)),
)


@st.composite
def combined_updates(draw: st.DrawFn) -> u.Update:
    parts = draw(st.lists(update_values, min_size=1, max_size=3))
    combined = parts[0]
    for part in parts[1:]:
        try:
            combined = combined & part
        except c.InvalidCondition:
            continue
    return combined


def _check_conditions(executor: Any, item: dict[str, Any], condition: c.Condition) -> None:
    store(executor, item)
    expected = oracle.evaluate(condition, {**item, **KEY})
    assert _skipping_crashes(run_condition, executor, condition, item) == expected, condition


def _check_update(executor: Any, item: dict[str, Any], update: u.Update) -> None:
    store(executor, item)
    try:
        expected: Any = normalized_item(oracle.apply(update, item))
    except oracle.UpdateRejected:
        expected = None
    result = _skipping_crashes(run_update, executor, update)
    actual = None if result is None else normalized_item(result)
    assert actual == expected, update


def _skipping_crashes(function: Any, *arguments: Any) -> Any:
    """Call `function`, rejecting the example when the server fails with HTTP 500.

    Moto 5 crashes on some type mismatches (BETWEEN on a list, for example) instead of
    evaluating them, so those examples tell nothing about the oracle.
    """
    try:
        return function(*arguments)
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 500:
            reject()
        raise


MEMORY_SETTINGS = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
MOTO_SETTINGS = settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@MEMORY_SETTINGS
@given(item=items, condition=condition_values)
def test_oracle_matches_memory_conditions(item: dict[str, Any], condition: c.Condition) -> None:
    from bloopfp.executors.memory import MemoryExecutor

    executor = MemoryExecutor()
    create_table(executor)
    _check_conditions(executor, item, condition)


@MEMORY_SETTINGS
@given(item=items, update=combined_updates())
def test_oracle_matches_memory_updates(item: dict[str, Any], update: u.Update) -> None:
    from bloopfp.executors.memory import MemoryExecutor

    executor = MemoryExecutor()
    create_table(executor)
    _check_update(executor, item, update)


@pytest.mark.moto
@MOTO_SETTINGS
@given(item=items, condition=condition_values)
def test_oracle_matches_moto_conditions(
    moto_executor: Any, item: dict[str, Any], condition: c.Condition
) -> None:
    _ensure_table(moto_executor)
    assume(_moto_supports(condition, item))
    _check_conditions(moto_executor, item, condition)


@pytest.mark.moto
@MOTO_SETTINGS
@given(item=items, update=combined_updates())
def test_oracle_matches_moto_updates(
    moto_executor: Any, item: dict[str, Any], update: u.Update
) -> None:
    _ensure_table(moto_executor)
    assume(all(_moto_writes(item, action.path) for action in update.actions))
    _check_update(moto_executor, item, update)


def _ensure_table(executor: Any) -> None:
    if TABLE not in executor.call("ListTables", {})["TableNames"]:
        create_table(executor)


def _moto_supports(condition: c.Condition, item: dict[str, Any]) -> bool:
    """Whether moto 5 agrees with DynamoDB's documented rules on this condition.

    Moto raises on size() of an absent attribute. When one side of a path-to-path comparison is
    absent, moto compares it as if it held NULL, so `a = b` is true for a NULL `a` and an absent
    `b`, and `a <> b` is false when both are absent. DynamoDB's documentation does not settle the
    second case.
    """
    for comparison in _comparisons(condition):
        operands = (comparison.left, comparison.right)
        sizes = [node.path for node in operands if isinstance(node, Size)]
        if any(oracle.resolve(item, p.segments) is None for p in sizes):
            return False
        both_paths = all(isinstance(node, Path) for node in operands)
        if both_paths and any(oracle.resolve(item, p.segments) is None for p in operands):
            return False
    return True


def _moto_writes(item: dict[str, Any], target: Path) -> bool:
    """Whether moto 5 handles a write to `target` as DynamoDB does.

    DynamoDB rejects a nested path whose parent is a list where a map is needed, or a map where
    a list is needed. Moto 5 leaves the item unchanged instead.
    """
    if len(target.segments) == 1:
        return True
    parent = oracle.resolve(item, target.segments[:-1])
    if parent is None:
        return True
    container = "L" if isinstance(target.segments[-1], int) else "M"
    return container in parent


def _comparisons(condition: c.Condition) -> list[c.Comparison]:
    if isinstance(condition, c.And | c.Or):
        return [found for part in condition.conditions for found in _comparisons(part)]
    if isinstance(condition, c.Not):
        return _comparisons(condition.condition)
    if isinstance(condition, c.Comparison):
        return [condition]
    return []
