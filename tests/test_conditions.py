"""Condition builders: operators, nested references, type checks, combining, and `expect`."""

from __future__ import annotations

import decimal
import re
from typing import Any

import pytest

from bloopfp import conditions as c
from bloopfp import errors
from bloopfp.models import column, model
from bloopfp.paths import Path, Size, Value, path
from bloopfp.types import Binary, Boolean, Dynamic, Integer, List, Map, Set, String


@model(table_name="accounts")
class Account:
    id: str = column(String, hash_key=True)
    email: str | None = column(String)
    visits: int | None = column(Integer)
    active: bool | None = column(Boolean)
    avatar: bytes | None = column(Binary)
    tags: frozenset[str] = column(Set(String()))
    prefs: dict[str, Any] | None = column(Map(theme=String(), size=Integer()))
    history: tuple[str, ...] | None = column(List(String()))
    doc: Any = column(Dynamic())


def test_operators_delegate_to_functions() -> None:
    assert (Account.email == "a") == c.eq(Account.email, "a")
    assert (Account.visits != 1) == c.ne(Account.visits, 1)
    assert (Account.visits < 1) == c.lt(Account.visits, 1)
    assert (Account.visits <= 1) == c.le(Account.visits, 1)
    assert (Account.visits > 1) == c.gt(Account.visits, 1)
    assert (Account.visits >= 1) == c.ge(Account.visits, 1)


def test_path_to_path_comparison() -> None:
    condition = Account.visits < Account.prefs["size"]
    assert condition == c.Comparison("<", path("visits"), path("prefs", "size"))


def test_nested_reference_types() -> None:
    assert Account.prefs["size"].value_type == Integer()
    assert Account.history[3].value_type == String()
    assert Account.doc["a"][0].value_type is None
    assert Account.history[3].path == path("history", 3)


def test_nested_reference_typed_value() -> None:
    with pytest.raises(errors.InvalidValue, match=r"Account.prefs\['size'\]"):
        _ = Account.prefs["size"] == "large"


def test_unknown_map_field_rejected() -> None:
    with pytest.raises(
        errors.InvalidCondition, match=re.escape("Account.prefs has no field 'colour'")
    ):
        _ = Account.prefs["colour"]


def test_index_into_non_list_rejected() -> None:
    with pytest.raises(errors.InvalidCondition, match=re.escape("Account.email is String")):
        _ = Account.email[0]


def test_untyped_nested_values_inferred() -> None:
    condition = Account.doc["a"] == [1, "x"]
    assert isinstance(condition, c.Comparison)
    assert isinstance(condition.right, Value)
    assert condition.right.type == Dynamic()


def test_none_becomes_existence_checks() -> None:
    assert (Account.email == None) == c.attribute_not_exists(path("email"))  # noqa: E711
    assert (Account.email != None) == c.attribute_exists(path("email"))  # noqa: E711


def test_between_and_in() -> None:
    assert Account.visits.between(1, 5) == c.Between(
        path("visits"), Value(1, Integer()), Value(5, Integer())
    )
    condition = Account.email.in_(["a", "b"])
    assert isinstance(condition, c.In)
    assert len(condition.values) == 2


def test_size_comparisons() -> None:
    condition = Account.tags.size() > 2
    assert condition == c.Comparison(">", Size(path("tags")), Value(2, c.Number()))
    assert c.size(path("x")) == Size(path("x"))


def test_contains_uses_element_type() -> None:
    condition = Account.tags.contains("red")
    assert isinstance(condition, c.Function)
    assert condition.argument == Value("red", String())


def test_and_or_flatten_and_drop_empty() -> None:
    a, b, d = (c.attribute_exists(path(n)) for n in "abd")
    assert c.and_(a, c.and_(b, d)) == c.And((a, b, d))
    assert c.or_(c.or_(a, b), d) == c.Or((a, b, d))
    assert (a & c.EMPTY) == a
    assert (c.EMPTY | a) == a
    assert c.and_() == c.EMPTY
    assert ~~a == a


