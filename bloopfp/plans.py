"""Plans: pure state machines for work that takes more than one request.

A plan names the request that comes first and, given each response, which comes next. It performs no
IO; `bloopfp.runtime` drives it through an executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from bloopfp.compiler import Request
from bloopfp.cursors import (
    Cursor,
    ReadBinding,
    key_parts,
    read_binding,
    resume_from,
    start_cursor,
)


@attrs.frozen
class Paginate:
    """Follow LastEvaluatedKey from page to page of a Query or Scan."""

    first: Request

    def advance(self, request: Request, response: Mapping[str, Any]) -> Request | None:
        """Return the request for the next page, or None after the last page."""
        last_key = response.get("LastEvaluatedKey")
        if not last_key:
            return None
        params = {**request.params, "ExclusiveStartKey": last_key}
        return attrs.evolve(request, params=params)


def resume(request: Request, exclusive_start_key: Mapping[str, Any] | None) -> Request:
    """Return a Query or Scan request that starts after `exclusive_start_key`."""
    if exclusive_start_key is None:
        return request
    return attrs.evolve(
        request, params={**request.params, "ExclusiveStartKey": dict(exclusive_start_key)}
    )


@attrs.frozen
class Read:
    """The state of reading items from a Query or Scan, one page at a time.

    `request` is the next page to fetch, or None after the last page. `cursor` resumes right
    after the last item handed to the caller. `limit` caps the items returned over the whole
    read. Without a filter every evaluated item is returned, so a page then requests
    no more items than are still needed (its Limit); with a filter, Limit stays the page size.
    `binding` is applied to the cursor whenever it moves, so that it resumes only this read.
    """

    request: Request | None
    cursor: Cursor
    key_names: tuple[str, ...]
    limit: int | None = None
    page_size: int | None = None
    returned: int = 0
    pages: int = 0
    binding: ReadBinding | None = None

    @property
    def finished(self) -> bool:
        """Whether no more items will be returned."""
        return self.request is None or (self.limit is not None and self.returned >= self.limit)

    def next_request(self) -> Request | None:
        """Return the request for the next page, with Limit narrowed to the items still needed."""
        if self.finished or self.request is None:
            return None
        if self.limit is None or "FilterExpression" in self.request.params:
            return self.request
        remaining = self.limit - self.returned
        size = remaining if self.page_size is None else min(self.page_size, remaining)
        return attrs.evolve(self.request, params={**self.request.params, "Limit": size})

    def after_item(self, item: Mapping[str, Any]) -> Read:
        """Return the state after handing `item` to the caller."""
        cursor = self._bound(attrs.evolve(self.cursor, key=key_parts(item, self.key_names)))
        return attrs.evolve(self, cursor=cursor, returned=self.returned + 1)

    def _bound(self, cursor: Cursor) -> Cursor:
        return cursor if self.binding is None else self.binding.apply(cursor)

    def after_page(self, response: Mapping[str, Any]) -> Read:
        """Return the state after every item of a page was handed over or filtered out."""
        pages = self.pages + 1
        last_key = response.get("LastEvaluatedKey")
        if self.request is None or not last_key:
            done = self._bound(attrs.evolve(self.cursor, done=True))
            return attrs.evolve(self, request=None, cursor=done, pages=pages)
        params = {**self.request.params, "ExclusiveStartKey": last_key}
        cursor = self._bound(attrs.evolve(self.cursor, key=key_parts(last_key, tuple(last_key))))
        return attrs.evolve(
            self, request=attrs.evolve(self.request, params=params), cursor=cursor, pages=pages
        )


def start_read(
    request: Request,
    key_names: tuple[str, ...],
    *,
    cursor: Cursor | None = None,
    limit: int | None = None,
) -> Read:
    """Return the state before the first page of a read, resumed after `cursor` if given."""
    page_size = request.params.get("Limit")
    binding = read_binding(request)
    if cursor is None:
        return Read(request, start_cursor(request), key_names, limit, page_size, binding=binding)
    resumed = resume_from(request, cursor)
    if resumed is None:
        return Read(None, cursor, key_names, limit, page_size, binding=binding)
    return Read(resumed, start_cursor(resumed), key_names, limit, page_size, binding=binding)


def table_ready(description: Mapping[str, Any]) -> bool:
    """Return whether a DescribeTable response shows the table and all its indexes ACTIVE."""
    table = description.get("Table", {})
    if table.get("TableStatus") != "ACTIVE":
        return False
    indexes = table.get("GlobalSecondaryIndexes", [])
    return all(index.get("IndexStatus") == "ACTIVE" for index in indexes)


def schema_problems(expected: Mapping[str, Any], description: Mapping[str, Any]) -> list[str]:
    """Compare a CreateTable request with an existing table and list what does not match.

    Only what the model relies on is compared: the key schema, the key attribute types, and that
    every declared index exists with the same key schema and projects at least the attributes the
    model declares. Extra indexes, and indexes that project more, are fine.
    """
    table = description.get("Table", {})
    problems = []
    if expected["KeySchema"] != table.get("KeySchema"):
        problems.append(f"key schema is {table.get('KeySchema')}, expected {expected['KeySchema']}")
    types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions", [])}
    for definition in expected["AttributeDefinitions"]:
        name, kind = definition["AttributeName"], definition["AttributeType"]
        if types.get(name) != kind:
            problems.append(f"attribute {name!r} has type {types.get(name)}, expected {kind}")
    for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        existing = {i["IndexName"]: i for i in table.get(group, [])}
        for index in expected.get(group, []):
            found = existing.get(index["IndexName"])
            if found is None:
                problems.append(f"index {index['IndexName']!r} is missing")
            elif found.get("KeySchema") != index["KeySchema"]:
                problems.append(f"index {index['IndexName']!r} has key schema {found['KeySchema']}")
            else:
                problems.extend(_projection_problems(index, found))
    return problems


def _projection_problems(expected: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """List how an existing index projects fewer attributes than the declared one."""
    wanted = expected["Projection"]
    actual = found.get("Projection") or {}
    wanted_type, actual_type = wanted["ProjectionType"], actual.get("ProjectionType")
    if actual_type == "ALL" or wanted_type == "KEYS_ONLY":
        return []
    shown = _describe_projection(actual)
    if wanted_type == "ALL":
        missing = "every attribute (ALL)"
    else:
        extra = set(actual.get("NonKeyAttributes", ())) if actual_type == "INCLUDE" else set()
        absent = sorted(set(wanted.get("NonKeyAttributes", ())) - extra)
        if not absent:
            return []
        missing = f"the attributes {absent}"
    return [
        f"index {expected['IndexName']!r} projects {shown}, but the model needs {missing}; "
        "recreate the index with that projection, or declare the projection it has"
    ]


def _describe_projection(projection: Mapping[str, Any]) -> str:
    kind = projection.get("ProjectionType")
    if kind == "INCLUDE":
        return f"INCLUDE {sorted(projection.get('NonKeyAttributes', ()))}"
    return str(kind)


def ttl_enabled(description: Mapping[str, Any], attribute_name: str) -> bool:
    """Return whether a DescribeTimeToLive response shows TTL enabled on the attribute.

    ENABLING counts as enabled, because the requested setting is already being applied.
    """
    settings = description.get("TimeToLiveDescription", {})
    status = settings.get("TimeToLiveStatus")
    return status in ("ENABLED", "ENABLING") and settings.get("AttributeName") == attribute_name


def backups_enabled(description: Mapping[str, Any]) -> bool:
    """Return whether a DescribeContinuousBackups response shows point-in-time recovery enabled."""
    backups = description.get("ContinuousBackupsDescription", {})
    recovery = backups.get("PointInTimeRecoveryDescription", {})
    return recovery.get("PointInTimeRecoveryStatus") in ("ENABLED", "ENABLING")
