"""Resume cursors of queries and scans: JSON-safe values built from the last returned item.

A cursor names the table, the index, the scan segment (if any) and the key of the last item the
caller received. A later Query or Scan passes that key as ExclusiveStartKey to continue with the
next item. Because the key is the last *returned* item, and not the page's LastEvaluatedKey,
resuming after stopping in the middle of a page neither skips nor repeats an item.

Once it has moved, a cursor is also bound to the read that made it: the operation, the direction
of a query, and a digest of the key condition and filter with their values. Passing it to another
read (a scan, the reverse order, another hash key) raises InvalidRequest.

The dict form (`to_dict`) holds only str, int, bool, None, lists and dicts. Key attribute values
keep DynamoDB's JSON shape, where binary values are base64 text:

>>> cursor = Cursor(table="people", key=(("id", "S", "ada"),))
>>> cursor.to_dict()
{'version': 2, 'table': 'people', 'index': None, 'segment': None, 'total_segments': None, \
'key': {'id': {'S': 'ada'}}, 'done': False, 'operation': None, 'forward': None, \
'fingerprint': None}
>>> load_cursor(cursor.to_json()) == cursor
True
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

from bloopfp.compiler import Request
from bloopfp.errors import InvalidRequest

CURSOR_VERSION = 2
KEY_CODES = frozenset({"S", "N", "B"})
# The expressions whose text and values decide which items a read returns, in a fixed order.
BOUND_EXPRESSIONS = ("KeyConditionExpression", "FilterExpression")
PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")

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
class ReadBinding:
    """The identity of the read a cursor belongs to, beyond its table, index and segment.

    `forward` is None for a Scan. `fingerprint` is a SHA-256 digest (hex) of the key condition
    and filter expressions together with the names and values their placeholders stand for.
    """

    operation: str
    forward: bool | None
    fingerprint: str

    def apply(self, cursor: Cursor) -> Cursor:
        """Return `cursor` bound to this read."""
        return attrs.evolve(
            cursor, operation=self.operation, forward=self.forward, fingerprint=self.fingerprint
        )


def read_binding(request: Request) -> ReadBinding:
    """Return the binding of a Query or Scan request (its ExclusiveStartKey is ignored)."""
    params = request.params
    forward = bool(params.get("ScanIndexForward", True)) if request.operation == "Query" else None
    return ReadBinding(request.operation, forward, _fingerprint(params))


def _fingerprint(params: Mapping[str, Any]) -> str:
    expressions = {name: params[name] for name in BOUND_EXPRESSIONS if name in params}
    used = set(PLACEHOLDER.findall(" ".join(expressions.values())))
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    content = {
        "expressions": expressions,
        "names": {key: value for key, value in names.items() if key in used},
        "values": {key: value for key, value in values.items() if key in used},
    }
    text = json.dumps(content, sort_keys=True, default=_json_bytes)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_bytes(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"cannot digest {type(value).__name__} in a cursor fingerprint")


@attrs.frozen
class Cursor:
    """The position where one Query, Scan or scan segment stopped.

    `key` is None before the first item, and `done` is True once every page was read.
    `operation`, `forward` and `fingerprint` bind the cursor to its read (see ReadBinding). They
    are None in a cursor that has not moved yet: such a cursor resumes nothing, so it is accepted
    by any read of its table, index and segment.
    """

    table: str
    index: str | None = None
    segment: int | None = None
    total_segments: int | None = None
    key: KeyParts | None = None
    done: bool = False
    operation: str | None = None
    forward: bool | None = None
    fingerprint: str | None = None

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
            "operation": self.operation,
            "forward": self.forward,
            "fingerprint": self.fingerprint,
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
    """Return the cursor of a Cursor, its `to_dict()` form or its `to_json()` text.

    Raises InvalidRequest for anything else, including invalid JSON and cursors of another
    format version.
    """
    if isinstance(value, Cursor | ParallelCursor):
        return value
    data = _parse(value) if isinstance(value, str) else value
    _check_version(data, value)
    if "segments" in data:
        parts = data["segments"]
        if not isinstance(parts, list):
            raise InvalidRequest(f"invalid parallel cursor: 'segments' is not a list: {value!r}")
        return ParallelCursor(tuple(_load_single(_checked(part, value)) for part in parts))
    return _load_single(data)


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise InvalidRequest(
            f"cursor {shown!r} is not valid JSON ({error}); pass the text of a cursor's "
            "to_json(), its to_dict() or the cursor itself"
        ) from None


def _checked(data: Any, whole: Any) -> Mapping[str, Any]:
    _check_version(data, whole)
    assert isinstance(data, Mapping)
    return data


def _check_version(data: Any, value: Any) -> None:
    if not isinstance(data, Mapping):
        raise InvalidRequest(
            f"not a bloopfp cursor: {value!r}; pass a cursor, its to_dict() or its to_json()"
        )
    version = data.get("version")
    if version == CURSOR_VERSION:
        return
    if isinstance(version, int) and not isinstance(version, bool) and version < CURSOR_VERSION:
        raise InvalidRequest(
            f"the cursor has format version {version}, which this bloopfp no longer reads "
            f"(it reads version {CURSOR_VERSION}); start the read again without cursor="
        )
    raise InvalidRequest(f"not a bloopfp cursor (version {CURSOR_VERSION}): {value!r}")


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
            operation=data["operation"],
            forward=data["forward"],
            fingerprint=data["fingerprint"],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidRequest(f"invalid cursor {dict(data)!r}: {error!r}") from None


def start_cursor(request: Request) -> Cursor:
    """Return the cursor of a Query or Scan request that has not returned anything yet.

    When the request has an ExclusiveStartKey, the cursor is at that position and is bound to
    the request's read.
    """
    params = request.params
    key = params.get("ExclusiveStartKey")
    cursor = Cursor(
        table=params["TableName"],
        index=params.get("IndexName"),
        segment=params.get("Segment"),
        total_segments=params.get("TotalSegments"),
    )
    if not key:
        return cursor
    return read_binding(request).apply(attrs.evolve(cursor, key=key_parts(key, tuple(key))))


def resume_from(request: Request, cursor: Cursor) -> Request | None:
    """Return `request` continued after `cursor`, or None when the cursor is done.

    Raises InvalidRequest when the cursor belongs to another table, index or scan segment, or
    (when it is bound) to another operation, direction, key condition or filter.
    """
    params = _without_start(request.params)
    expected = start_cursor(attrs.evolve(request, params=params))
    where = (cursor.table, cursor.index, cursor.segment, cursor.total_segments)
    wanted = (expected.table, expected.index, expected.segment, expected.total_segments)
    if where != wanted:
        raise InvalidRequest(
            f"the cursor is for (table, index, segment, total_segments) = {where}, "
            f"but the request reads {wanted}; resume with the same target and segments"
        )
    _check_binding(cursor, read_binding(request))
    if cursor.done:
        return None
    start = cursor.exclusive_start_key()
    if start is not None:
        params["ExclusiveStartKey"] = start
    return attrs.evolve(request, params=params)


def _check_binding(cursor: Cursor, binding: ReadBinding) -> None:
    advice = "pass a cursor only to the read that made it, with the same arguments"
    if cursor.operation is not None and cursor.operation != binding.operation:
        raise InvalidRequest(
            f"the cursor was made by a {cursor.operation}, but this read is a "
            f"{binding.operation}; {advice}"
        )
    if cursor.forward is not None and cursor.forward != binding.forward:
        made = "forward" if cursor.forward else "in reverse (forward=False)"
        reads = "forward" if binding.forward else "in reverse (forward=False)"
        raise InvalidRequest(
            f"the cursor was made by a {cursor.operation} reading {made}, but this one reads "
            f"{reads}; {advice}"
        )
    if cursor.fingerprint is not None and cursor.fingerprint != binding.fingerprint:
        raise InvalidRequest(
            f"the cursor was made by a {cursor.operation} with another key condition or filter "
            f"(for example another hash key value); {advice}"
        )


def _without_start(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if name != "ExclusiveStartKey"}
