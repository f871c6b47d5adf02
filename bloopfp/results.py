"""Lazy results of queries and scans: items fetched a page at a time, with resume cursors.

`Results` and `ParallelResults` are what `Engine.query` and `Engine.scan` return. Iterating one
gives a `ResultIterator`, whose `cursor` resumes right after the last record it returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, NoReturn, TypeVar, overload

import attrs

from bloopfp.compiler import Request
from bloopfp.cursors import AnyCursor, Cursor, ParallelCursor, start_cursor
from bloopfp.errors import ConstraintViolation, InvalidRequest
from bloopfp.items import load_item
from bloopfp.plans import Paginate, Read, start_read
from bloopfp.runtime import DEFAULT_SCAN_WORKERS, Runtime

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
    `to_json()` form) as `cursor=` to `Engine.query` or `Engine.scan` to continue. `close()`, or
    leaving a `with` block, stops reading. For a parallel scan it also stops the reader threads,
    which otherwise keep filling their buffer until the iterator is garbage-collected.
    """

    def __init__(self, events: Iterator[Event], cursor: AnyCursor) -> None:
        self._events = events
        self._cursor = cursor
        self.pages = 0

    def __iter__(self) -> ResultIterator[R]:
        return self

    def __enter__(self) -> ResultIterator[R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading pages; the cursor stays where the last record left it."""
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

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

    @property
    def cursor(self) -> NoReturn:
        raise _no_cursor("Results")

    def _start(self) -> Read:
        return start_read(self.request, self._key_names, cursor=self._cursor, limit=self._limit)

    def pages(self) -> Iterator[dict[str, Any]]:
        """Yield the raw response of each page, ignoring `limit`."""
        first = self._start().request
        if first is None:
            return iter(())
        return self._runtime.pages(Paginate(first))

    def __iter__(self) -> ResultIterator[R]:
        if self.request.params.get("Select") == "COUNT":
            raise InvalidRequest(
                f"{self.request.operation} on {self.request.table} was built with "
                "select='COUNT', which returns no items; call .count() instead"
            )
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
    """The merged records of a parallel scan, read by a bounded pool of threads.

    `request` is the Scan request of segment 0. The request of segment i differs only in its
    Segment, and is built when a worker starts that segment, so even a million segments cost no
    memory until they are read. At most `workers` segments are read at once, each to its end.
    Iterating yields records as the segments return them, so their order is not defined. The
    iterator's `cursor` is a ParallelCursor with one cursor per segment. `progress`, if given,
    is called on the iterating thread with a ScanProgress after each page of a segment.
    `cursors[i]`, if given and not None, resumes segment i; it is checked against segment i's
    request here, before anything is sent.
    """

    def __init__(
        self,
        runtime: Runtime,
        request: Request,
        model: Any,
        *,
        key_names: tuple[str, ...] = (),
        limit: int | None = None,
        cursors: Sequence[Cursor | None] | None = None,
        progress: Callable[[ScanProgress], None] | None = None,
        workers: int = DEFAULT_SCAN_WORKERS,
        buffer: int = 1024,
    ) -> None:
        self._runtime = runtime
        self.request = request
        self.total_segments: int = request.params["TotalSegments"]
        self._model = model
        self._key_names = key_names
        self._limit = limit
        self._cursors = tuple(cursors) if cursors is not None else None
        self._progress = progress
        self._workers = workers
        self._buffer = buffer
        if self._cursors is not None:
            for index in range(self.total_segments):
                self.segment(index)._start()

    def __repr__(self) -> str:
        return (
            f"<ParallelResults of Scan on {self.request.table} in {self.total_segments} segments>"
        )

    @property
    def cursor(self) -> NoReturn:
        raise _no_cursor("ParallelResults")

    def segment(self, index: int) -> Results[R]:
        """Return the results of segment `index` alone, resumed from its cursor if one was given."""
        params = {**self.request.params, "Segment": index}
        return Results(
            self._runtime,
            attrs.evolve(self.request, params=params),
            self._model,
            key_names=self._key_names,
            limit=self._limit,
            cursor=self._cursors[index] if self._cursors is not None else None,
        )

    def __iter__(self) -> ResultIterator[R]:
        sources = _Sources(self)
        merged = self._runtime.merge(sources, buffer=self._buffer, workers=self._workers)
        return _ParallelIterator(self, merged)

    def all(self) -> list[R]:
        return list(self)

    def count(self) -> int:
        """Count matching items of every segment with Select=COUNT, `workers` segments at once."""
        counts = self._runtime.map(
            lambda index: self.segment(index).count(),
            range(self.total_segments),
            concurrency=self._workers,
        )
        return sum(counts)

    def _start_cursor(self, index: int) -> Cursor:
        given = self._cursors[index] if self._cursors is not None else None
        if given is not None:
            return given
        return start_cursor(self.segment(index).request)


class _Sources(Sequence[Callable[[], Iterator[Event]]]):
    """The event sources of a parallel scan's segments, built when a worker requests one."""

    def __init__(self, results: ParallelResults[Any]) -> None:
        self._results = results

    def __len__(self) -> int:
        return self._results.total_segments

    @overload
    def __getitem__(self, index: int) -> Callable[[], Iterator[Event]]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Callable[[], Iterator[Event]]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        results = self._results
        segment = results.segment(index)
        return lambda: read_events(results._runtime, segment._start(), results._model)


class _ParallelIterator(ResultIterator[R]):
    """The iterator of a parallel scan, which tracks one cursor per segment.

    Segments not started yet keep None in `_positions`, and `cursor` fills in their starting
    cursors only when it is read, so that each record costs O(1) however many segments there are.
    """

    def __init__(self, results: ParallelResults[R], merged: Iterator[tuple[int, Event]]) -> None:
        super().__init__(iter(()), ParallelCursor(()))
        self._results = results
        self._merged = merged
        self._positions: list[Cursor | None] = [None] * results.total_segments

    def close(self) -> None:
        close = getattr(self._merged, "close", None)
        if close is not None:
            close()

    def __next__(self) -> R:
        progress = self._results._progress
        for index, event in self._merged:
            assert isinstance(event.cursor, Cursor)  # a segment's own events carry its Cursor
            self._positions[index] = event.cursor
            if event.page_end:
                self.pages += 1
                if progress is not None:
                    progress(ScanProgress(index, event.items, event.pages, event.cursor.done))
            if event.has_record:
                record: R = event.record
                return record
        raise StopIteration

    @property
    def cursor(self) -> ParallelCursor:
        positions = self._positions
        return ParallelCursor(
            tuple(
                position if position is not None else self._results._start_cursor(index)
                for index, position in enumerate(positions)
            )
        )


def _no_cursor(kind: str) -> AttributeError:
    return AttributeError(
        f"{kind} has no cursor, because each iteration starts again and has its own position; "
        "take the cursor from the iterator: it = iter(results); record = next(it); it.cursor"
    )