def test_condition_has_no_truth_value() -> None:
    with pytest.raises(TypeError, match="combine conditions with &"):
        bool(Account.email == "a")


def test_conditions_are_hashable_values() -> None:
    first = (Account.email == "a") & Account.tags.contains("x")
    second = (Account.email == "a") & Account.tags.contains("x")
    assert first == second
    assert hash(first) == hash(second)
    assert first != (Account.email == "b") & Account.tags.contains("x")


def test_set_values_stored_hashable() -> None:
    condition = c.eq(path("tags"), {"a", "b"})
    assert isinstance(condition, c.Comparison)
    assert isinstance(condition.right, Value)
    assert condition.right.value == frozenset({"a", "b"})
    hash(condition)


def test_repr_shows_meaning() -> None:
    condition = (Account.email == "a") | ~Account.visits.exists()
    assert repr(condition) == "<Condition email = 'a' OR NOT attribute_exists(visits)>"


def test_expect_record() -> None:
    record = Account(id="a", email="e", tags=frozenset({"x"}))
    condition = c.expect(record)
    assert isinstance(condition, c.And)
    assert condition.conditions[0] == c.attribute_exists(path("id"))
    assert c.eq(path("email"), "e") in condition.conditions
    assert c.attribute_not_exists(path("visits")) in condition.conditions
    assert c.Comparison("=", path("tags"), Value(frozenset({"x"}), Set(String()))) in (
        condition.conditions
    )


# Rejections: each names the column or value.


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Account.tags < "a", "the < comparison does not apply to Account.tags"),
        (lambda: Account.active >= True, "the >= comparison does not apply to Account.active"),
        (lambda: Account.history.between((), ()), "BETWEEN does not apply to Account.history"),
        (lambda: Account.visits.begins_with("1"), "begins_with does not apply to Account.visits"),
        (lambda: Account.visits.contains(1), "contains does not apply to Account.visits"),
        (lambda: Account.active.size(), "size does not apply to Account.active"),
        (lambda: Account.visits.between(5, 1), "BETWEEN bounds of Account.visits are reversed"),
        (lambda: Account.email.in_([]), "IN on Account.email takes 1 to 100 values, got 0"),
        (lambda: Account.email.in_(["a"] * 101), "got 101"),
        (lambda: Account.email == Account.email, "Account.email is compared with itself"),
        (lambda: c.lt(path("flag"), True), "does not apply to True"),
        (lambda: c.begins_with(path("sku"), 3), "begins_with on sku does not apply to 3"),
        (lambda: Account.tags == set(), "use attribute_not_exists"),
        (lambda: Account.visits > None, "None compares only with == and !="),
        (lambda: c.attribute_type(path("a"), "X"), "not 'X'"),
        (lambda: c.not_(c.EMPTY), "cannot be negated"),
        (lambda: c.size(Size(path("a"))), "size takes a column or path"),
        (lambda: c.compare("~", path("a"), 1), "unknown comparison operator '~'"),
    ],
)
def test_rejected_conditions(build: Any, message: str) -> None:
    with pytest.raises(errors.InvalidCondition, match=re.escape(message)):
        build()


@pytest.mark.parametrize(
    ("build", "column", "value"),
    [
        (lambda: Account.email == 3, "email", 3),
        (lambda: Account.visits == decimal.Decimal("1.5"), "visits", decimal.Decimal("1.5")),
        (lambda: Account.tags.contains(1), "tags", 1),
        (lambda: Account.visits.in_([1, "two"]), "visits", "two"),
    ],
)
def test_rejected_values_name_column(build: Any, column: str, value: Any) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        build()
    assert caught.value.model == "Account"
    assert caught.value.column == column
    assert caught.value.value == value


def test_rejected_untyped_value_names_path() -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        c.eq(path("when"), 1.5)
    assert caught.value.column == "when"


def test_path_starts_with_name() -> None:
    with pytest.raises(errors.InvalidCondition, match="starts with an attribute name"):
        Path((0,))
