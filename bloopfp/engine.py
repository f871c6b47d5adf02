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
>>> engine.save(ada)
>>> engine.load(Person, id=uuid.UUID(int=7)) == ada
True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import attrs

from bloopfp import operations
from bloopfp.compiler import Request, compile_operation
from bloopfp.conditions import EMPTY, Condition
from bloopfp.errors import ConstraintViolation, InvalidModel, NotFound, TableNotFound
from bloopfp.executors.base import Executor
from bloopfp.items import load_item
from bloopfp.models import spec_of
from bloopfp.operations import Select
from bloopfp.plans import Paginate, resume, schema_problems, table_ready
from bloopfp.runtime import RetryPolicy, Runtime
from bloopfp.updates import diff

logger = logging.getLogger("bloopfp.engine")

R = TypeVar("R")


class Results(Generic[R]):
    """The lazy results of a Query or Scan: iterating fetches one page at a time.

    Each iteration starts again from the first page. `.first()`, `.one()` and `.all()` fetch only
    the pages they need; `.pages()` yields the raw responses.
    """

    def __init__(self, runtime: Runtime, request: Request, model: Any) -> None:
        self._runtime = runtime
        self.request = request
        self._model = model

    def __repr__(self) -> str:
        return f"<Results of {self.request.operation} on {self.request.table}>"

    def pages(self) -> Iterator[dict[str, Any]]:
        return self._runtime.pages(Paginate(self.request))

    def __iter__(self) -> Iterator[R]:
        for page in self.pages():
            for item in page.get("Items", ()):
                yield load_item(self._model, item)

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
        """Count matching items with Select=COUNT, without transferring them."""
        counting = attrs.evolve(self.request, params={**self.request.params, "Select": "COUNT"})
        counting.params.pop("ProjectionExpression", None)
        return sum(page.get("Count", 0) for page in self._runtime.pages(Paginate(counting)))


class Engine:
    """Runs bloopfp operations through one executor.

    `observe`, if given, receives every compiled Request before it is sent (the demo prints them).
    """

    def __init__(
        self,
        executor: Executor,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[Request], None] | None = None,
    ) -> None:
        self.executor = executor
        self.runtime = Runtime(executor, retry=retry or RetryPolicy(), sleep=sleep)
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
            spec = operations.require_concrete(model_cls)
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
            if spec.options.ttl is not None:
                self.run(operations.UpdateTimeToLive(model_cls))
            if spec.options.backups:
                self.run(operations.UpdateContinuousBackups(model_cls))

    # Items.

    def save(self, record: Any, *, condition: Condition = EMPTY, old: Any = None) -> None:
        """Write one record.

        Without `old` the whole item is replaced (PutItem). With `old`, the record that is known
        to be stored, only the columns that differ are sent (UpdateItem). When nothing differs and
        there is no condition, no request is sent; with a condition, an UpdateItem without an
        UpdateExpression still checks it.
        """
        if old is None:
            self.run(operations.PutItem(record, condition=condition))
            return
        update = diff(old, record)
        if not update.actions and condition == EMPTY:
            return
        key = operations.key_of_record(record)
        self.run(operations.UpdateItem(key, update, condition=condition))

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
        """Delete a record, or the item of a model class under the given key."""
        if isinstance(target, type):
            key = operations.key(target, key_values)
        else:
            if key_values:
                raise TypeError("pass either a record or a model class with key values, not both")
            key = operations.key_of_record(target)
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
        select: Select | None = None,
        start: dict[str, Any] | None = None,
    ) -> Results[Any]:
        """Query a table or index. `key` needs the hash key and may test the range key."""
        operation = operations.query(
            target,
            key,
            filter=filter,
            projection=projection,
            forward=forward,
            consistent=consistent,
            page_size=page_size,
            select=select,
        )
        request = resume(self._compile(operation), start)
        return Results(self.runtime, request, _model_of(target))

    def scan(
        self,
        target: Any,
        *,
        filter: Condition = EMPTY,
        projection: Iterable[Any] | None = None,
        consistent: bool = False,
        page_size: int | None = None,
        select: Select | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
        start: dict[str, Any] | None = None,
    ) -> Results[Any]:
        """Scan a table or index, optionally one segment of a parallel scan."""
        operation = operations.scan(
            target,
            filter=filter,
            projection=projection,
            consistent=consistent,
            page_size=page_size,
            select=select,
            segment=segment,
            total_segments=total_segments,
        )
        request = resume(self._compile(operation), start)
        return Results(self.runtime, request, _model_of(target))


def _model_of(target: Any) -> Any:
    _, index = operations.target_parts(target)
    return index.model if index is not None else target

