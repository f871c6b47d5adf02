"""Update builders, overlap rules, diff, version columns and `save_item`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bloopfp import conditions as c
from bloopfp import errors, operations
from bloopfp import updates as u
from bloopfp.models import column, model
from bloopfp.paths import Path, Value, path
from bloopfp.types import Dynamic, DynamicList, Integer, List, Map, Number, Set, String


@model(table_name="accounts")
class Account:
    id: str = column(String, hash_key=True)
    email: str | None = column(String)
    visits: int | None = column(Integer)
    tags: frozenset[str] = column(Set(String()))
    prefs: dict[str, Any] | None = column(Map(theme=String(), size=Integer()))
    history: tuple[str, ...] | None = column(List(String()))
    doc: Any = column(Dynamic())


@model(table_name="documents")
class Document:
    id: str = column(String, hash_key=True)
    body: str | None = column(String)
    version: int | None = column(Integer, version=True)


def test_set_value_and_path() -> None:
    assert Account.email.set("a") == u.Update((u.SetAction(path("email"), Value("a", String())),))
    assert u.set_(Account.email, Account.prefs["theme"]) == u.Update(
        (u.SetAction(path("email"), path("prefs", "theme")),)
    )


def test_set_arithmetic() -> None:
    update = Account.visits.set(Account.visits + 1)
    assert update.actions[0] == u.SetAction(
        path("visits"), u.Arithmetic("+", path("visits"), Value(1, Integer()))
    )
    decrease = u.set_(path("stock"), u.minus(path("stock"), 2))
    assert decrease.actions[0].value == u.Arithmetic("-", path("stock"), Value(2, Number()))


def test_list_append_forms() -> None:
    assert repr(Account.history.append(["b"])) == (
        "<Update SET history = list_append(history, ('b',))>"
    )
    assert repr(Account.history.prepend(["a"])) == (
        "<Update SET history = list_append(('a',), history)>"
    )
    assert repr(Account.history.append_or_create(["b"])) == (
        "<Update SET history = list_append(if_not_exists(history, ()), ('b',))>"
    )
    untyped = u.append(path("log"), [1])
    assert untyped.actions[0].value == u.ListAppend(path("log"), Value((1,), DynamicList()))


def test_if_not_exists_forms() -> None:
    assert repr(Account.visits.set_if_not_exists(0)) == (
        "<Update SET visits = if_not_exists(visits, 0)>"
    )
    counter = u.set_(Account.visits, u.plus(Account.visits.if_not_exists(0), 1))
    assert repr(counter) == "<Update SET visits = if_not_exists(visits, 0) + 1>"


def test_add_delete_remove() -> None:
    assert repr(Account.visits.increment(2)) == "<Update ADD visits 2>"
    assert repr(Account.visits.decrement()) == "<Update ADD visits -1>"
    assert repr(Account.tags.add({"b", "a"})) == "<Update ADD tags {'a', 'b'}>"
    assert repr(Account.tags.delete({"x"})) == "<Update DELETE tags {'x'}>"
    assert repr(Account.history[2].remove()) == "<Update REMOVE history[2]>"


def test_combine_groups_by_keyword() -> None:
    update = Account.tags.delete({"x"}) & Account.email.remove() & Account.visits.set(1)
    assert repr(update) == "<Update SET visits = 1 REMOVE email DELETE tags {'x'}>"


def test_sibling_paths_combine() -> None:
    update = Account.prefs["theme"].set("dark") & Account.prefs["size"].set(2)
    assert len(update.actions) == 2
    both = u.remove(path("history", 0)) & u.remove(path("history", 1))
    assert len(both.actions) == 2


def test_combining_leaves_inputs_unchanged() -> None:
    first, second = Account.email.set("a"), Account.visits.increment()
    combined = first & second
    assert first.actions == (u.SetAction(path("email"), Value("a", String())),)
    assert len(second.actions) == 1
    assert combined.actions == first.actions + second.actions


def test_updates_hashable() -> None:
    update = Account.tags.add({"a"}) & Account.history.append(["x"])
    assert hash(update) == hash(Account.tags.add({"a"}) & Account.history.append(["x"]))


def test_empty_update_is_false() -> None:
    assert not u.NO_CHANGES
    assert Account.email.set("a")


# Rejections.


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Account.email.set("a") & Account.email.remove(), "update paths overlap: email"),
        (
            lambda: Account.prefs.remove() & Account.prefs["theme"].set("x"),
            "update paths overlap: prefs and prefs.theme",
        ),
        (
            lambda: u.set_(path("h", 0), 1) & u.set_(path("h", "a"), 1),
            "update paths conflict: h[0] and h.a",
        ),
        (lambda: Account.id.set("b"), "Account.id is a key column"),
        (lambda: Account.id.remove(), "Account.id is a key column"),
        (lambda: Account.email.add(1), "ADD applies to numbers and sets, but Account.email"),
        (lambda: Account.tags.increment(), "increment applies to numbers, but Account.tags"),
        (lambda: Account.visits.delete({1}), "DELETE applies to sets, but Account.visits"),
        (lambda: Account.email.append(["a"]), "list_append applies to lists, but Account.email"),
        (lambda: Account.email + 1, "+ applies to numbers, but Account.email"),
        (lambda: Account.tags.add(set()), "Account.tags: frozenset() is stored as an absent"),
        (lambda: Account.email.set(None), "SET Account.email = None: use remove()"),
        (lambda: u.add(path("n"), "x"), "ADD on n takes a number or a set, not 'x'"),
        (lambda: u.delete(path("s"), 1), "DELETE on s takes a set, not 1"),
        (lambda: u.add(path("n"), path("m")), "ADD on n takes a value"),
        (lambda: u.list_append(path("a"), "text"), "list_append takes lists or list paths"),
        (lambda: u.remove("email"), "REMOVE takes a column or path, not 'email'"),
    ],
)
def test_rejected_updates(build: Any, message: str) -> None:
    with pytest.raises(errors.InvalidCondition, match=re.escape(message)):
        build()


@pytest.mark.parametrize(
    ("build", "column", "value"),
    [
        (lambda: Account.email.set(3), "email", 3),
        (lambda: Account.tags.add({1}), "tags", 1),
        (lambda: Account.history.append([1]), "history", 1),
        (lambda: Account.prefs["size"].set("big"), "prefs['size']", "big"),
    ],
)
def test_rejected_values_name_column(build: Any, column: str, value: Any) -> None:
    with pytest.raises(errors.InvalidValue) as caught:
        build()
    assert caught.value.model == "Account"
    assert caught.value.column == column
    assert caught.value.value == value


# diff.


def test_diff_sets_and_removes() -> None:
    old = Account(id="a", email="e", visits=1)
    new = Account(id="a", email=None, visits=2)
    assert repr(u.diff(old, new)) == "<Update SET visits = 2 REMOVE email>"


def test_diff_without_changes_is_empty() -> None:
    record = Account(id="a", email="e")
    assert u.diff(record, record) == u.NO_CHANGES


def test_diff_rejects_key_change() -> None:
    with pytest.raises(errors.InvalidCondition, match=re.escape("Account.id differs")):
        u.diff(Account(id="a"), Account(id="b"))


# Version columns.


def test_version_guard_first_save() -> None:
    condition, update = u.version_guard(Document(id="d"))
    assert condition == c.attribute_not_exists(path("version"))
    assert update == u.Update((u.SetAction(path("version"), Value(1, Integer())),))


def test_version_guard_later_save() -> None:
    condition, update = u.version_guard(Document(id="d", version=4))
    assert condition == c.Comparison("=", path("version"), Value(4, Integer()))
    advance = u.Arithmetic("+", path("version"), Value(1, Integer()))
    assert update == u.Update((u.SetAction(path("version"), advance),))


def test_next_version() -> None:
    assert u.next_version(Document(id="d")).version == 1
    assert u.next_version(Document(id="d", version=4)).version == 5


def test_version_guard_needs_version_column() -> None:
    with pytest.raises(errors.InvalidModel, match="invalid model Account: has no version column"):
        u.version_guard(Account(id="a"))


def test_two_version_columns_rejected() -> None:
    with pytest.raises(errors.InvalidModel, match="more than one version column: a, b"):

        @model(table_name="twice")
        class Twice:
            id: str = column(String, hash_key=True)
            a: int | None = column(Integer, version=True)
            b: int | None = column(Integer, version=True)


def test_text_version_column_rejected() -> None:
    with pytest.raises(errors.InvalidModel, match="version column 'v' has type String"):

        @model(table_name="texts")
        class Text:
            id: str = column(String, hash_key=True)
            v: str | None = column(String, version=True)


def test_save_item_put_with_version() -> None:
    save = operations.save_item(Document(id="d", body="x"))
    assert save.record == Document(id="d", body="x", version=1)
    assert save.operation == operations.PutItem(
        save.record, condition=c.attribute_not_exists(path("version"))
    )


def test_save_item_update_with_version() -> None:
    old = Document(id="d", body="x", version=3)
    save = operations.save_item(attrs_evolve(old, body="y"), old=old)
    assert save.record.version == 4
    assert isinstance(save.operation, operations.UpdateItem)
    assert repr(save.operation.update) == "<Update SET body = 'y', version = version + 1>"
    assert save.operation.condition == c.Comparison("=", path("version"), Value(3, Integer()))


def test_save_item_unchanged_without_version_sends_nothing() -> None:
    record = Account(id="a", email="e")
    assert operations.save_item(record, old=record).operation is None
    conditional = operations.save_item(record, old=record, condition=Account.email == "e")
    assert isinstance(conditional.operation, operations.UpdateItem)


def test_save_item_rejects_changed_version() -> None:
    old = Document(id="d", version=3)
    with pytest.raises(errors.InvalidCondition, match=re.escape("Document.version differs")):
        operations.save_item(Document(id="d", version=4), old=old)


def attrs_evolve(record: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(record, **changes)


def test_path_helpers() -> None:
    assert path("a")["b"][0] == Path(("a", "b", 0))
