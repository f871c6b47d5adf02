"""Cursors resume only the read that made them: same operation, direction, key and filter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bloopfp import Engine, errors
from bloopfp.cursors import CURSOR_VERSION, Cursor, ParallelCursor, load_cursor
from bloopfp.executors.memory import MemoryExecutor
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.models import GlobalSecondaryIndex, column, model
from bloopfp.types import Binary, Integer, String


@model(table_name="bound_posts")
class Post:
    author: str = column(String, hash_key=True)
    number: int = column(Integer, range_key=True)
    topic: str = column(String, default="t0")
    text: str | None = column(String)
    by_topic = GlobalSecondaryIndex(hash_key="topic", range_key="number", projection="all")


@model(table_name="bound_blobs")
class Blob:
    digest: bytes = column(Binary, hash_key=True)
    part: int = column(Integer, range_key=True)


@pytest.fixture()
def engine() -> Engine:
    engine = Engine(MemoryExecutor())
    engine.bind(Post, Blob)
    posts = [Post(author=a, number=i, text="x" if i % 2 else "y") for a in "ab" for i in range(6)]
    engine.save_many(posts)
    return engine


def cursor_after(results: Any, count: int = 2) -> Any:
    iterator = iter(results)
    for _ in range(count):
        next(iterator)
    return iterator.cursor


def test_same_read_resumes(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a", filter=Post.text == "x"), 1)

    rest = engine.query(Post, Post.author == "a", filter=Post.text == "x", cursor=cursor.to_json())

    assert [p.number for p in rest] == [3, 5]


def test_reverse_order_rejected(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a"))

    with pytest.raises(
        errors.InvalidRequest, match="reading forward, but this one reads in reverse"
    ):
        engine.query(Post, Post.author == "a", forward=False, cursor=cursor).all()


def test_other_hash_key_rejected(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a"))

    with pytest.raises(errors.InvalidRequest, match="another key condition or filter"):
        engine.query(Post, Post.author == "b", cursor=cursor.to_dict()).all()


def test_other_filter_rejected(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a", filter=Post.text == "x"), 1)

    with pytest.raises(errors.InvalidRequest, match="another key condition or filter"):
        engine.query(Post, Post.author == "a", filter=Post.text == "y", cursor=cursor).all()


def test_other_range_condition_rejected(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, (Post.author == "a") & (Post.number > 0)))

    with pytest.raises(errors.InvalidRequest, match="another key condition or filter"):
        engine.query(Post, (Post.author == "a") & (Post.number > 3), cursor=cursor).all()


def test_query_cursor_rejected_by_scan(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a"))

    with pytest.raises(errors.InvalidRequest, match="made by a Query, but this read is a Scan"):
        engine.scan(Post, cursor=cursor).all()


def test_scan_cursor_rejected_by_query(engine: Engine) -> None:
    cursor = cursor_after(engine.scan(Post))

    with pytest.raises(errors.InvalidRequest, match="made by a Scan, but this read is a Query"):
        engine.query(Post, Post.author == "a", cursor=cursor).all()


def test_done_cursor_still_bound(engine: Engine) -> None:
    iterator = iter(engine.query(Post, Post.author == "a"))
    list(iterator)
    assert iterator.cursor.done

    with pytest.raises(errors.InvalidRequest, match="another key condition"):
        engine.query(Post, Post.author == "b", cursor=iterator.cursor).all()


def test_rejected_before_any_request(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a"))
    recorder = RecordingExecutor(engine.executor)
    checked = Engine(recorder)

    with pytest.raises(errors.InvalidRequest):
        checked.query(Post, Post.author == "b", cursor=cursor).first()
    assert recorder.calls == []


def test_projection_and_page_size_may_change(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post, Post.author == "a", page_size=1))

    rest = engine.query(Post, Post.author == "a", projection=["text"], cursor=cursor).all()

    assert [p.number for p in rest] == [2, 3, 4, 5]


def test_unmoved_cursor_is_unbound(engine: Engine) -> None:
    iterator = iter(engine.query(Post, Post.author == "a"))
    cursor = iterator.cursor
    assert isinstance(cursor, Cursor)
    assert cursor.operation is None

    assert len(engine.query(Post, Post.author == "b", cursor=cursor).all()) == 6


def test_binding_round_trips_json(engine: Engine) -> None:
    cursor = cursor_after(engine.query(Post.by_topic, Post.topic == "t0", forward=False))
    data = cursor.to_dict()

    assert data["version"] == CURSOR_VERSION == 2
    assert data["operation"] == "Query"
    assert data["forward"] is False
    assert len(data["fingerprint"]) == 64
    assert load_cursor(json.dumps(data)) == cursor


def test_binary_key_values_bind(engine: Engine) -> None:
    engine.save_many([Blob(digest=b"\x00\xff", part=i) for i in range(3)])
    engine.save_many([Blob(digest=b"\x01", part=i) for i in range(3)])
    cursor = cursor_after(engine.query(Blob, Blob.digest == b"\x00\xff"), 1)

    rest = engine.query(Blob, Blob.digest == b"\x00\xff", cursor=cursor.to_json()).all()
    assert [b.part for b in rest] == [1, 2]
    with pytest.raises(errors.InvalidRequest, match="another key condition"):
        engine.query(Blob, Blob.digest == b"\x01", cursor=cursor).all()


def test_parallel_cursor_segments_bound(engine: Engine) -> None:
    iterator = iter(engine.scan(Post, segments=2, filter=Post.text == "x"))
    next(iterator)
    cursor = iterator.cursor
    assert isinstance(cursor, ParallelCursor)

    with pytest.raises(errors.InvalidRequest, match="another key condition or filter"):
        engine.scan(Post, segments=2, filter=Post.text == "y", cursor=cursor)


def test_old_version_rejected_clearly() -> None:
    old = {
        "version": 1,
        "table": "bound_posts",
        "index": None,
        "segment": None,
        "total_segments": None,
        "key": {"author": {"S": "a"}, "number": {"N": "1"}},
        "done": False,
    }

    with pytest.raises(errors.InvalidRequest, match="format version 1, which this bloopfp no"):
        load_cursor(old)
    with pytest.raises(errors.InvalidRequest, match="format version 1"):
        load_cursor({"version": 1, "segments": [old]})


@pytest.mark.parametrize("bad", ["nope", "", "[1, 2]", "5", json.dumps({"version": 2})])
def test_invalid_cursor_text_rejected(bad: str) -> None:
    with pytest.raises(errors.InvalidRequest):
        load_cursor(bad)


def test_parallel_cursor_with_bad_segment_rejected() -> None:
    with pytest.raises(errors.InvalidRequest, match="not a bloopfp cursor"):
        load_cursor({"version": 2, "segments": ["x"]})
    with pytest.raises(errors.InvalidRequest, match="'segments' is not a list"):
        load_cursor({"version": 2, "segments": "x"})
