"""Resume cursors of queries and scans: JSON-safe values built from the last returned item.

A cursor names the table, the index, the scan segment (if any) and the key of the last item the
caller received. A later Query or Scan passes that key as ExclusiveStartKey to continue with the
next item. Because it is built from the last *returned* item, and not from the
page's LastEvaluatedKey, resuming after stopping in the middle of a page neither skips nor
repeats an item.

The dict form (`to_dict`) holds only str, int, bool, None, lists and dicts. Key attribute values
keep DynamoDB's JSON shape, where binary values are base64 text:

>>> cursor = Cursor(table="people", key=(("id", "S", "ada"),))
>>> cursor.to_dict()
{'version': 1, 'table': 'people', 'index': None, 'segment': None, 'total_segments': None, \
'key': {'id': {'S': 'ada'}}, 'done': False}
>>> load_cursor(cursor.to_json()) == cursor
True
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import attrs

from bloopfp.compiler import Request
from bloopfp.errors import InvalidRequest

CURSOR_VERSION = 1
KEY_CODES = frozenset({"S", "N", "B"})

KeyParts = tuple[tuple[str, str, Any], ...]


def key_parts(item: Mapping[str, Mapping[str, Any]], names: tuple[str, ...]) -> KeyParts:
    """Return the key attributes `names` of an item as sorted (name, type code, value) triples."""
    parts = []
    for name in sorted(names):
        value = item.get(name)
        if value is None:
            raise InvalidRequest(
                f"the item has no key attribute {name!r}, so no cursor can be built from it; "
                "include the key attributes in the projection"
            )
        ((code, raw),) = value.items()
        parts.append((name, code, raw))
    return tuple(parts)


@attrs.frozen
class Cursor:
    """The position where one Query, Scan or scan segment stopped.

    `key` is None before the first item, and `done` is True once every page was read.
    """

    table: str
    index: str | None = None
    segment: int | None = None
    total_segments: int | None = None
    key: KeyParts | None = None
    done: bool = False

    def exclusive_start_key(self) -> dict[str, Any] | None:
        """Return the ExclusiveStartKey that resumes after the cursor's item."""
        if self.key is None:
            return None
        return {name: {code: raw} for name, code, raw in self.key}

    def to_dict(self) -> dict[str, Any]:
        """Return the cursor as a JSON-safe dict."""
        key = None
        if self.key is not None:
            key = {name: {code: _encode(code, raw)} for name, code, raw in self.key}
        return {
            "version": CURSOR_VERSION,
            "table": self.table,
            "index": self.index,
            "segment": self.segment,
            "total_segments": self.total_segments,
            "key": key,
            "done": self.done,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


@attrs.frozen
class ParallelCursor:
    """The positions of a parallel scan's segments: `segments[i]` is segment i's cursor."""

    segments: tuple[Cursor, ...]

    @property
    def done(self) -> bool:
        return all(cursor.done for cursor in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": CURSOR_VERSION,
            "segments": [cursor.to_dict() for cursor in self.segments],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)


AnyCursor = Cursor | ParallelCursor


def _encode(code: str, raw: Any) -> str:
    if code == "B":
        return base64.b64encode(bytes(raw)).decode("ascii")
    return str(raw)


def _decode(code: str, text: Any) -> Any:
    if code not in KEY_CODES or not isinstance(text, str):
        raise InvalidRequest(f"invalid cursor key value {{{code!r}: {text!r}}}")
    if code == "B":
        return base64.b64decode(text)
    return text


def load_cursor(value: AnyCursor | Mapping[str, Any] | str) -> AnyCursor:
    """Return the cursor of a Cursor, its `to_dict()` form or its `to_json()` text."""
    if isinstance(value, Cursor | ParallelCursor):
        return value
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, Mapping) or data.get("version") != CURSOR_VERSION:
        raise InvalidRequest(f"not a bloopfp cursor (version {CURSOR_VERSION}): {value!r}")
    if "segments" in data:
        return ParallelCursor(tuple(_load_single(part) for part in data["segments"]))
    return _load_single(data)


def _load_single(data: Mapping[str, Any]) -> Cursor:
    try:
        key = None
        if data["key"] is not None:
            triples = []
            for name, value in data["key"].items():
                ((code, text),) = value.items()
                triples.append((name, code, _decode(code, text)))
            key = tuple(sorted(triples))
        return Cursor(
            table=data["table"],
            index=data["index"],
            segment=data["segment"],
            total_segments=data["total_segments"],
            key=key,
            done=bool(data["done"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidRequest(f"invalid cursor {dict(data)!r}: {error}") from None


def start_cursor(request: Request) -> Cursor:
    """Return the cursor of a Query or Scan request that has not returned anything yet."""
    params = request.params
    key = params.get("ExclusiveStartKey")
    return Cursor(
        table=params["TableName"],
        index=params.get("IndexName"),
        segment=params.get("Segment"),
        total_segments=params.get("TotalSegments"),
        key=key_parts(key, tuple(key)) if key else None,
    )


def resume_from(request: Request, cursor: Cursor) -> Request | None:
    """Return `request` continued after `cursor`, or None when the cursor is done.

    Raises InvalidRequest when the cursor belongs to another table, index or scan segment.
    """
    expected = start_cursor(attrs.evolve(request, params=_without_start(request.params)))
    where = (cursor.table, cursor.index, cursor.segment, cursor.total_segments)
    wanted = (expected.table, expected.index, expected.segment, expected.total_segments)
    if where != wanted:
        raise InvalidRequest(
            f"the cursor is for (table, index, segment, total_segments) = {where}, "
            f"but the request reads {wanted}; resume with the same target and segments"
        )
    if cursor.done:
        return None
    start = cursor.exclusive_start_key()
    params = _without_start(request.params)
    if start is not None:
        params["ExclusiveStartKey"] = start
    return attrs.evolve(request, params=params)


def _without_start(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if name != "ExclusiveStartKey"}
