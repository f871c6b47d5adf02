"""Column references: what `Account.email` returns on a model class.

A reference builds conditions with Python's comparison operators and updates with its named
methods. `Account.prefs["theme"]` and `Account.history[0]` reference a map key or a list element,
typed by the column's Map or List type when it declares one. Condition and update nodes never
store the reference itself, only its plain path, so overloading `==` here cannot confuse their
equality.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bloopfp import conditions, updates
from bloopfp.conditions import Condition
from bloopfp.errors import InvalidCondition
from bloopfp.models import Column
from bloopfp.paths import Path, Segment, Size, describe_path
from bloopfp.types import Type
from bloopfp.updates import Arithmetic, IfNotExists, Update


class Comparable:
    """Python's comparison operators and `between`, each building a condition.

    Subclasses are operands of conditions (a column reference, `size()` of one), so `==` builds a
    condition and instances are unhashable.
    """

    __slots__ = ()

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return conditions.eq(self, other)

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return conditions.ne(self, other)

    def __lt__(self, other: Any) -> Condition:
        return conditions.lt(self, other)

    def __le__(self, other: Any) -> Condition:
        return conditions.le(self, other)

    def __gt__(self, other: Any) -> Condition:
        return conditions.gt(self, other)

    def __ge__(self, other: Any) -> Condition:
        return conditions.ge(self, other)

    def between(self, low: Any, high: Any) -> Condition:
        return conditions.between(self, low, high)


class ColumnRef(Comparable):
    """A reference to one column of a model, or to a document path inside it.

    `segments` is the DynamoDB path, starting with the column's attribute name. `type` is the
    type of the referenced value, or None inside schemaless documents, where values are typed by
    their Python type.
    """

    __slots__ = ("column", "model", "segments", "type")

    def __init__(
        self,
        model: Any,
        column: Column,
        segments: tuple[Segment, ...] | None = None,
        type: Type | None = None,
    ) -> None:
        self.model = model
        self.column = column
        self.segments = segments if segments is not None else (column.key_name,)
        self.type = type if segments is not None else column.type

    @property
    def path(self) -> Path:
        return Path(self.segments)

    @property
    def value_type(self) -> Type | None:
        """The type of the referenced value, or None when it is untyped."""
        return self.type

    @property
    def element_type(self) -> Type | None:
        """The type of one member, for `contains` on sets and lists; the value type otherwise."""
        inner = getattr(self.type, "element_type", None)
        if isinstance(inner, Type):
            return inner
        return self.type

    @property
    def is_key(self) -> bool:
        """Whether the reference is a key column itself (not a path inside one)."""
        return self.column.is_key and len(self.segments) == 1

    @property
    def model_name(self) -> str:
        return str(self.model.__bloopfp__.name)

    @property
    def column_label(self) -> str:
        """The column's Python name followed by any map keys and list indexes: `prefs['theme']`."""
        return self.column.name + "".join(f"[{segment!r}]" for segment in self.segments[1:])

    @property
    def label(self) -> str:
        return f"{self.model_name}.{self.column_label}"

    def __repr__(self) -> str:
        return f"<Column {self.label}>"

    def __getitem__(self, segment: Segment) -> ColumnRef:
        return nested(self, segment)

    # Conditions beyond the comparison operators of Comparable.

    def in_(self, values: Iterable[Any]) -> Condition:
        return conditions.in_(self, values)

    def begins_with(self, prefix: Any) -> Condition:
        return conditions.begins_with(self, prefix)

    def contains(self, member: Any) -> Condition:
        return conditions.contains(self, member)

    def exists(self) -> Condition:
        return conditions.attribute_exists(self)

    def not_exists(self) -> Condition:
        return conditions.attribute_not_exists(self)

    def is_type(self, type_code: str) -> Condition:
        return conditions.attribute_type(self, type_code)

    def size(self) -> SizeRef:
        return SizeRef(conditions.size(self))

    # Update values and actions.

    def __add__(self, other: Any) -> Arithmetic:
        return updates.plus(self, other)

    def __sub__(self, other: Any) -> Arithmetic:
        return updates.minus(self, other)

    def set(self, value: Any) -> Update:
        return updates.set_(self, value)

    def remove(self) -> Update:
        return updates.remove(self)

    def add(self, value: Any) -> Update:
        return updates.add(self, value)

    def delete(self, values: Any) -> Update:
        return updates.delete(self, values)

    def increment(self, amount: Any = 1) -> Update:
        return updates.increment(self, amount)

    def decrement(self, amount: Any = 1) -> Update:
        return updates.decrement(self, amount)

    def append(self, values: Any) -> Update:
        return updates.append(self, values)

    def prepend(self, values: Any) -> Update:
        return updates.prepend(self, values)

    def append_or_create(self, values: Any) -> Update:
        return updates.append_or_create(self, values)

    def set_if_not_exists(self, value: Any) -> Update:
        return updates.set_if_not_exists(self, value)

    def if_not_exists(self, default: Any) -> IfNotExists:
        return updates.if_not_exists(self, default)


class SizeRef(Comparable):
    """`size(column)` as returned by `ColumnRef.size()`, compared with Python's operators."""

    __slots__ = ("node",)

    def __init__(self, node: Size) -> None:
        self.node = node

    def __repr__(self) -> str:
        return f"<Size {describe_path(self.node.path.segments)}>"


def nested(parent: ColumnRef, segment: Segment) -> ColumnRef:
    """Return a reference to a map key (str) or list element (int) inside `parent`."""
    child_path = parent.path[segment]
    child_type = _child_type(parent, segment)
    return ColumnRef(parent.model, parent.column, child_path.segments, child_type)


def _child_type(parent: ColumnRef, segment: Segment) -> Type | None:
    """Return the declared type at one level below `parent`, or None when it is schemaless."""
    parent_type = parent.type
    if parent_type is None or parent_type.backing == "":
        return None
    if isinstance(segment, int):
        if parent_type.backing != "L":
            raise _not_a_container(parent, segment, "list")
        element = getattr(parent_type, "element_type", None)
        return element if isinstance(element, Type) else None
    if parent_type.backing != "M":
        raise _not_a_container(parent, segment, "map")
    fields = _map_fields(parent_type)
    if fields is None:
        return None
    if segment not in fields:
        raise InvalidCondition(
            f"{parent.label} has no field {segment!r}; its fields are: {', '.join(fields)}"
        )
    return fields[segment]


def _map_fields(map_type: Type) -> dict[str, Type] | None:
    """Return the declared fields of a typed map, or None for a schemaless map."""
    fields = getattr(map_type, "fields", None)
    if isinstance(fields, tuple):
        return dict(fields)
    for name in ("field_types", "types"):
        mapping = getattr(map_type, name, None)
        if isinstance(mapping, dict):
            return mapping
    return None


def _not_a_container(parent: ColumnRef, segment: Segment, kind: str) -> InvalidCondition:
    assert parent.type is not None
    where = describe_path((*parent.segments, segment))
    return InvalidCondition(
        f"{where}: {parent.label} is {parent.type.name} stored as {parent.type.backing}, "
        f"not a {kind}, so it has no {'element' if kind == 'list' else 'key'} {segment!r}"
    )
