"""The Engine: each method composes an operation value, compiles it and runs it.

>>> import uuid
>>> from bloopfp import Engine, model, column
>>> from bloopfp.executors import MemoryExecutor
>>> from bloopfp.types import String, UUID
>>> @model(table_name="people")
... class Person:
...     id: uuid.UUID = column(UUID, hash_key=True)
...     name: str | None = column(String)
>>> engine = Engine(MemoryExecutor())
>>> engine.bind(Person)
>>> ada = Person(id=uuid.UUID(int=7), name="Ada")
>>> engine.save(ada) == ada
True
>>> engine.load(Person, id=uuid.UUID(int=7)) == ada
True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from bloopfp import batches, operations, plans, transactions
from bloopfp.compiler import Request, compile_operation
from bloopfp.conditions import EMPTY, Condition, and_
from bloopfp.cursors import AnyCursor, ParallelCursor, load_cursor
from bloopfp.errors import (
    BatchIncomplete,
    InvalidModel,
    InvalidRequest,
    ItemsNotFound,
    NotFound,
    TableNotFound,
    TransactionCanceled,
    TransactionItemsCanceled,
)
from bloopfp.executors.base import Executor
from bloopfp.items import load_item
from bloopfp.models import require_concrete, spec_of
from bloopfp.operations import Select
from bloopfp.paths import path
from bloopfp.plans import resume, schema_problems, table_ready
from bloopfp.results import ParallelResults, ResultIterator, Results, ScanProgress
from bloopfp.runtime import DEFAULT_SCAN_WORKERS, RetryPolicy, Runtime
from bloopfp.transactions import require_condition, require_update
from bloopfp.updates import Update, version_column, version_guard

__all__ = ["Engine", "ParallelResults", "ResultIterator", "Results", "ScanProgress"]

logger = logging.getLogger("bloopfp.engine")

R = TypeVar("R")

CursorInput = AnyCursor | Mapping[str, Any] | str


class Engine:
    """Runs bloopfp operations through one executor.

    `observe`, if given, receives every compiled Request before it is sent (the demo prints them).
    `sleep`, `random` (a function returning floats in [0, 1)) and `new_token` (ClientRequestToken
    values) are injected so that tests run without waiting and reproducibly.
    """

    def __init__(
        self,
        executor: Executor,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] | None = None,
        new_token: Callable[[], str] | None = None,
        observe: Callable[[Request], None] | None = None,
    ) -> None:
        self.executor = executor
        options: dict[str, Any] = {}
        if random is not None:
            options["random"] = random
        if new_token is not None:
            options["new_token"] = new_token
        self.runtime = Runtime(executor, retry=retry or RetryPolicy(), sleep=sleep, **options)
        self._observe = observe

    def _compile(self, operation: Any) -> Request:
        request = compile_operation(operation)
        if self._observe is not None:
            self._observe(request)
        return request

    def run(self, operation: Any) -> dict[str, Any]:
        """Compile one operation value and send it, returning the raw response."""
        return self.runtime.execute(self._compile(operation))

    # Tables.

    def bind(self, *models: Any, wait_delay: float = 1.0) -> None:
        """Create each model's table (with its indexes) if missing, and check an existing one.

        Raises InvalidModel when an existing table's key schema or indexes do not match the model.
        """
        for model_cls in models:
            spec = require_concrete(model_cls)
            create = self._compile(operations.CreateTable(model_cls))
            describe = self._compile(operations.DescribeTable(model_cls))
            try:
                self.runtime.execute(describe)
                logger.info("table %s exists; checking its schema", spec.table_name)
            except TableNotFound:
                logger.info("creating table %s", spec.table_name)
                self.runtime.execute(create)
            description = self.runtime.wait(describe, table_ready, delay=wait_delay)
            problems = schema_problems(create.params, description)
            if problems:
                raise InvalidModel(
                    spec.name, f"table {spec.table_name!r} does not match: " + "; ".join(problems)
                )
            self._bind_options(model_cls)

    def _bind_options(self, model_cls: Any) -> None:
        """Enable time to live and backups when the model declares them and the table lacks them.

        DynamoDB rejects enabling time to live on a table where it is already enabled, so the
        current setting is read first.
        """
        spec = require_concrete(model_cls)
        if spec.options.ttl is not None:
            current = self.run(operations.DescribeTimeToLive(model_cls))
            wanted = spec.column(spec.options.ttl).key_name
            if not plans.ttl_enabled(current, wanted):
                self.run(operations.UpdateTimeToLive(model_cls))
        if spec.options.backups:
            current = self.run(operations.DescribeContinuousBackups(model_cls))
            if not plans.backups_enabled(current):
                self.run(operations.UpdateContinuousBackups(model_cls))

    # Items.

    def save(self, record: Any, *, condition: Condition = EMPTY, old: Any = None) -> Any:
        """Write one record and return the record as stored.

        Without `old` the whole item is replaced (PutItem). With `old`, the record as last
        loaded, only the columns that differ are sent (UpdateItem). When nothing differs and
        there is no condition, no request is sent; with a condition, an UpdateItem without an
        UpdateExpression still checks it.

        For a model with a version column, the write also requires that the stored version is
        the record's (or that none is stored, for a first save) and advances it. The returned
        record carries the new version, and a stale version raises ConditionFailed.
        """
        condition = require_condition(condition, argument="condition", model=type(record))
        saved = operations.save_item(record, old=old, condition=condition)
        if saved.operation is not None:
            self.run(saved.operation)
        return saved.record

    def update(
        self,
        model_cls: type[R],
        changes: Update,
        *,
        condition: Condition = EMPTY,
        **key_values: Any,
    ) -> R:
        """Apply an update to the item under a key and return the record as stored afterwards.

        This is the way to change an item without reading it first: atomic counters
        (`Account.logins.increment()`), set members (`Account.tags.add({"x"})`) or list appends.
        Like UpdateItem, it creates the item when none is stored, unless the condition forbids it.

        For a model with a version column, `changes` may not write that column (InvalidRequest).
        The update also sets `version = if_not_exists(version, 0) + 1`, so a record loaded
        before it can no longer be saved. No loaded version is known here, so the update itself
        checks none; pass `condition=Model.version == n` to require one.
        """
        changes = require_update(changes, argument="changes", model=model_cls)
        condition = require_condition(condition, argument="condition", model=model_cls)
        key = operations.key(model_cls, key_values)
        changes = transactions.advance_version(model_cls, changes)
        operation = operations.UpdateItem(
            key, changes, condition=condition, return_values="ALL_NEW"
        )
        response = self.run(operation)
        updated: R = load_item(model_cls, response.get("Attributes", {}))
        return updated

    def load(self, model_cls: type[R], *, consistent: bool = False, **key_values: Any) -> R:
        """Load one record by key, raising NotFound when no item is stored under it."""
        key = operations.key(model_cls, key_values)
        response = self.run(operations.GetItem(key, consistent=consistent))
        item = response.get("Item")
        if item is None:
            spec = spec_of(model_cls)
            raise NotFound(spec.name, spec.table_name or "", key_values)
        loaded: R = load_item(model_cls, item)
        return loaded

    def delete(self, target: Any, *, condition: Condition = EMPTY, **key_values: Any) -> None:
        """Delete a record, or the item of a model class under the given key.

        A record of a model with a version column is deleted only while the stored version is
        the record's, or while none is stored when the record's version is None. A stale record
        raises ConditionFailed. Deleting by model class and key checks no version.
        """
        if isinstance(target, type):
            key = operations.key(target, key_values)
        else:
            if key_values:
                raise TypeError("pass either a record or a model class with key values, not both")
            key = operations.key_of_record(target)
        condition = require_condition(condition, argument="condition", model=key.model)
        if not isinstance(target, type) and version_column(target) is not None:
            guard, _ = version_guard(target)
            condition = and_(guard, condition)
        self.run(operations.DeleteItem(key, condition=condition))

    # Queries and scans.

    def query(
        self,
        target: Any,
        key: Condition,
        *,
        filter: Condition = EMPTY,
        projection: Iterable[Any] | None = None,
        forward: bool = True,
        consistent: bool = False,
        page_size: int | None = None,
        limit: int | None = None,
        select: Select | None = None,
        cursor: CursorInput | None = None,
        start: dict[str, Any] | None = None,
    ) -> Results[Any]:
        """Query a table or index. `key` needs the hash key and may test the range key.

        `page_size` is DynamoDB's Limit: the items one page evaluates before the filter.
        `limit` is the number of records returned in all, after the filter. `cursor` resumes
        after the last record a previous iteration returned; `start` is a raw
        ExclusiveStartKey. A projection always includes the key attributes, which records and
        cursors need.
        """
        model_cls = _model_of(target)
        key = require_condition(key, argument="key", model=model_cls)
        filter = require_condition(filter, argument="filter", model=model_cls)
        _check_read_numbers(page_size=page_size, limit=limit)
        operation = operations.query(
            target,
            key,
            filter=filter,
            projection=_with_keys(target, projection),
            forward=forward,
            consistent=consistent,
            page_size=page_size,
            select=select,
        )
        return self._results(target, operation, limit=limit, cursor=cursor, start=start)

    def scan(
        self,
        target: Any,
        *,
        filter: Condition = EMPTY,
        projection: Iterable[Any] | None = None,
        consistent: bool = False,
        page_size: int | None = None,
        limit: int | None = None,
        select: Select | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
        segments: int | None = None,
        progress: Callable[[ScanProgress], None] | None = None,
        cursor: CursorInput | None = None,
        start: dict[str, Any] | None = None,
        concurrency: int | None = None,
    ) -> Any:
        """Scan a table or index, one segment of a parallel scan, or all segments at once.

        With `segments=N` the N segments are read by a pool of `concurrency` threads (default
        16, and never more than N), each thread reading one segment to its end before starting
        the next. The records arrive merged in no defined order (a ParallelResults). `limit`
        then applies to each segment, and `cursor` takes the ParallelCursor of an earlier
        iteration. `progress` receives a ScanProgress after each page of a segment. The other
        options are those of `query`.
        """
        filter = require_condition(filter, argument="filter", model=_model_of(target))
        _check_read_numbers(page_size=page_size, limit=limit)
        if segments is not None:
            if segment is not None or total_segments is not None or start is not None:
                raise InvalidRequest(
                    "pass segments= alone, without segment, total_segments or start"
                )
            return self._parallel_scan(
                target,
                segments,
                filter=filter,
                projection=projection,
                consistent=consistent,
                page_size=page_size,
                limit=limit,
                select=select,
                cursor=cursor,
                progress=progress,
                concurrency=concurrency,
            )
        if concurrency is not None:
            raise InvalidRequest("concurrency= applies only to a parallel scan with segments=")
        _check_int("segment", segment, minimum=0)
        _check_int("total_segments", total_segments, minimum=1)
        operation = operations.scan(
            target,
            filter=filter,
            projection=_with_keys(target, projection),
            consistent=consistent,
            page_size=page_size,
            select=select,
            segment=segment,
            total_segments=total_segments,
        )
        return self._results(target, operation, limit=limit, cursor=cursor, start=start)

    def _parallel_scan(
        self,
        target: Any,
        segments: int,
        *,
        projection: Iterable[Any] | None,
        limit: int | None,
        cursor: CursorInput | None,
        progress: Callable[[ScanProgress], None] | None,
        concurrency: int | None,
        **options: Any,
    ) -> ParallelResults[Any]:
        if isinstance(segments, bool) or not isinstance(segments, int):
            raise InvalidRequest(f"segments must be an int from 1 to 1000000, got {segments!r}")
        if not 1 <= segments <= 1_000_000:
            raise InvalidRequest(f"segments must be an int from 1 to 1000000, got {segments!r}")
        _check_int("concurrency", concurrency, minimum=1)
        cursors = None
        if cursor is not None:
            loaded = load_cursor(cursor)
            if not isinstance(loaded, ParallelCursor) or len(loaded.segments) != segments:
                raise InvalidRequest(
                    f"a scan with segments={segments} resumes from a ParallelCursor with "
                    f"{segments} segments, got {loaded!r}"
                )
            cursors = loaded.segments
        operation = operations.scan(
            target,
            projection=_with_keys(target, projection),
            segment=0,
            total_segments=segments,
            **options,
        )
        return ParallelResults(
            self.runtime,
            self._compile(operation),
            _model_of(target),
            key_names=_key_names(target),
            limit=limit,
            cursors=cursors,
            progress=progress,
            workers=DEFAULT_SCAN_WORKERS if concurrency is None else concurrency,
        )

    def _results(
        self,
        target: Any,
        operation: operations.Query | operations.Scan,
        *,
        limit: int | None,
        cursor: CursorInput | None,
        start: dict[str, Any] | None,
    ) -> Results[Any]:
        if cursor is not None and start is not None:
            raise InvalidRequest("pass either cursor= or start=, not both")
        loaded = load_cursor(cursor) if cursor is not None else None
        if isinstance(loaded, ParallelCursor):
            raise InvalidRequest("a ParallelCursor resumes only a scan with segments=")
        request = resume(self._compile(operation), start)
        return Results(
            self.runtime,
            request,
            _model_of(target),
            key_names=_key_names(target),
            limit=limit,
            cursor=loaded,
        )

    # Batches.

    def load_many(
        self,
        model_cls: type[R],
        keys: Iterable[Any],
        *,
        consistent: bool = False,
        missing: batches.Missing = "raise",
        concurrency: int = 1,
    ) -> list[Any]:
        """Load the records under many keys with BatchGetItem, 100 distinct keys per call.

        `keys` are records or dicts of key columns. The result has one entry per key, in order,
        and a key given twice is read once. Keys with no stored item raise ItemsNotFound
        (`missing="raise"`), are left out (`"skip"`) or give None (`"none"`). UnprocessedKeys are
        retried with the retry policy's backoff; when its attempts run out, BatchIncomplete
        carries the keys not read as `.unprocessed`. `concurrency` chunks are sent at a time.
        """
        spec = require_concrete(model_cls)
        inputs = [batches.as_key(model_cls, value) for value in keys]
        plan = batches.plan_gets(inputs, consistent=consistent)
        key_names = batches.table_key_names([model_cls])

        runs = self.runtime.map(
            lambda chunk: self.runtime.run_batch(self._compile(chunk), batches.follow_get),
            plan.chunks,
            concurrency=concurrency,
        )
        responses = [response for run in runs for response in run.responses]
        found = batches.items_by_token(responses, key_names)
        unread = [
            token
            for run in runs
            if run.unfinished is not None
            for token in batches.request_tokens(run.unfinished, key_names)
        ]
        if unread:
            by_token = {batches.token_of(k): k.as_dict() for k in inputs}
            raise BatchIncomplete(
                f"BatchGetItem on table {spec.table_name!r} left {len(unread)} of "
                f"{len(plan.tokens)} keys unread after {max(run.attempts for run in runs)} "
                "attempts; retry with the error's .unprocessed keys",
                operation="BatchGetItem",
                unprocessed=tuple(by_token[token] for token in plan.tokens if token in set(unread)),
                attempts=max(run.attempts for run in runs),
            )
        return _fan_out(model_cls, inputs, found, missing)

    def save_many(
        self,
        records: Iterable[Any],
        *,
        duplicates: batches.Duplicates = "last",
        concurrency: int = 1,
    ) -> None:
        """Write many records with BatchWriteItem, 25 per call, replacing whole items.

        Records may be of several models. Of several records with the same key, only the last
        is written (`duplicates="last"`), or DuplicateKeys is raised before anything is sent
        (`"reject"`). UnprocessedItems are retried with the retry policy's backoff; when its
        attempts run out, BatchIncomplete carries exactly the records not written as
        `.unprocessed`. BatchWriteItem cannot check conditions; use `save` or `transact_write`.
        """
        writes = [batches.put_write(record) for record in records]
        self._write_many(writes, duplicates, concurrency)

    def delete_many(
        self,
        targets: Iterable[Any],
        *,
        model: Any = None,
        duplicates: batches.Duplicates = "last",
        concurrency: int = 1,
    ) -> None:
        """Delete many items with BatchWriteItem, 25 per call.

        `targets` are records, or dicts of key columns together with `model=`. Duplicates and
        unprocessed items are handled as in `save_many`, and BatchIncomplete carries the targets
        not deleted.
        """
        given = list(targets)
        if model is None and any(isinstance(target, Mapping) for target in given):
            raise InvalidRequest("pass model= to delete_many to delete by key dicts")
        writes = [
            batches.delete_write(model if isinstance(target, Mapping) else type(target), target)
            for target in given
        ]
        self._write_many(writes, duplicates, concurrency)

    def _write_many(
        self, writes: list[batches.Write], duplicates: batches.Duplicates, concurrency: int
    ) -> None:
        kept = batches.resolve_duplicates(writes, duplicates)
        chunks = batches.plan_writes(kept)
        key_names = batches.table_key_names({batches.model_of_write(write) for write in kept})
        runs = self.runtime.map(
            lambda chunk: self.runtime.run_batch(self._compile(chunk), batches.follow_write),
            chunks,
            concurrency=concurrency,
        )
        unwritten = {
            token
            for run in runs
            if run.unfinished is not None
            for token in batches.request_tokens(run.unfinished, key_names)
        }
        if unwritten:
            attempts = max(run.attempts for run in runs)
            raise BatchIncomplete(
                f"BatchWriteItem left {len(unwritten)} of {len(kept)} requests unwritten after "
                f"{attempts} attempts; retry with the error's .unprocessed",
                operation="BatchWriteItem",
                unprocessed=tuple(w.source for w in kept if w.token in unwritten),
                attempts=attempts,
            )

    # Transactions.

    def transact_write(
        self, items: Iterable[operations.TransactWriteItem], *, token: str | None = None
    ) -> str:
        """Apply put, update, delete and condition-check items atomically, and return the token.

        The ClientRequestToken (`token`, or a new one) makes DynamoDB apply a retried call at
        most once within its 10-minute idempotency window (tested on MemoryExecutor only). When
        DynamoDB cancels the transaction, TransactionItemsCanceled maps each CancellationReason
        back to its item.
        """
        submitted = tuple(items)
        _check_items(
            "transact_write",
            submitted,
            operations.TransactWriteItem,
            "transactions.put, update, delete or check",
            "read items with transact_read",
        )
        token = token if token is not None else self.runtime.new_token()
        request = self._compile(operations.TransactWriteItems(submitted, token=token))
        self._run_transaction(request, submitted)
        return token

    def transact_read(self, items: Iterable[operations.TransactGet]) -> list[Any]:
        """Read items atomically; return each item's record, or None where none is stored."""
        submitted = tuple(items)
        _check_items(
            "transact_read",
            submitted,
            operations.TransactGet,
            "transactions.get",
            "write items with transact_write",
        )
        request = self._compile(operations.TransactGetItems(submitted))
        response = self._run_transaction(request, submitted)
        return transactions.read_results(submitted, response)

    def _run_transaction(self, request: Request, submitted: tuple[Any, ...]) -> dict[str, Any]:
        try:
            return self.runtime.execute(request)
        except TransactionCanceled as error:
            found = transactions.cancellations(submitted, error.reasons)
            raise TransactionItemsCanceled(
                f"{request.operation} was canceled: {transactions.describe_cancellations(found)}",
                operation=request.operation,
                reasons=error.reasons,
                cancellations=found,
                response=error.response,
            ) from error


