"""Engine.save with version columns, Engine.update, and versioned records in batches."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from bloopfp import Engine, column, errors, model, transactions
from bloopfp.executors.memory import MemoryExecutor
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.types import Integer, Set, String


@model(table_name="versioned_documents")
class Document:
    id: str = column(String, hash_key=True)
    body: str | None = column(String)
    version: int | None = column(Integer, version=True)


@model(table_name="counted_accounts")
class Account:
    id: str = column(String, hash_key=True)
    logins: int | None = column(Integer)
    tags: frozenset[str] = column(Set(String()), default=frozenset())


@pytest.fixture()
def engine(executor: Any) -> Engine:
    engine = Engine(executor, sleep=lambda _: None)
    engine.bind(Document, Account, wait_delay=0)
    return engine


def test_first_save_sets_version(engine: Engine) -> None:
    saved = engine.save(Document(id="d", body="one"))

    assert saved.version == 1
    assert engine.load(Document, id="d") == saved


def test_diff_save_advances_version(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))

    second = engine.save(attrs.evolve(first, body="two"), old=first)

    assert second.version == 2
    assert engine.load(Document, id="d") == second


def test_stale_version_fails(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))
    engine.save(attrs.evolve(first, body="two"), old=first)

    with pytest.raises(errors.ConditionFailed):
        engine.save(attrs.evolve(first, body="lost"), old=first)
    assert engine.load(Document, id="d").body == "two"


def test_second_first_save_fails(engine: Engine) -> None:
    engine.save(Document(id="d", body="one"))

    with pytest.raises(errors.ConditionFailed):
        engine.save(Document(id="d", body="other writer"))


def test_unversioned_save_returns_record(engine: Engine) -> None:
    account = Account(id="a", logins=1)

    assert engine.save(account) is account


def test_update_increments_counter(engine: Engine) -> None:
    engine.save(Account(id="a", logins=1))

    updated = engine.update(Account, Account.logins.increment(), id="a")

    assert updated.logins == 2
    assert engine.load(Account, id="a").logins == 2


def test_update_adds_set_members(engine: Engine) -> None:
    engine.save(Account(id="a", tags=frozenset({"red"})))

    updated = engine.update(Account, Account.tags.add({"blue"}), id="a")

    assert updated.tags == frozenset({"red", "blue"})


def test_update_condition_failure(engine: Engine) -> None:
    engine.save(Account(id="a", logins=1))

    with pytest.raises(errors.ConditionFailed):
        engine.update(Account, Account.logins.increment(), condition=Account.logins > 5, id="a")
    assert engine.load(Account, id="a").logins == 1


def test_save_many_rejects_versioned() -> None:
    recorder = RecordingExecutor(MemoryExecutor())
    engine = Engine(recorder, sleep=lambda _: None)

    with pytest.raises(errors.InvalidRequest, match="version"):
        engine.save_many([Document(id="d", body="one")])
    assert recorder.calls == []


def test_transaction_put_checks_version(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))
    engine.save(attrs.evolve(first, body="two"), old=first)

    with pytest.raises(errors.TransactionCanceled):
        engine.transact_write([transactions.put(attrs.evolve(first, body="lost"))])
    assert engine.load(Document, id="d").body == "two"


def test_transaction_update_advances_version(engine: Engine) -> None:
    first = engine.save(Document(id="d", body="one"))

    engine.transact_write([transactions.update(attrs.evolve(first, body="two"), old=first)])

    assert engine.load(Document, id="d") == Document(id="d", body="two", version=2)


def test_delete_many_rejects_versioned_records() -> None:
    recorder = RecordingExecutor(MemoryExecutor())
    engine = Engine(recorder, sleep=lambda _: None)

    with pytest.raises(errors.InvalidRequest, match="version"):
        engine.delete_many([Document(id="d", version=3)])
    assert recorder.calls == []


def test_delete_many_by_key_without_check(engine: Engine) -> None:
    engine.save(Document(id="d", body="one"))

    engine.delete_many([{"id": "d"}], model=Document)

    with pytest.raises(errors.NotFound):
        engine.load(Document, id="d")


def test_unchanged_versioned_save_sends_nothing() -> None:
    recorder = RecordingExecutor(MemoryExecutor())
    engine = Engine(recorder, sleep=lambda _: None)
    engine.bind(Document, wait_delay=0)
    stored = engine.save(Document(id="d", body="one"))
    recorder.reset()

    again = engine.save(stored, old=stored)

    assert recorder.calls == []
    assert again == stored
