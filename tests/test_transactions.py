"""Transactions executed on MemoryExecutor and on a moto server."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from bloopfp import Engine, RetryPolicy, errors
from bloopfp import transactions as tx
from bloopfp.conditions import attribute_exists, attribute_not_exists
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.models import column, model
from bloopfp.paths import path
from bloopfp.types import Integer, String
from bloopfp.updates import add


@model(table_name="tx_accounts")
class Account:
    id: str = column(String, hash_key=True)
    balance: int = column(Integer, default=0)
    owner: str | None = column(String)


@model(table_name="tx_ledger")
class Entry:
    account: str = column(String, hash_key=True)
    number: int = column(Integer, range_key=True)
    amount: int = column(Integer, default=0)


def no_sleep(_: float) -> None:
    pass


@pytest.fixture()
def engine(executor: Any) -> Engine:
    engine = Engine(executor, sleep=no_sleep)
    engine.bind(Account, Entry)
    return engine


def test_transact_write_applies_all(engine: Engine) -> None:
    engine.save(Account(id="a", balance=10, owner="ann"))
    engine.save(Account(id="gone"))
    engine.save(Account(id="c", balance=1))
    old = Account(id="a", balance=10, owner="ann")
    token = engine.transact_write(
        [
            tx.put(Account(id="b", balance=5), condition=attribute_not_exists(Account.id)),
            tx.update(Account(id="a", balance=7, owner="ann"), old=old),
            tx.delete(Account, id="gone"),
            tx.check(Account, attribute_exists(Account.id), id="c"),
            tx.put(Entry(account="a", number=1, amount=-3)),
        ]
    )
    assert isinstance(token, str)
    assert engine.load(Account, id="a") == Account(id="a", balance=7, owner="ann")
    assert engine.load(Account, id="b") == Account(id="b", balance=5)
    with pytest.raises(errors.NotFound):
        engine.load(Account, id="gone")
    assert engine.load(Entry, account="a", number=1).amount == -3


def test_transact_write_sends_given_token(executor: Any) -> None:
    recorder = RecordingExecutor(executor)
    engine = Engine(recorder)
    engine.bind(Account)
    recorder.reset()
    assert engine.transact_write([tx.put(Account(id="a"))], token="token-for-a") == "token-for-a"
    assert recorder.calls[0].params["ClientRequestToken"] == "token-for-a"


def test_transact_write_generates_token(executor: Any) -> None:
    recorder = RecordingExecutor(executor)
    tokens = iter(["first-token", "second-token"])
    engine = Engine(recorder, new_token=lambda: next(tokens))
    engine.bind(Account)
    recorder.reset()
    assert engine.transact_write([tx.put(Account(id="a"))]) == "first-token"
    assert engine.transact_write([tx.put(Account(id="b"))]) == "second-token"
    sent = [call.params["ClientRequestToken"] for call in recorder.calls]
    assert sent == ["first-token", "second-token"]


def test_cancellation_maps_reasons_to_items(engine: Engine) -> None:
    engine.save(Account(id="a", balance=10, owner="ann"))
    items = [
        tx.put(Entry(account="a", number=1)),
        tx.update(
            Account(id="a", balance=0, owner="ann"),
            old=Account(id="a", balance=10, owner="ann"),
            condition=Account.balance >= 100,
            return_old=True,
        ),
        tx.delete(Account, id="missing"),
    ]
    with pytest.raises(errors.TransactionItemsCanceled) as raised:
        engine.transact_write(items)

    error = raised.value
    assert isinstance(error, errors.TransactionCanceled)
    assert len(error.cancellations) == 3
    assert len(error.reasons) == 3
    assert [c.item for c in error.cancellations] == items
    assert [c.failed for c in error.cancellations] == [False, True, False]
    assert error.cancellations[1].code == "ConditionalCheckFailed"
    assert error.cancellations[1].old == Account(id="a", balance=10, owner="ann")
    assert "item 1 (TransactUpdate of Account {'id': 'a'})" in str(error)
    assert engine.load(Account, id="a").balance == 10
    with pytest.raises(errors.NotFound):
        engine.load(Entry, account="a", number=1)


def test_cancellation_without_return_old(engine: Engine) -> None:
    engine.save(Account(id="a"))
    with pytest.raises(errors.TransactionItemsCanceled) as raised:
        engine.transact_write([tx.put(Account(id="a"), condition=attribute_not_exists(Account.id))])
    (cancellation,) = raised.value.cancellations
    assert cancellation.failed
    assert cancellation.old is None


def test_same_item_twice_rejected_before_sending(executor: Any) -> None:
    recorder = RecordingExecutor(executor)
    engine = Engine(recorder)
    engine.bind(Account)
    recorder.reset()
    with pytest.raises(errors.DuplicateKeys):
        engine.transact_write(
            [tx.put(Account(id="a")), tx.check(Account, Account.balance > 1, id="a")]
        )
    assert recorder.count() == 0


def test_too_many_items_rejected_before_sending(executor: Any) -> None:
    recorder = RecordingExecutor(executor)
    engine = Engine(recorder)
    with pytest.raises(errors.InvalidRequest, match="1 to 100"):
        engine.transact_write([tx.put(Account(id=str(i))) for i in range(101)])
    assert recorder.count() == 0


def test_hundred_items_commit(engine: Engine) -> None:
    engine.transact_write([tx.put(Account(id=str(i), balance=i)) for i in range(100)])
    assert len(engine.scan(Account).all()) == 100


def test_transact_read(engine: Engine) -> None:
    engine.save(Account(id="a", balance=3, owner="ann"))
    engine.save(Entry(account="a", number=2, amount=9))
    found = engine.transact_read(
        [
            tx.get(Account, id="a"),
            tx.get(Account, id="nobody"),
            tx.get(Entry, account="a", number=2),
        ]
    )
    assert found == [
        Account(id="a", balance=3, owner="ann"),
        None,
        Entry(account="a", number=2, amount=9),
    ]


def test_transact_read_same_item_twice_rejected(engine: Engine) -> None:
    with pytest.raises(errors.DuplicateKeys):
        engine.transact_read([tx.get(Account, id="a"), tx.get(Account, id="a")])


def test_transact_read_projection(memory_executor: Any) -> None:
    engine = Engine(memory_executor)
    engine.bind(Account)
    engine.save(Account(id="a", balance=3, owner="ann"))
    (found,) = engine.transact_read([tx.get(Account, projection=["balance"], id="a")])
    assert found == Account(id="a", balance=3, owner=None)


class LosesFirstCommitResponse:
    """Applies the first TransactWriteItems call and then reports a server error instead."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.lost = False
        self.tokens: list[str] = []

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        response: dict[str, Any] = self.inner.call(operation, params)
        if operation == "TransactWriteItems":
            self.tokens.append(params["ClientRequestToken"])
            if not self.lost:
                self.lost = True
                raise ClientError(
                    {
                        "Error": {"Code": "InternalServerError", "Message": "lost"},
                        "ResponseMetadata": {"HTTPStatusCode": 500},
                    },  # type: ignore[typeddict-item]
                    operation,
                )
        return response


def test_retried_commit_applies_once(memory_executor: Any) -> None:
    lossy = LosesFirstCommitResponse(memory_executor)
    engine = Engine(lossy, sleep=no_sleep, retry=RetryPolicy(attempts=3))
    engine.bind(Account)
    engine.save(Account(id="a", balance=0))
    engine.transact_write([tx.update(Account(id="a"), changes=add(path("balance"), 5))])
    assert len(lossy.tokens) == 2
    assert lossy.tokens[0] == lossy.tokens[1]
    assert engine.load(Account, id="a").balance == 5
