"""Compiled expressions: snapshots, placeholder guarantees as properties, and DynamoDB's limits."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bloopfp import compile, errors, limits, operations
from bloopfp import conditions as c
from bloopfp import updates as u
from bloopfp.compiler.expressions import operator_count
from bloopfp.models import column, model
from bloopfp.paths import path
from bloopfp.types import Integer, List, Map, Set, String


@model(table_name="accounts")
class Account:
    id: str = column(String, hash_key=True)
    email: str | None = column(String)
    visits: int | None = column(Integer)
    tags: frozenset[str] = column(Set(String()))
    prefs: dict[str, Any] | None = column(Map(theme=String(), size=Integer()))
    history: tuple[str, ...] | None = column(List(String()))


KEY = operations.key(Account, {"id": "a"})

# Names that would break an expression if written into it as text: reserved words, punctuation,
# placeholders and unicode.
HOSTILE = st.sampled_from(
    ("name", "status", "size", "a.b", "[0]", "#n0", ":v0", "x y", "AND", "(", "'", "名前", "🦆")
)
NAMES = st.one_of(HOSTILE, st.text(min_size=1, max_size=6))
VALUES = st.one_of(st.text(max_size=6), st.integers(-(10**6), 10**6), st.binary(max_size=4))
PATHS = st.lists(st.one_of(NAMES, st.integers(0, 3)), min_size=0, max_size=2).flatmap(
    lambda rest: NAMES.map(lambda first: path(first, *rest))
)


@st.composite
def condition_values(draw: st.DrawFn) -> c.Condition:
    leaves = st.one_of(
        st.builds(c.eq, PATHS, VALUES),
        st.builds(c.ne, PATHS, VALUES),
        st.builds(c.attribute_exists, PATHS),
        st.builds(c.begins_with, PATHS, st.text(max_size=4)),
        st.builds(c.in_, PATHS, st.lists(VALUES, min_size=1, max_size=3)),
        st.builds(lambda p, n: c.gt(c.size(p), n), PATHS, st.integers(0, 9)),
    )
    parts = draw(st.lists(leaves, min_size=1, max_size=4))
    return draw(st.sampled_from((c.and_, c.or_)))(*parts)


@st.composite
def update_values(draw: st.DrawFn) -> u.Update:
    builders = st.one_of(
        st.builds(u.set_, PATHS, VALUES),
        st.builds(u.remove, PATHS),
        st.builds(u.add, PATHS, st.integers(-5, 5)),
        st.builds(u.delete, PATHS, st.sets(st.text(max_size=3), min_size=1, max_size=2)),
        st.builds(u.append_or_create, PATHS, st.lists(VALUES, max_size=2)),
    )
    combined = u.NO_CHANGES
    for part in draw(st.lists(builders, min_size=1, max_size=4)):
        try:
            combined = combined & part
        except errors.InvalidCondition:
            continue
    return combined


def compiled(update: u.Update, condition: c.Condition) -> dict[str, Any]:
    return compile(operations.UpdateItem(KEY, update, condition=condition)).params


def expressions_of(params: dict[str, Any]) -> list[str]:
    keys = ("UpdateExpression", "ConditionExpression")
    return [params[k] for k in keys if k in params]


# Snapshots.


def test_snapshot_condition_on_nested_paths() -> None:
    condition = (Account.prefs["theme"] == "dark") & (Account.history[0].begins_with("x"))
    params = compile(operations.DeleteItem(KEY, condition=condition)).params
    assert params["ConditionExpression"] == "#n0.#n1 = :v0 AND begins_with(#n2[0], :v1)"
    assert params["ExpressionAttributeNames"] == {
        "#n0": "prefs",
        "#n1": "theme",
        "#n2": "history",
    }
    assert params["ExpressionAttributeValues"] == {":v0": {"S": "dark"}, ":v1": {"S": "x"}}


def test_snapshot_update_clauses_in_fixed_order() -> None:
    update = (
        Account.tags.delete({"old"})
        & Account.visits.increment()
        & Account.email.remove()
        & Account.history.append(["b"])
    )
    params = compiled(update, c.EMPTY)
    assert params["UpdateExpression"] == (
        "SET #n0 = list_append(#n0, :v0) REMOVE #n1 ADD #n2 :v1 DELETE #n3 :v2"
    )


def test_snapshot_shares_one_table() -> None:
    update = Account.visits.set(Account.visits + 1)
    params = compiled(update, Account.visits < 10)
    assert params["UpdateExpression"] == "SET #n0 = #n0 + :v0"
    assert params["ConditionExpression"] == "#n0 < :v1"
    assert params["ExpressionAttributeNames"] == {"#n0": "visits"}


def test_snapshot_not_and_or_grouping() -> None:
    condition = ~((Account.email == "a") | (Account.email == "b")) & Account.visits.exists()
    params = compile(operations.DeleteItem(KEY, condition=condition)).params
    assert params["ConditionExpression"] == (
        "NOT (#n0 = :v0 OR #n0 = :v1) AND attribute_exists(#n1)"
    )


def test_return_values_compile() -> None:
    operation = operations.UpdateItem(
        KEY, Account.email.set("x"), return_values="UPDATED_OLD", return_old_on_failure=True
    )
    params = compile(operation).params
    assert params["ReturnValues"] == "UPDATED_OLD"
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_put_rejects_unsupported_return_values() -> None:
    record = Account(id="a")
    operation = operations.PutItem(record, return_values="ALL_NEW")
    with pytest.raises(errors.InvalidRequest, match="PutItem accepts ReturnValues NONE, ALL_OLD"):
        compile(operation)


def test_update_of_key_path_rejected_at_compile() -> None:
    with pytest.raises(errors.InvalidRequest, match="key attribute 'id'"):
        compile(operations.UpdateItem(KEY, u.set_(path("id"), "b")))


# Placeholder guarantees.


@given(update=update_values(), condition=condition_values())
def test_compile_is_deterministic(update: u.Update, condition: c.Condition) -> None:
    assert compiled(update, condition) == compiled(update, condition)


@given(update=update_values(), condition=condition_values())
def test_placeholders_contiguous_and_used(update: u.Update, condition: c.Condition) -> None:
    params = compiled(update, condition)
    text = " ".join(expressions_of(params))
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})

    assert sorted(names) == sorted(f"#n{i}" for i in range(len(names)))
    assert sorted(values) == sorted(f":v{i}" for i in range(len(values)))
    assert set(re.findall(r"#n\d+", text)) == set(names)
    assert set(re.findall(r":v\d+", text)) == set(values)
    assert "ExpressionAttributeNames" not in params or names
    assert "ExpressionAttributeValues" not in params or values


@given(update=update_values(), condition=condition_values())
def test_names_deduplicated(update: u.Update, condition: c.Condition) -> None:
    names = list(compiled(update, condition).get("ExpressionAttributeNames", {}).values())
    assert len(names) == len(set(names))


@given(update=update_values(), condition=condition_values())
def test_no_user_text_in_expressions(update: u.Update, condition: c.Condition) -> None:
    for expression in expressions_of(compiled(update, condition)):
        leftover = re.sub(r"#n\d+|:v\d+|\[\d+\]", "", expression)
        words = set(re.findall(r"[^\s().,=<>+\-]+", leftover))
        allowed = {"SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN"}
        allowed |= {"size", "begins_with", "contains", "attribute_exists", "attribute_not_exists"}
        allowed |= {"attribute_type", "if_not_exists", "list_append"}
        assert words <= allowed, expression


@given(condition=condition_values())
def test_condition_values_are_immutable(condition: c.Condition) -> None:
    assert condition == attrs.evolve(condition)
    assert hash(condition) == hash(attrs.evolve(condition))
    before = repr(condition)
    c.and_(condition, c.attribute_exists(path("x")))
    c.not_(condition)
    assert repr(condition) == before


@given(update=update_values())
def test_update_values_are_immutable(update: u.Update) -> None:
    assert update == attrs.evolve(update)
    assert hash(update) == hash(attrs.evolve(update))
    before = update.actions
    _ = update & u.remove(path("unrelated name", 9))
    assert update.actions == before


@given(first=NAMES, second=NAMES, segment=st.one_of(NAMES, st.integers(0, 5)))
def test_paths_differing_in_one_segment_unequal(first: str, second: str, segment: Any) -> None:
    other: Any = str(segment) if isinstance(segment, int) else segment + "x"
    assert path(first, segment) != path(first, other)
    assert c.attribute_exists(path(first, segment)) != c.attribute_exists(path(first, other))


# Limits.


def test_expression_over_4kb_rejected() -> None:
    # 150 functions and 149 ANDs stay under 300 operators, but the text is over 4 KB.
    parts = [c.attribute_exists(path(f"attribute{i}", 10)) for i in range(150)]
    with pytest.raises(errors.InvalidRequest, match="4096 bytes"):
        compile(operations.DeleteItem(KEY, condition=c.and_(*parts)))


def test_operator_count_over_300_rejected() -> None:
    parts = [c.eq(path("a"), i) for i in range(151)]
    condition = c.or_(*parts)
    assert operator_count(condition) == 301
    with pytest.raises(errors.InvalidCondition, match="301 operators"):
        compile(operations.DeleteItem(KEY, condition=condition))


def test_operator_count_at_300_accepted() -> None:
    condition = c.or_(*[c.eq(path("a"), i) for i in range(150)])
    assert operator_count(condition) == 299
    compile(operations.DeleteItem(KEY, condition=condition))


def test_substitutions_over_2mb_rejected() -> None:
    big = "x" * (300 * 1024)
    actions = u.combine(*[u.set_(path(f"a{i}"), big) for i in range(7)])
    with pytest.raises(errors.InvalidRequest, match="2097152 bytes"):
        compiled(actions, c.EMPTY)


def test_attribute_value_size_rules() -> None:
    assert limits.attribute_value_size({"N": "123.4500"}) == 4
    assert limits.attribute_value_size({"L": [{"BOOL": True}]}) == 5
    assert limits.attribute_value_size({"M": {"ab": {"S": "é"}}}) == 3 + 1 + 2 + 2
