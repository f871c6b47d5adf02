"""Column references: what `Account.email` returns on a model class.

A reference builds conditions with Python's comparison operators. Condition nodes never store the
reference itself, only its plain path, so overloading `==` here cannot confuse their equality.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bloopfp import conditions
from bloopfp.conditions import Condition
from bloopfp.models import Column
from bloopfp.paths import Path, Size
from bloopfp.types import Type


class ColumnRef:
    """A reference to one column of a model, used to build conditions, keys and projections."""

    __slots__ = ("column", "model")

    def __init__(self, model: Any, column: Column) -> None:
        self.model = model
        self.column = column

    @property
    def path(self) -> Path:
        return Path((self.column.key_name,))

    @property
    def value_type(self) -> Type:
        return self.column.type

    @property
    def element_type(self) -> Type | None:
        """The type of one member, for `contains` on sets and lists; the column type otherwise."""
        inner = getattr(self.column.type, "element_type", None)
        if isinstance(inner, Type):
            return inner
        return self.column.type

    @property
    def label(self) -> str:
        return f"{self.model.__bloopfp__.name}.{self.column.name}"

    def __repr__(self) -> str:
        return f"<Column {self.label}>"

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

    def size(self) -> Size:
        return conditions.size(self)
