"""Lazy results of queries and scans: items fetched a page at a time, with resume cursors.

`Results` and `ParallelResults` are what `Engine.query` and `Engine.scan` return. Iterating one
gives a `ResultIterator`, whose `cursor` resumes right after the last record it returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import attrs

from bloopfp.compiler import Request
from bloopfp.cursors import AnyCursor, Cursor, ParallelCursor
from bloopfp.errors import ConstraintViolation
from bloopfp.items import load_item
from bloopfp.plans import Paginate, Read, start_read
from bloopfp.runtime import Runtime

R = TypeVar("R")


@attrs.frozen
class Event:
    """One step of a read: an item handed over, or a page finished without one.

    `cursor` is the read's cursor after this step, and `items` and `pages` count what the read
    returned and fetched so far. `page_end` is True when this step finished a page.
    """

    record: Any
    has_record: bool
    cursor: AnyCursor
    items: int
    pages: int
    page_end: bool


def read_events(runtime: Runtime, state: Read, model: Any) -> Iterator[Event]:
    """Drive a Read plan, yielding an Event for every item and for every page without items.

    The state is advanced before each event is yielded, so an event's cursor already accounts
    for its item: stopping after any event and resuming from its cursor repeats nothing.
    """
    while (request := state.next_request()) is not None:
        response = runtime.execute(request)
        state = attrs.evolve(state, request=request)
        items = response.get("Items", [])
        if not items:
            state = state.after_page(response)
            yield Event(None, False, state.cursor, state.returned, state.pages, True)
            continue
        for position, item in enumerate(items):
            record = load_item(model, item)
            state = state.after_item(item)
            last = position == len(items) - 1
            if last:
                state = state.after_page(response)
            yield Event(record, True, state.cursor, state.returned, state.pages, last)
            if state.finished:
                return


class ResultIterator(Generic[R]):
    """An iterator over the records of a Query or Scan, with a resume cursor.

    After each record, `cursor` resumes right after it. Pass it (or its `to_dict()` or
    `to_json()` form) as `cursor=` to `Engine.query` or `Engine.scan` to continue.
    """

    def __init__(self, events: Iterator[Event], cursor: AnyCursor) -> None:
        self._events = events
        self._cursor = cursor
        self.pages = 0

    def __iter__(self) -> ResultIterator[R]:
        return self

    def __next__(self) -> R:
        for event in self._events:
            self._cursor = event.cursor
            self.pages = event.pages
            if event.has_record:
                record: R = event.record
                return record
        raise StopIteration

    @property
    def cursor(self) -> AnyCursor:
        return self._cursor


class Results(Generic[R]):
    """The lazy results of a Query or Scan: iterating fetches one page at a time.

    Each iteration starts again from the start (or from the cursor given to the query) and
    returns a ResultIterator, whose `cursor` resumes after the last record it returned.
    `.first()`, `.one()` and `.all()` fetch only the pages they need; `.pages()` yields the raw
    responses; `limit` caps the records returned.
    """

    def __init__(
        self,
        runtime: Runtime,
        request: Request,
        model: Any,
        *,
        key_names: tuple[str, ...] = (),
        limit: int | None = None,
        cursor: Cursor | None = None,
    ) -> None:
        self._runtime = runtime
        self.request = request
        self._model = model
        self._key_names = key_names
        self._limit = limit
        self._cursor = cursor

    def __repr__(self) -> str:
        return f"<Results of {self.request.operation} on {self.request.table}>"

    def _start(self) -> Read:
        return start_read(self.request, self._key_names, cursor=self._cursor, limit=self._limit)

    def pages(self) -> Iterator[dict[str, Any]]:
        """Yield the raw response of each page, ignoring `limit`."""
        first = self._start().request
        if first is None:
            return iter(())
        return self._runtime.pages(Paginate(first))

    def __iter__(self) -> ResultIterator[R]:
        state = self._start()
        return ResultIterator(read_events(self._runtime, state, self._model), state.cursor)

    def first(self) -> R:
        """Return the first result, raising ConstraintViolation when there is none."""
        for record in self:
            return record
        raise ConstraintViolation(f"{self.request.operation} on {self.request.table} found nothing")

    def one(self) -> R:
        """Return the only result, raising ConstraintViolation for none or more than one."""
        found = iter(self)
        first = next(found, None)
        if first is None:
            raise ConstraintViolation(
                f"{self.request.operation} on {self.request.table} expected one result, found none"
            )
        if next(found, None) is not None:
            raise ConstraintViolation(
                f"{self.request.operation} on {self.request.table} expected one result, "
                "found more than one"
            )
        return first

    def all(self) -> list[R]:
        return list(self)

    def count(self) -> int:
        """Count matching items with Select=COUNT, without transferring them.

        The count ignores `limit` and starts at the cursor given to the query, if any.
        """
        first = self._start().request
        if first is None:
            return 0
        params = {**first.params, "Select": "COUNT"}
        params.pop("ProjectionExpression", None)
        counting = attrs.evolve(first, params=params)
        return sum(page.get("Count", 0) for page in self._runtime.pages(Paginate(counting)))


@attrs.frozen
class ScanProgress:
    """Progress of one segment of a parallel scan: records returned and pages fetched so far."""

    segment: int
    items: int
    pages: int
    done: bool


class ParallelResults(Generic[R]):
    """The merged records of a parallel scan, each segment read by its own thread.

    Iterating yields records as the segments return them, so their order is not defined. The
    iterator's `cursor` is a ParallelCursor with one cursor per segment. `progress`, if given,
    is called on the iterating thread with a ScanProgress after each page of a segment.
    """

    def __init__(
        self,
        runtime: Runtime,
        segments: Sequence[Results[R]],
        *,
        progress: Callable[[ScanProgress], None] | None = None,
        buffer: int = 1024,
    ) -> None:
        self._runtime = runtime
        self.segments = tuple(segments)
        self._progress = progress
        self._buffer = buffer

    def __repr__(self) -> str:
        first = self.segments[0].request
        return f"<ParallelResults of Scan on {first.table} in {len(self.segments)} segments>"

    def __iter__(self) -> ResultIterator[R]:
        starts = [segment._start() for segment in self.segments]
        cursor = ParallelCursor(tuple(state.cursor for state in starts))
        return ResultIterator(self._merged(starts), cursor)

    def _merged(self, starts: list[Read]) -> Iterator[Event]:
        cursors = [state.cursor for state in starts]
        sources = [
            _source(self._runtime, state, segment._model)
            for state, segment in zip(starts, self.segments, strict=True)
        ]
        for index, event in self._runtime.merge(sources, buffer=self._buffer):
            assert isinstance(event.cursor, Cursor)  # a segment's own events carry its Cursor
            cursors[index] = event.cursor
            merged = ParallelCursor(tuple(cursors))
            if event.page_end and self._progress is not None:
                self._progress(ScanProgress(index, event.items, event.pages, event.cursor.done))
            yield attrs.evolve(event, cursor=merged)

    def all(self) -> list[R]:
        return list(self)

    def count(self) -> int:
        """Count matching items of every segment with Select=COUNT."""
        return sum(segment.count() for segment in self.segments)


def _source(runtime: Runtime, state: Read, model: Any) -> Callable[[], Iterator[Event]]:
    return lambda: read_events(runtime, state, model)
