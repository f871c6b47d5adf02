"""Pure plans: the Read state machine, cursors, batch planning and their compile rules."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from bloopfp import batches, compile, errors, transactions
from bloopfp.compiler import Request
from bloopfp.conditions import attribute_exists, attribute_not_exists
from bloopfp.cursors import Cursor, ParallelCursor, load_cursor, resume_from, start_cursor
from bloopfp.models import column, model
from bloopfp.operations import (
    BatchGetItem,
    BatchWriteItem,
    DeleteRequest,
    PutRequest,
    TransactGetItems,
    TransactWriteItems,
    key,
)
from bloopfp.paths import path
from bloopfp.plans import Paginate, start_read
from bloopfp.types import Binary, Integer, String
from bloopfp.updates import set_


@model(table_name="plan_events")
class Event:
    stream: str = column(String, hash_key=True)
    seq: int = column(Integer, range_key=True)
    body: str | None = column(String)


@model(table_name="plan_blobs")
class Blob:
    digest: bytes = column(Binary, hash_key=True)


QUERY = Request(
    "Query",
    {
        "TableName": "plan_events",
        "KeyConditionExpression": "#n0 = :v0",
        "ExpressionAttributeNames": {"#n0": "stream"},
        "ExpressionAttributeValues": {":v0": {"S": "a"}},
    },
    table="plan_events",
)
KEYS = ("stream", "seq")


def item(seq: int) -> dict[str, dict[str, str]]:
    return {"stream": {"S": "a"}, "seq": {"N": str(seq)}}


# Read.


def test_read_starts_at_request() -> None:
    state = start_read(QUERY, KEYS)
    assert state.next_request() == QUERY
    assert state.cursor == Cursor(table="plan_events")
    assert not state.finished


def test_read_cursor_follows_returned_item() -> None:
    state = start_read(QUERY, KEYS).after_item(item(4))
    assert state.cursor.key == (("seq", "N", "4"), ("stream", "S", "a"))
    assert state.cursor.exclusive_start_key() == item(4)
    assert state.returned == 1


def test_read_after_last_page_is_done() -> None:
    state = start_read(QUERY, KEYS).after_item(item(1)).after_page({"Items": [item(1)]})
    assert state.request is None
    assert state.cursor.done
    assert state.finished
    assert state.pages == 1


def test_read_after_page_continues_from_last_key() -> None:
    state = start_read(QUERY, KEYS).after_page({"Items": [], "LastEvaluatedKey": item(9)})
    assert state.request is not None
    assert state.request.params["ExclusiveStartKey"] == item(9)
    assert state.cursor.exclusive_start_key() == item(9)
    assert not state.cursor.done


def test_read_limit_narrows_page_without_filter() -> None:
    with_page_size = Request("Query", {**QUERY.params, "Limit": 50}, table="plan_events")
    state = start_read(with_page_size, KEYS, limit=10)
    request = state.next_request()
    assert request is not None
    assert request.params["Limit"] == 10
    state = state.after_item(item(1)).after_item(item(2))
    request = state.next_request()
    assert request is not None
    assert request.params["Limit"] == 8


def test_read_limit_keeps_page_size_with_filter() -> None:
    filtered = Request(
        "Query", {**QUERY.params, "FilterExpression": "x", "Limit": 5}, table="plan_events"
    )
    state = start_read(filtered, KEYS, limit=100)
    request = state.next_request()
    assert request is not None
    assert request.params["Limit"] == 5


def test_read_finishes_at_limit() -> None:
    state = start_read(QUERY, KEYS, limit=2).after_item(item(1)).after_item(item(2))
    assert state.finished
    assert state.next_request() is None


def test_read_leaves_request_unchanged() -> None:
    before = copy.deepcopy(QUERY.params)
    start_read(QUERY, KEYS).after_item(item(1)).after_page(
        {"Items": [item(1)], "LastEvaluatedKey": item(1)}
    )
    assert before == QUERY.params


def test_paginate_stops_without_last_key() -> None:
    assert Paginate(QUERY).advance(QUERY, {"Items": []}) is None


# Cursors.


def test_cursor_json_round_trip() -> None:
    cursor = Cursor(table="t", index="by_x", segment=1, total_segments=4, key=(("id", "S", "k"),))
    text = cursor.to_json()
    assert load_cursor(text) == cursor
    assert load_cursor(json.loads(text)) == cursor
    assert load_cursor(cursor) is cursor


def test_cursor_binary_key_is_base64() -> None:
    cursor = Cursor(table="t", key=(("digest", "B", b"\x00\xffab"),))
    data = cursor.to_dict()
    assert data["key"] == {"digest": {"B": "AP9hYg=="}}
    json.dumps(data)
    assert load_cursor(data) == cursor


def test_parallel_cursor_round_trip() -> None:
    cursor = ParallelCursor(
        (
            Cursor(table="t", segment=0, total_segments=2, done=True),
            Cursor(table="t", segment=1, total_segments=2),
        )
    )
    assert load_cursor(cursor.to_json()) == cursor
    assert not cursor.done


@pytest.mark.parametrize(
    "bad",
    [
        "{}",
        {"version": 99, "table": "t"},
        {"version": 1, "table": "t"},
        {
            "version": 1,
            "table": "t",
            "index": None,
            "segment": None,
            "total_segments": None,
            "key": {"id": {"SS": ["x"]}},
            "done": False,
        },
    ],
)
def test_cursor_rejects_invalid(bad: object) -> None:
    with pytest.raises(errors.InvalidRequest):
        load_cursor(bad)  # type: ignore[arg-type]


def test_resume_from_other_table_rejected() -> None:
    with pytest.raises(errors.InvalidRequest, match="cursor is for"):
        resume_from(QUERY, Cursor(table="elsewhere"))


def test_resume_from_done_cursor_reads_nothing() -> None:
    assert resume_from(QUERY, Cursor(table="plan_events", done=True)) is None
    assert start_read(QUERY, KEYS, cursor=Cursor(table="plan_events", done=True)).finished


def test_start_cursor_of_resumed_request() -> None:
    resumed = Request("Query", {**QUERY.params, "ExclusiveStartKey": item(3)}, table="x")
    assert start_cursor(resumed).exclusive_start_key() == item(3)


# Batch planning.


def events(count: int, stream: str = "a") -> list[Event]:
    return [Event(stream=stream, seq=i) for i in range(count)]


def test_plan_gets_chunks_of_100_distinct() -> None:
    keys = [key(Event, {"stream": "a", "seq": i % 150}) for i in range(300)]
    plan = batches.plan_gets(keys, consistent=True)
    assert [len(chunk.keys) for chunk in plan.chunks] == [100, 50]
    assert len(plan.tokens) == 150
    assert all(chunk.consistent for chunk in plan.chunks)


def test_plan_writes_chunks_of_25() -> None:
    writes = [batches.put_write(record) for record in events(51)]
    assert [len(c.requests) for c in batches.plan_writes(writes)] == [25, 25, 1]


def test_duplicates_last_wins() -> None:
    first = Event(stream="a", seq=1, body="first")
    last = Event(stream="a", seq=1, body="last")
    other = Event(stream="a", seq=2)
    kept = batches.resolve_duplicates([batches.put_write(r) for r in (first, other, last)], "last")
    assert [w.source for w in kept] == [other, last]


def test_duplicates_reject() -> None:
    records = [Event(stream="a", seq=1), Event(stream="a", seq=1, body="x")]
    with pytest.raises(errors.DuplicateKeys) as raised:
        batches.resolve_duplicates([batches.put_write(r) for r in records], "reject")
    assert raised.value.keys == (("plan_events", {"seq": {"N": "1"}, "stream": {"S": "a"}}),)


def test_follow_write_returns_unprocessed() -> None:
    request = compile(BatchWriteItem(tuple(PutRequest(r) for r in events(3))))
    unprocessed = {"plan_events": request.params["RequestItems"]["plan_events"][1:]}
    following = batches.follow_write(request, {"UnprocessedItems": unprocessed})
    assert following is not None
    assert following.params["RequestItems"] == unprocessed
    assert batches.follow_write(request, {"UnprocessedItems": {}}) is None
    assert batches.follow_write(request, {"UnprocessedItems": {"plan_events": []}}) is None


def test_follow_get_keeps_options() -> None:
    request = compile(BatchGetItem(tuple(key(Event, {"stream": "a", "seq": i}) for i in range(3))))
    left = {"plan_events": {"Keys": [item(2)], "ConsistentRead": True}}
    following = batches.follow_get(request, {"UnprocessedKeys": left})
    assert following is not None
    assert following.params["RequestItems"] == left
    assert batches.follow_get(request, {}) is None


def test_request_tokens_match_inputs() -> None:
    records = events(3)
    request = compile(BatchWriteItem(tuple(PutRequest(r) for r in records)))
    names = batches.table_key_names([Event])
    tokens = batches.request_tokens(request, names)
    assert tokens == [batches.put_write(r).token for r in records]


# Compile rules of batches.


def test_compile_batch_get() -> None:
    request = compile(
        BatchGetItem((key(Event, {"stream": "a", "seq": 1}), key(Blob, {"digest": b"x"})))
    )
    assert request.operation == "BatchGetItem"
    assert request.params == {
        "RequestItems": {
            "plan_events": {"Keys": [item(1)]},
            "plan_blobs": {"Keys": [{"digest": {"B": b"x"}}]},
        }
    }


def test_compile_batch_write() -> None:
    put = PutRequest(Event(stream="a", seq=1, body="hi"))
    delete = DeleteRequest(key(Event, {"stream": "a", "seq": 2}))
    request = compile(BatchWriteItem((put, delete)))
    assert request.params == {
        "RequestItems": {
            "plan_events": [
                {"PutRequest": {"Item": {**item(1), "body": {"S": "hi"}}}},
                {"DeleteRequest": {"Key": item(2)}},
            ]
        }
    }


@pytest.mark.parametrize("count", [0, 26])
def test_compile_batch_write_size_limits(count: int) -> None:
    with pytest.raises(errors.InvalidRequest, match="1 to 25"):
        compile(BatchWriteItem(tuple(PutRequest(r) for r in events(count))))


def test_compile_batch_get_rejects_101() -> None:
    keys = tuple(key(Event, {"stream": "a", "seq": i}) for i in range(101))
    with pytest.raises(errors.InvalidRequest, match="1 to 100"):
        compile(BatchGetItem(keys))


def test_compile_batch_write_rejects_duplicates() -> None:
    put = PutRequest(Event(stream="a", seq=1))
    delete = DeleteRequest(key(Event, {"stream": "a", "seq": 1}))
    with pytest.raises(errors.DuplicateKeys):
        compile(BatchWriteItem((put, delete)))


# Compile rules of transactions.


def test_compile_transact_write_items() -> None:
    old = Event(stream="a", seq=2, body="old")
    new = Event(stream="a", seq=2, body="new")
    operation = TransactWriteItems(
        (
            transactions.put(Event(stream="a", seq=1), condition=attribute_not_exists(Event.seq)),
            transactions.update(new, old=old, return_old=True),
            transactions.delete(Event, stream="a", seq=3),
            transactions.check(Event, attribute_exists(Event.body), stream="a", seq=4),
        ),
        token="token-1",
    )
    request = compile(operation)
    entries = request.params["TransactItems"]
    assert request.params["ClientRequestToken"] == "token-1"
    assert [next(iter(entry)) for entry in entries] == ["Put", "Update", "Delete", "ConditionCheck"]
    assert entries[0]["Put"]["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert entries[1]["Update"] == {
        "TableName": "plan_events",
        "Key": item(2),
        "UpdateExpression": "SET #n0 = :v0",
        "ExpressionAttributeNames": {"#n0": "body"},
        "ExpressionAttributeValues": {":v0": {"S": "new"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    assert entries[2] == {"Delete": {"TableName": "plan_events", "Key": item(3)}}
    assert entries[3]["ConditionCheck"]["ConditionExpression"] == "attribute_exists(#n0)"


def test_compile_transact_rejects_same_item_twice() -> None:
    operation = TransactWriteItems(
        (
            transactions.put(Event(stream="a", seq=1)),
            transactions.delete(Event, stream="a", seq=1),
        )
    )
    with pytest.raises(errors.DuplicateKeys, match="same item"):
        compile(operation)


def test_compile_transact_rejects_101_items() -> None:
    operation = TransactWriteItems(tuple(transactions.put(r) for r in events(101)))
    with pytest.raises(errors.InvalidRequest, match="1 to 100"):
        compile(operation)


def test_compile_transact_rejects_over_4_mb() -> None:
    big = "x" * (300 * 1024)
    records = [Event(stream="a", seq=i, body=big) for i in range(15)]
    with pytest.raises(errors.InvalidRequest, match="4 MB"):
        compile(TransactWriteItems(tuple(transactions.put(r) for r in records)))


def test_compile_empty_diff_with_condition_is_check() -> None:
    record = Event(stream="a", seq=1)
    item_value = transactions.update(record, old=record, condition=attribute_exists(Event.seq))
    request = compile(TransactWriteItems((item_value,)))
    assert "ConditionCheck" in request.params["TransactItems"][0]


def test_compile_empty_diff_without_condition_rejected() -> None:
    record = Event(stream="a", seq=1)
    with pytest.raises(errors.InvalidRequest, match="changes nothing"):
        compile(TransactWriteItems((transactions.update(record, old=record),)))


def test_compile_update_of_key_rejected() -> None:
    record = Event(stream="a", seq=1)
    with pytest.raises(errors.InvalidRequest, match="key attribute"):
        compile(TransactWriteItems((transactions.update(record, changes=set_(path("seq"), 2)),)))


def test_compile_transact_get_items() -> None:
    request = compile(
        TransactGetItems(
            (
                transactions.get(Event, projection=["body"], stream="a", seq=1),
                transactions.get(Blob, digest=b"d"),
            )
        )
    )
    assert request.params == {
        "TransactItems": [
            {
                "Get": {
                    "TableName": "plan_events",
                    "Key": item(1),
                    "ProjectionExpression": "#n0, #n1, #n2",
                    "ExpressionAttributeNames": {"#n0": "body", "#n1": "stream", "#n2": "seq"},
                }
            },
            {"Get": {"TableName": "plan_blobs", "Key": {"digest": {"B": b"d"}}}},
        ]
    }


def test_update_needs_old_or_changes() -> None:
    with pytest.raises(errors.InvalidRequest, match="exactly one"):
        transactions.update(Event(stream="a", seq=1))


def test_cancellations_map_to_items() -> None:
    items = (
        transactions.put(Event(stream="a", seq=1), return_old=True),
        transactions.delete(Event, stream="a", seq=2),
    )
    reasons = (
        {
            "Code": "ConditionalCheckFailed",
            "Message": "failed",
            "Item": {**item(1), "body": {"S": "x"}},
        },
        {"Code": "None"},
    )
    found = transactions.cancellations(items, reasons)
    assert found[0].item is items[0]
    assert found[0].failed
    assert found[0].old == Event(stream="a", seq=1, body="x")
    assert found[1].item is items[1]
    assert not found[1].failed
    assert found[1].old is None
    summary = transactions.describe_cancellations(found)
    assert "item 0" in summary
    assert "item 1" not in summary


def test_token_uuid_default_is_unique() -> None:
    from bloopfp.runtime import Runtime

    runtime = Runtime(executor=None)  # type: ignore[arg-type]
    tokens = {runtime.new_token() for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) == 36 and uuid.UUID(token) for token in tokens)