def _check_items(
    method: str, items: tuple[Any, ...], kind: Any, builders: str, advice: str
) -> None:
    """Raise InvalidRequest when an item of a transaction is not of the kind `method` sends."""
    for position, item in enumerate(items):
        if not isinstance(item, kind):
            raise InvalidRequest(
                f"{method} takes items built with {builders}, but item {position} is "
                f"{item!r} ({type(item).__name__}); {advice}"
            )


def _check_int(name: str, value: Any, *, minimum: int) -> None:
    """Raise InvalidRequest naming the argument unless `value` is None or an int >= minimum."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidRequest(
            f"{name} must be an int of at least {minimum}, got {value!r} ({type(value).__name__})"
        )


def _check_read_numbers(*, page_size: Any, limit: Any) -> None:
    _check_int("page_size", page_size, minimum=1)
    _check_int("limit", limit, minimum=1)


def _fan_out(
    model_cls: Any,
    inputs: list[operations.Key],
    found: Mapping[batches.Token, Mapping[str, Any]],
    missing: batches.Missing,
) -> list[Any]:
    loaded: dict[batches.Token, Any] = {}
    results: list[Any] = []
    absent: list[dict[str, Any]] = []
    for item_key in inputs:
        token = batches.token_of(item_key)
        item = found.get(token)
        if item is None:
            if item_key.as_dict() not in absent:
                absent.append(item_key.as_dict())
            if missing == "none":
                results.append(None)
            continue
        if token not in loaded:
            loaded[token] = load_item(model_cls, item)
        results.append(loaded[token])
    if absent and missing == "raise":
        spec = spec_of(model_cls)
        raise ItemsNotFound(spec.name, spec.table_name or "", tuple(absent))
    return results


def _key_names(target: Any) -> tuple[str, ...]:
    """Return the DynamoDB names of the table's key attributes and, for an index, the index's."""
    spec, index = operations.target_parts(target)
    names = [c.key_name for c in spec.keys]
    if index is not None:
        hash_column, range_column = operations.key_columns(spec, index)
        names.append(hash_column.key_name)
        if range_column is not None:
            names.append(range_column.key_name)
    return tuple(dict.fromkeys(names))


def _with_keys(target: Any, projection: Iterable[Any] | None) -> list[Any] | None:
    """Return the projection with the key attributes added, or None for all attributes."""
    if projection is None:
        return None
    chosen = list(projection)
    existing = {p.segments for p in operations.projection_paths(target, chosen) or ()}
    for name in _key_names(target):
        if (name,) not in existing:
            chosen.append(path(name))
    return chosen


def _model_of(target: Any) -> Any:
    _, index = operations.target_parts(target)
    return index.model if index is not None else target
