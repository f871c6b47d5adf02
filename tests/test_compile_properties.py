"""Properties of the compiler over generated models, records, conditions and operations.

Every request must be deterministic, define exactly the placeholders its expressions use,
number them from 0 in order of appearance, keep user text out of expression strings, pass
botocore's parameter validation, and leave the compiled values unchanged.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import botocore.session
import strategies
from botocore.validate import ParamValidator
from hypothesis import given
from hypothesis import strategies as st

from bloopfp import compile
from bloopfp.conditions import (
    EMPTY,
    And,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Not,
    Or,
)
from bloopfp.items import dump_item
from bloopfp.models import GlobalSecondaryIndex, spec_of
from bloopfp.operations import (
    DeleteItem,
    GetItem,
    PutItem,
    UpdateItem,
    index_attributes,
    key,
    key_columns,
    projection_paths,
    query,
    scan,
)
from bloopfp.paths import Path, Size, Value
from bloopfp.updates import diff

SERVICE_MODEL = botocore.session.get_session().get_service_model("dynamodb")
EXPRESSION_PARAMS = (
    "KeyConditionExpression",
    "ConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
    "UpdateExpression",
)
NAME_PLACEHOLDER = re.compile(r"#n\d+")
VALUE_PLACEHOLDER = re.compile(r":v\d+")

# What an expression string may contain: placeholders, list indexes, operators, keywords and
# function names. Anything else would be user text written into the expression.
_TOKEN = (
    r"#n\d+|:v\d+|\[\d+\]|<>|<=|>=|[=<>(),.+-]"
    r"|\b(?:AND|OR|NOT|BETWEEN|IN|SET|REMOVE|ADD|DELETE)\b"
    r"|\b(?:attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size"
    r"|list_append|if_not_exists)\b"
)
EXPRESSION_GRAMMAR = re.compile(rf"(?:\s*(?:{_TOKEN}))*\s*")


# Operations built from plain inputs, so that a test can build the same value twice.


def _key_values(model_cls: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {c.name: values[c.name] for c in spec_of(model_cls).keys}


def _condition(model_cls: Any, recipe: strategies.Recipe | None) -> Condition:
    return EMPTY if recipe is None else strategies.build_condition(model_cls, recipe)


def build_operation(
    model_cls: Any, kind: str, values: dict[str, Any], extra: dict[str, Any]
) -> Any:
    """Build one operation value of `kind` from plain inputs drawn by `operation_builders`."""
    condition = _condition(model_cls, extra.get("condition"))
    if kind == "put":
        return PutItem(model_cls(**values), condition=condition)
    item_key = key(model_cls, _key_values(model_cls, values))
    if kind == "get":
        projection = projection_paths(model_cls, extra["projection"])
        return GetItem(item_key, consistent=extra["consistent"], projection=projection)
    if kind == "delete":
        return DeleteItem(item_key, condition=condition)
    if kind == "update":
        update = diff(model_cls(**values), model_cls(**extra["new_values"]))
        return UpdateItem(item_key, update, condition=condition)
    target = extra["target"]
    if kind == "query":
        key_condition = _condition(model_cls, extra["key_condition"])
        return query(
            target,
            key_condition,
            filter=condition,
            projection=extra["projection"],
            forward=extra["forward"],
            page_size=extra["page_size"],
        )
    return scan(
        target,
        filter=condition,
        projection=extra["projection"],
        page_size=extra["page_size"],
        segment=extra["segment"],
        total_segments=extra["total_segments"],
    )


def _record_values(record: Any) -> dict[str, Any]:
    return attrs.asdict(record, recurse=False)


@st.composite
def _projections(draw: st.DrawFn, model_cls: Any, target: Any) -> list[str] | None:
    spec = spec_of(model_cls)
    names = [c.name for c in spec.columns]
    if isinstance(target, GlobalSecondaryIndex):
        projected = index_attributes(spec, target)
        if projected is not None:
            names = [c.name for c in spec.columns if c.key_name in projected]
    return draw(st.none() | st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))


@st.composite
def _range_recipes(draw: st.DrawFn, model_cls: Any) -> Any:
    range_column = spec_of(model_cls).range_key
    if range_column is None:
        return None
    value = strategies.values_of(range_column.type, required=True)
    operators = st.sampled_from(("=", "<", "<=", ">", ">="))
    choices = [
        st.none(),
        st.tuples(st.just("compare"), operators, st.just(range_column.name), value),
        st.tuples(
            st.just("between"),
            st.just(range_column.name),
            st.lists(value, min_size=2, max_size=2).map(
                lambda pair: sorted(pair, key=lambda v: strategies.wire_order(range_column.type, v))
            ),
        ),
    ]
    if range_column.type.backing == "S":
        choices.append(st.tuples(st.just("begins_with"), st.just(range_column.name), value))
    return draw(st.one_of(choices))


def _filter_recipes(model_cls: Any, target: Any, *, query: bool) -> st.SearchStrategy[Any]:
    """Draw None or a filter recipe that DynamoDB accepts on `target`.

    A query's filter cannot read the target's own keys, and a global index holds only the
    attributes it projects.
    """
    spec = spec_of(model_cls)
    index = None if target is model_cls else target
    names = [c.name for c in spec.columns]
    if query:
        hash_column, range_column = key_columns(spec, index)
        names = [
            n for n in names if n not in (hash_column.name, getattr(range_column, "name", None))
        ]
    if isinstance(index, GlobalSecondaryIndex):
        projected = index_attributes(spec, index)
        if projected is not None:
            names = [n for n in names if spec.column(n).key_name in projected]
    if not names:
        return st.none()
    return st.none() | strategies.condition_recipes(model_cls, names)


@st.composite
def _query_extra(draw: st.DrawFn, model_cls: Any, values: dict[str, Any]) -> dict[str, Any]:
    spec = spec_of(model_cls)
    targets: list[Any] = [model_cls, *(getattr(model_cls, i.name) for i in spec.indexes)]
    target = draw(st.sampled_from(targets))
    if target is model_cls:
        hash_name = spec.hash_key.name
        range_recipe = draw(_range_recipes(model_cls))
    else:
        hash_name = target.hash_key
        range_recipe = None
    hash_value = values[hash_name]
    if hash_value is None:
        hash_type = spec.column(hash_name).type
        hash_value = draw(strategies.values_of(hash_type, required=True))
    key_recipe: Any = ("compare", "=", hash_name, hash_value)
    if range_recipe is not None:
        parts = [key_recipe, range_recipe]
        key_recipe = ("and", draw(st.permutations(parts)))
    return {
        "target": target,
        "condition": draw(_filter_recipes(model_cls, target, query=True)),
        "key_condition": key_recipe,
        "projection": draw(_projections(model_cls, target)),
        "forward": draw(st.booleans()),
        "page_size": draw(st.none() | st.integers(min_value=1, max_value=1000)),
    }


@st.composite
def _scan_extra(draw: st.DrawFn, model_cls: Any) -> dict[str, Any]:
    spec = spec_of(model_cls)
    targets: list[Any] = [model_cls, *(getattr(model_cls, i.name) for i in spec.indexes)]
    target = draw(st.sampled_from(targets))
    total = draw(st.none() | st.integers(min_value=1, max_value=16))
    segment = None if total is None else draw(st.integers(min_value=0, max_value=total - 1))
    return {
        "target": target,
        "condition": draw(_filter_recipes(model_cls, target, query=False)),
        "projection": draw(_projections(model_cls, target)),
        "page_size": draw(st.none() | st.integers(min_value=1, max_value=1000)),
        "segment": segment,
        "total_segments": total,
    }


@st.composite
def operation_builders(draw: st.DrawFn, kinds: tuple[str, ...] | None = None) -> Any:
    """Draw a function that builds a fresh operation value from the same plain inputs."""
    model_cls = draw(strategies.models())
    kind = draw(st.sampled_from(kinds or ("put", "get", "delete", "update", "query", "scan")))
    record = draw(strategies.records(model_cls))
    values = _record_values(record)
    recipe = strategies.condition_recipes(model_cls)
    extra: dict[str, Any] = {"condition": draw(st.none() | recipe)}
    if kind == "get":
        extra["projection"] = draw(_projections(model_cls, model_cls))
        extra["consistent"] = draw(st.booleans())
    elif kind == "update":
        fixed = _key_values(model_cls, values)
        extra["new_values"] = _record_values(draw(strategies.records(model_cls, fixed)))
    elif kind == "query":
        extra.update(draw(_query_extra(model_cls, values)))
    elif kind == "scan":
        extra.update(draw(_scan_extra(model_cls)))
    return functools.partial(build_operation, model_cls, kind, values, extra)


# Checks on one request.


def expressions_in_order(params: dict[str, Any]) -> Iterator[str]:
    """Yield the expression strings of a request in the order they appear in its params."""
    for name, value in params.items():
        if name in EXPRESSION_PARAMS:
            yield value


def first_appearances(pattern: re.Pattern[str], texts: list[str]) -> list[str]:
    seen: list[str] = []
    for text in texts:
        for found in pattern.findall(text):
            if found not in seen:
                seen.append(found)
    return seen


def validation_report(operation: str, params: dict[str, Any]) -> str:
    shape = SERVICE_MODEL.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""


def condition_operands(node: Condition) -> tuple[set[str], int]:
    """Return the attribute names a condition refers to and how many values it contains."""
    operands: list[Any] = []
    children: list[Condition] = []
    if isinstance(node, Comparison):
        operands = [node.left, node.right]
    elif isinstance(node, Between):
        operands = [node.operand, node.low, node.high]
    elif isinstance(node, In):
        operands = [node.operand, *node.values]
    elif isinstance(node, Function):
        operands = [node.path] if node.argument is None else [node.path, node.argument]
    elif isinstance(node, And | Or):
        children = list(node.conditions)
    elif isinstance(node, Not):
        children = [node.condition]
    names: set[str] = set()
    value_count = 0
    for operand in operands:
        if isinstance(operand, Size):
            operand = operand.path
        if isinstance(operand, Path):
            names |= {s for s in operand.segments if isinstance(s, str)}
        elif isinstance(operand, Value):
            value_count += 1
    for child in children:
        child_names, child_values = condition_operands(child)
        names |= child_names
        value_count += child_values
    return names, value_count


def deep_clear(data: Any) -> None:
    """Empty every dict and list inside `data`, as a careless caller might."""
    if isinstance(data, dict):
        for value in data.values():
            deep_clear(value)
        data.clear()
    elif isinstance(data, list):
        for value in data:
            deep_clear(value)
        data.clear()


ANY_OPERATION = operation_builders()


# Determinism.


@given(ANY_OPERATION)
def test_compile_twice_equal(build: Callable[[], Any]) -> None:
    operation = build()

    first = compile(operation)
    second = compile(operation)

    assert first == second
    assert first.params == second.params
    assert list(first.params) == list(second.params)


@given(ANY_OPERATION)
def test_rebuilt_value_compiles_equal(build: Callable[[], Any]) -> None:
    first = compile(build())
    second = compile(build())

    assert first.params == second.params
    assert repr(first.params) == repr(second.params)


# Placeholders.


@given(ANY_OPERATION)
def test_name_placeholders_defined_and_used(build: Callable[[], Any]) -> None:
    params = compile(build()).params
    texts = list(expressions_in_order(params))

    used = set(first_appearances(NAME_PLACEHOLDER, texts))
    defined = set(params.get("ExpressionAttributeNames", {}))

    assert used == defined


@given(ANY_OPERATION)
def test_value_placeholders_defined_and_used(build: Callable[[], Any]) -> None:
    params = compile(build()).params
    texts = list(expressions_in_order(params))

    used = set(first_appearances(VALUE_PLACEHOLDER, texts))
    defined = set(params.get("ExpressionAttributeValues", {}))

    assert used == defined


@given(ANY_OPERATION)
def test_placeholders_numbered_in_order(build: Callable[[], Any]) -> None:
    params = compile(build()).params
    texts = list(expressions_in_order(params))

    names = first_appearances(NAME_PLACEHOLDER, texts)
    values = first_appearances(VALUE_PLACEHOLDER, texts)

    assert names == [f"#n{i}" for i in range(len(names))]
    assert values == [f":v{i}" for i in range(len(values))]


@given(ANY_OPERATION)
def test_value_placeholder_used_once(build: Callable[[], Any]) -> None:
    params = compile(build()).params
    text = " ".join(expressions_in_order(params))

    found = VALUE_PLACEHOLDER.findall(text)

    assert len(found) == len(set(found))


@given(ANY_OPERATION)
def test_one_placeholder_per_name(build: Callable[[], Any]) -> None:
    names = compile(build()).params.get("ExpressionAttributeNames", {})

    assert len(set(names.values())) == len(names)


@given(ANY_OPERATION)
def test_no_empty_placeholder_maps(build: Callable[[], Any]) -> None:
    params = compile(build()).params

    assert params.get("ExpressionAttributeNames", None) != {}
    assert params.get("ExpressionAttributeValues", None) != {}


@given(ANY_OPERATION)
def test_no_empty_expressions(build: Callable[[], Any]) -> None:
    params = compile(build()).params

    for text in expressions_in_order(params):
        assert text.strip() != ""


@given(strategies.models_with_conditions())
def test_condition_placeholders_cover_operands(pair: tuple[Any, Condition]) -> None:
    model_cls, condition = pair
    record = _minimal_record(model_cls)

    params = compile(PutItem(record, condition=condition)).params
    names, value_count = condition_operands(condition)

    assert set(params["ExpressionAttributeNames"].values()) == names
    assert len(params.get("ExpressionAttributeValues", {})) == value_count


def _minimal_record(model_cls: Any) -> Any:
    values = {}
    for col in spec_of(model_cls).keys:
        backing = col.type.backing
        values[col.name] = {"S": "k", "N": 1, "B": b"k"}[backing]
    return model_cls(**values)


# User text.


@given(ANY_OPERATION)
def test_expressions_hold_no_user_text(build: Callable[[], Any]) -> None:
    params = compile(build()).params

    for text in expressions_in_order(params):
        assert EXPRESSION_GRAMMAR.fullmatch(text), text


def test_grammar_rejects_user_text() -> None:
    assert EXPRESSION_GRAMMAR.fullmatch("#n0 = :v0 AND size(#n1) > :v1")
    assert not EXPRESSION_GRAMMAR.fullmatch("#n0 = 'open'")
    assert not EXPRESSION_GRAMMAR.fullmatch("status = :v0")
    assert not EXPRESSION_GRAMMAR.fullmatch("#n0.name = :v0")


# Validation by botocore.


@given(ANY_OPERATION)
def test_requests_pass_botocore_validation(build: Callable[[], Any]) -> None:
    request = compile(build())

    assert validation_report(request.operation, request.params) == ""


# Immutability.


@given(ANY_OPERATION)
def test_compile_leaves_value_unchanged(build: Callable[[], Any]) -> None:
    operation = build()
    fresh = build()

    compile(operation)

    assert operation == fresh
    assert hash(operation) == hash(fresh)


@given(ANY_OPERATION)
def test_request_shares_no_state(build: Callable[[], Any]) -> None:
    operation = build()
    first = compile(operation)
    expected = copy.deepcopy(first.params)

    deep_clear(first.params)
    second = compile(operation)

    assert second.params == expected


@given(strategies.models().flatmap(strategies.records))
def test_put_item_leaves_record_unchanged(record: Any) -> None:
    fresh = attrs.evolve(record)
    item = dump_item(record)

    request = compile(PutItem(record))
    deep_clear(request.params)

    assert record == fresh
    assert hash(record) == hash(fresh)
    assert dump_item(record) == item


@given(strategies.models_with_conditions())
def test_condition_unchanged_by_compile(pair: tuple[Any, Condition]) -> None:
    model_cls, condition = pair
    snapshot = copy.deepcopy(condition)

    compile(PutItem(_minimal_record(model_cls), condition=condition))

    assert condition == snapshot
    assert hash(condition) == hash(snapshot)
