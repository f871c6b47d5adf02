"""Resume cursors of queries and scans, including the resume property and parallel scans.

These run on MemoryExecutor; tests/test_exec_batches.py repeats the main cases on moto.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bloopfp import Engine, errors
from bloopfp.cursors import Cursor, ParallelCursor
from bloopfp.engine import ScanProgress
from bloopfp.executors.recording import RecordingExecutor
from bloopfp.models import GlobalSecondaryIndex, LocalSecondaryIndex, column, model
from bloopfp.types import Integer, String


@model(table_name="cursor_posts")
class Post:
    author: str = column(String, hash_key=True)
    number: int = column(Integer, range_key=True)
    topic: str = column(String, default="t0")
    score: int = column(Integer, default=0)
    text: str | None = column(String)
    by_topic = GlobalSecondaryIndex(hash_key="topic", range_key="score", projection="all")
    by_score = LocalSecondaryIndex(range_key="score", projection="keys")


def make_engine(posts: list[Post]) -> tuple[Engine, RecordingExecutor]:
    from bloopfp.executors import MemoryExecutor

    recorder = RecordingExecutor(MemoryExecutor())
    engine = Engine(recorder)
    engine.bind(Post)
    engine.save_many(posts)
    recorder.reset()
    return engine, recorder


def key_of(post: Post) -> tuple[str, int]:
    return post.author, post.number


posts_strategy = st.lists(
    st.builds(
        Post,
        author=st.sampled_from(["ann", "bob"]),
        number=st.integers(0, 40),
        topic=st.sampled_from(["t0", "t1"]),
        score=st.integers(0, 5),
        text=st.none() | st.sampled_from(["x", "y"]),
    ),
    max_size=40,
    unique_by=key_of,
)

READS = ["query", "query_reverse", "scan", "gsi", "lsi", "segment"]


def read(engine: Engine, kind: str, **options: Any) -> Any:
    if kind == "query":
        return engine.query(Post, Post.author == "ann", **options)
    if kind == "query_reverse":
        return engine.query(Post, Post.author == "ann", forward=False, **options)
    if kind == "gsi":
        return engine.query(Post.by_topic, Post.topic == "t1", **options)
    if kind == "lsi":
        return engine.query(Post.by_score, Post.author == "bob", **options)
    if kind == "segment":
        return engine.scan(Post, segment=1, total_segments=2, **options)
    return engine.scan(Post, **options)


@settings(max_examples=150)
@given(
    posts=posts_strategy,
    kind=st.sampled_from(READS),
    filtered=st.booleans(),
    page_size=st.none() | st.integers(1, 7),
    limit=st.none() | st.integers(1, 30),
    stop=st.integers(0, 40),
    as_json=st.booleans(),
)
def test_resume_neither_skips_nor_repeats(
    posts: list[Post],
    kind: str,
    filtered: bool,
    page_size: int | None,
    limit: int | None,
    stop: int,
    as_json: bool,
) -> None:
    engine, _ = make_engine(posts)
    options: dict[str, Any] = {"page_size": page_size}
    if filtered:
        options["filter"] = Post.text == "x"
    full = read(engine, kind, limit=limit, **options).all()

    iterator = iter(read(engine, kind, limit=limit, **options))
    head = [record for _, record in zip(range(stop), iterator, strict=False)]
    cursor = iterator.cursor
    resumed_limit = None if limit is None else limit - len(head)
    if resumed_limit == 0:
        tail: list[Post] = []
    else:
        given_cursor = cursor.to_json() if as_json else cursor.to_dict()
        tail = read(engine, kind, limit=resumed_limit, cursor=given_cursor, **options).all()

    assert head + tail == full
    assert len(set(map(key_of, full))) == len(full)


def test_cursor_after_each_item_is_that_item() -> None:
    posts = [Post(author="ann", number=i) for i in range(5)]
    engine, _ = make_engine(posts)
    iterator = iter(engine.query(Post, Post.author == "ann", page_size=2))
    for post in iterator:
        cursor = iterator.cursor
        assert isinstance(cursor, Cursor)
        if post.number < 4:
            assert cursor.exclusive_start_key() == {
                "author": {"S": "ann"},
                "number": {"N": str(post.number)},
            }
    assert isinstance(iterator.cursor, Cursor)
    assert iterator.cursor.done


def test_done_cursor_sends_nothing() -> None:
    engine, recorder = make_engine([Post(author="ann", number=1)])
    iterator = iter(engine.query(Post, Post.author == "ann"))
    list(iterator)
    recorder.reset()
    assert engine.query(Post, Post.author == "ann", cursor=iterator.cursor).all() == []
    assert recorder.count() == 0


def test_cursor_is_json_safe() -> None:
    engine, _ = make_engine([Post(author="ann", number=i) for i in range(3)])
    iterator = iter(engine.query(Post.by_topic, Post.topic == "t0"))
    next(iterator)
    data = iterator.cursor.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["index"] == "by_topic"
    assert set(data["key"]) == {"author", "number", "topic", "score"}


def test_cursor_of_other_target_rejected() -> None:
    engine, _ = make_engine([Post(author="ann", number=1)])
    iterator = iter(engine.query(Post, Post.author == "ann"))
    next(iterator)
    with pytest.raises(errors.InvalidRequest, match="cursor is for"):
        engine.query(Post.by_topic, Post.topic == "t0", cursor=iterator.cursor).all()


def test_limit_stops_fetching_pages() -> None:
    engine, recorder = make_engine([Post(author="ann", number=i) for i in range(30)])
    found = engine.query(Post, Post.author == "ann", page_size=5, limit=7).all()
    assert [p.number for p in found] == list(range(7))
    assert recorder.count("Query") == 2
    limits = [call.params["Limit"] for call in recorder.calls]
    assert limits == [5, 2]


def test_filtered_out_pages_do_not_end_iteration() -> None:
    posts = [Post(author="ann", number=i, text="x" if i >= 20 else None) for i in range(25)]
    engine, recorder = make_engine(posts)
    found = engine.query(Post, Post.author == "ann", filter=Post.text == "x", page_size=3).all()
    assert [p.number for p in found] == list(range(20, 25))
    assert recorder.count("Query") >= 7


def test_projection_keeps_keys_for_cursor() -> None:
    engine, recorder = make_engine([Post(author="ann", number=i, text="x") for i in range(3)])
    iterator = iter(engine.query(Post, Post.author == "ann", projection=["text"]))
    post = next(iterator)
    assert post.text == "x"
    assert post.topic == "t0" or post.topic is None
    expression = recorder.calls[0].params["ProjectionExpression"]
    names = recorder.calls[0].params["ExpressionAttributeNames"]
    assert sorted(names[n.strip()] for n in expression.split(",")) == ["author", "number", "text"]
    assert iterator.cursor.exclusive_start_key() is not None  # type: ignore[union-attr]


def test_consistent_and_reverse_pass_through() -> None:
    engine, recorder = make_engine([Post(author="ann", number=i) for i in range(3)])
    found = engine.query(Post, Post.author == "ann", consistent=True, forward=False).all()
    assert [p.number for p in found] == [2, 1, 0]
    params = recorder.calls[0].params
    assert params["ConsistentRead"] is True
    assert params["ScanIndexForward"] is False


def test_start_still_resumes() -> None:
    engine, _ = make_engine([Post(author="ann", number=i) for i in range(4)])
    start = {"author": {"S": "ann"}, "number": {"N": "1"}}
    found = engine.query(Post, Post.author == "ann", start=start).all()
    assert [p.number for p in found] == [2, 3]


def test_count_first_one_pages_kept() -> None:
    engine, recorder = make_engine([Post(author="ann", number=i) for i in range(12)])
    results = engine.query(Post, Post.author == "ann", page_size=5)
    assert results.count() == 12
    assert all(call.params["Select"] == "COUNT" for call in recorder.calls)
    assert results.first().number == 0
    assert len(list(results.pages())) == 3
    with pytest.raises(errors.ConstraintViolation):
        results.one()


def test_limit_rejects_non_positive() -> None:
    engine, _ = make_engine([])
    with pytest.raises(errors.InvalidRequest, match="limit"):
        engine.query(Post, Post.author == "ann", limit=0)


# Parallel scans.


def many_posts(count: int) -> list[Post]:
    return [Post(author=f"a{i % 37}", number=i, text="x" if i % 3 else None) for i in range(count)]


def test_parallel_scan_returns_everything_once() -> None:
    posts = many_posts(400)
    engine, recorder = make_engine(posts)
    reports: list[ScanProgress] = []
    found = engine.scan(Post, segments=4, page_size=20, progress=reports.append).all()
    assert sorted(map(key_of, found)) == sorted(map(key_of, posts))
    segments_called = {call.params["Segment"] for call in recorder.calls}
    assert segments_called == {0, 1, 2, 3}
    last = {}
    for report in reports:
        last[report.segment] = report
    assert set(last) == {0, 1, 2, 3}
    assert all(report.done for report in last.values())
    assert sum(report.items for report in last.values()) == 400
    assert sum(report.pages for report in last.values()) == recorder.count("Scan")


@pytest.mark.parametrize("stop", [0, 1, 57, 199, 266])
def test_parallel_scan_resumes_each_segment(stop: int) -> None:
    posts = many_posts(300)
    engine, _ = make_engine(posts)
    options: dict[str, Any] = {"segments": 3, "page_size": 13, "filter": Post.text == "x"}
    full = engine.scan(Post, **options).all()

    iterator = iter(engine.scan(Post, **options))
    head = [record for _, record in zip(range(stop), iterator, strict=False)]
    cursor = iterator.cursor
    assert isinstance(cursor, ParallelCursor)
    tail = engine.scan(Post, cursor=cursor.to_json(), **options).all()

    combined = list(map(key_of, head + tail))
    assert len(combined) == len(set(combined))
    assert sorted(combined) == sorted(map(key_of, full))


def test_parallel_scan_cursor_needs_same_segments() -> None:
    engine, _ = make_engine(many_posts(10))
    iterator = iter(engine.scan(Post, segments=2))
    next(iterator)
    with pytest.raises(errors.InvalidRequest, match="ParallelCursor"):
        engine.scan(Post, segments=3, cursor=iterator.cursor)
    with pytest.raises(errors.InvalidRequest, match="segments="):
        engine.scan(Post, cursor=iterator.cursor)


def test_parallel_scan_stops_early_without_leaking_threads() -> None:
    import threading

    engine, _ = make_engine(many_posts(300))
    before = threading.active_count()
    iterator = iter(engine.scan(Post, segments=4, page_size=5))
    next(iterator)
    del iterator
    import gc

    gc.collect()
    assert threading.active_count() == before


def test_parallel_scan_count() -> None:
    engine, _ = make_engine(many_posts(100))
    assert engine.scan(Post, segments=3).count() == 100
