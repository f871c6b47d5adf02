"""Conditions and updates run through MemoryExecutor and a moto server, checked against the oracle.

Every test runs once per executor (the `executor` fixture), so the two backends are compared
through the same expectations.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from bloopfp import Engine, errors, operations, oracle
from bloopfp import conditions as c
from bloopfp import updates as u
from bloopfp.items import dump_item, load_item
from bloopfp.models import column, model
from bloopfp.paths import path
from bloopfp.types import Dynamic, Integer, List, Map, Set, String


@model(table_name="expression_accounts")
class Account:
    id: str = column(String, hash_key=True)
    # Reserved words and punctuation as attribute names, which only placeholders can carry.
    email: str | None = column(String, dynamo_name="name")
    visits: int | None = column(Integer, dynamo_name="size")
    tags: frozenset[str] = column(Set(String()), dynamo_name="a.b #c")
    prefs: dict[str, Any] | None = column(Map(theme=String(), size=Integer()))
    history: tuple[str, ...] | None = column(List(String()))
    doc: Any = column(Dynamic())


@model(table_name="expression_documents")
class Document:
    id: str = column(String, hash_key=True)
    body: str | None = column(String)
    version: int | None = column(Integer, version=True)


STORED = Account(
    id="a",
    email="ada@example.com",
    visits=3,
    tags=frozenset({"red", "blue"}),
    prefs={"theme": "dark", "size": 2},
    history=("x", "y"),
    doc={"nested": [1, {"deep": "value"}]},
)


@pytest.fixture()
def engine(executor: Any) -> Engine:
    engine = Engine(executor, sleep=lambda _: None)
    engine.bind(Account, Document, wait_delay=0)
    engine.run(operations.PutItem(STORED))
    return engine


CONDITIONS = [
    Account.email == "ada@example.com",
    Account.email != "ada@example.com",
    Account.visits.between(1, 3),
    Account.visits.in_([1, 2]),
    Account.email.begins_with("ada@"),
    Account.tags.contains("red"),
    Account.history.contains("z"),
    Account.prefs["theme"] == "dark",
    Account.prefs["size"] < Account.visits,
    Account.history[1] == "y",
    Account.doc["nested"][1]["deep"] == "value",
    Account.tags.size() == 2,
    Account.history.size() > 5,
    Account.email.is_type("S"),
    Account.visits.not_exists(),
    ~Account.prefs.exists() | (Account.visits >= 3),
    (Account.email == "nobody") & Account.visits.exists(),
    c.expect(STORED),
    c.expect(attrs.evolve(STORED, visits=4)),
]


@pytest.mark.parametrize("condition", CONDITIONS, ids=repr)
def test_condition_matches_oracle(engine: Engine, condition: c.Condition) -> None:
    expected = oracle.evaluate(condition, dump_item(STORED))
    key = operations.key(Account, {"id": "a"})
    try:
        engine.run(operations.UpdateItem(key, Account.doc.set({"touched": True}), condition))
    except errors.ConditionFailed:
        assert not expected
    else:
        assert expected


UPDATES = [
    Account.visits.set(Account.visits + 2),
    Account.visits.increment(5) & Account.email.remove(),
    Account.tags.add({"green"}) & Account.history.append(["z"]),
    Account.tags.delete({"red", "blue"}),
    Account.history.prepend(["w"]) & Account.prefs["theme"].set("light"),
    Account.history[0].remove(),
    Account.history[5].set("end"),
    Account.email.set_if_not_exists("other@example.com"),
    u.set_(Account.doc["nested"][1]["deep"], "changed"),
    u.append_or_create(Account.doc["log"], ["first"]),
    Account.email.set(Account.prefs["theme"]),
]


@pytest.mark.parametrize("update", UPDATES, ids=repr)
def test_update_matches_oracle(engine: Engine, update: u.Update) -> None:
    key = operations.key(Account, {"id": "a"})
    response = engine.run(operations.UpdateItem(key, update, return_values="ALL_NEW"))
    expected = oracle.apply(update, dump_item(STORED))
    assert load_item(Account, response["Attributes"]) == load_item(Account, expected)


def test_update_rejected_on_missing_operand(engine: Engine) -> None:
    key = operations.key(Account, {"id": "a"})
    absent = u.set_(path("total"), u.plus(path("absent"), 1))
    with pytest.raises(oracle.UpdateRejected):
        oracle.apply(absent, dump_item(STORED))
    with pytest.raises(errors.ValidationError):
        engine.run(operations.UpdateItem(key, absent))


def test_failed_condition_carries_old_item(engine: Engine) -> None:
    key = operations.key(Account, {"id": "a"})
    operation = operations.DeleteItem(
        key, condition=Account.visits > 100, return_old_on_failure=True
    )
    with pytest.raises(errors.ConditionFailed) as caught:
        engine.run(operation)
    assert caught.value.old is not None
    assert load_item(Account, caught.value.old) == STORED


def test_return_values_all_old(engine: Engine) -> None:
    key = operations.key(Account, {"id": "a"})
    response = engine.run(operations.DeleteItem(key, return_values="ALL_OLD"))
    assert load_item(Account, response["Attributes"]) == STORED


def test_versioned_saves(engine: Engine) -> None:
    first = operations.save_item(Document(id="d", body="one"))
    assert first.operation is not None
    engine.run(first.operation)
    assert engine.load(Document, id="d") == first.record

    second = operations.save_item(attrs.evolve(first.record, body="two"), old=first.record)
    assert second.operation is not None
    engine.run(second.operation)
    assert engine.load(Document, id="d") == Document(id="d", body="two", version=2)

    stale = operations.save_item(attrs.evolve(first.record, body="lost"), old=first.record)
    assert stale.operation is not None
    with pytest.raises(errors.ConditionFailed):
        engine.run(stale.operation)

    again = operations.save_item(Document(id="d", body="fresh"))
    assert again.operation is not None
    with pytest.raises(errors.ConditionFailed):
        engine.run(again.operation)
