"""Operands of expressions: document paths, typed values and `size()`.

Nodes store plain data (a tuple of path segments, a Python value with its column type), never a
column reference, so that attrs' generated equality and hashing compare structure.

>>> path("prefs", "theme")
Path('prefs.theme')
>>> path("history", 0, "a.b")
Path('history[0].a.b')
>>> path("prefs")["theme"] == path("prefs", "theme")
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from bloopfp.errors import InvalidCondition
from bloopfp.types import Type

Segment = str | int


def _check_segments(_: Any, __: Any, segments: tuple[Segment, ...]) -> None:
    if not segments:
        raise InvalidCondition("a document path needs at least one segment")
    if not isinstance(segments[0], str):
        raise InvalidCondition(
            f"a document path starts with an attribute name, not {segments[0]!r}"
        )
    for segment in segments:
        _check_segment(segment)


def _check_segment(segment: object) -> None:
    if isinstance(segment, bool) or not isinstance(segment, str | int):
        raise InvalidCondition(f"path segments are str names or int list indexes, not {segment!r}")
    if isinstance(segment, str) and not segment:
        raise InvalidCondition("attribute names in a document path cannot be empty")
    if isinstance(segment, int) and segment < 0:
        raise InvalidCondition(f"list indexes in a document path cannot be negative: {segment}")


def _as_segments(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    return tuple(segments)


@attrs.frozen(repr=False)
class Path:
    """A document path: an attribute name followed by map keys (str) and list indexes (int).

    Every name segment is its own placeholder when compiled, so dots, brackets and reserved words in
    names are ordinary characters. `path[key]` returns the path one level deeper.
    """

    segments: tuple[Segment, ...] = attrs.field(converter=_as_segments, validator=_check_segments)

    def __getitem__(self, segment: Segment) -> Path:
        return child(self, segment)

    def __repr__(self) -> str:
        return f"Path({describe_path(self.segments)!r})"


def path(*segments: Segment) -> Path:
    """Build a document path from names and list indexes."""
    return Path(segments)


def child(parent: Path, segment: Segment) -> Path:
    """Return the path of a map key (str) or list index (int) under `parent`."""
    _check_segment(segment)
    return Path((*parent.segments, segment))


def describe_path(segments: tuple[Segment, ...]) -> str:
    """Return a readable form of a path for reprs and messages (never sent to DynamoDB)."""
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += ("." if text else "") + segment
    return text


@attrs.frozen(repr=False)
class Value:
    """A Python value and the type that dumps it."""

    value: Any
    type: Type

    def __repr__(self) -> str:
        return f"Value({self.value!r})"


@attrs.frozen(repr=False)
class Size:
    """The `size(path)` function used as a comparison operand."""

    path: Path

    def __repr__(self) -> str:
        return f"Size({describe_path(self.path.segments)!r})"


Operand = Path | Value | Size
