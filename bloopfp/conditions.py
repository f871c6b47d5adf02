"""Conditions as immutable values.

Build them from column references (`Account.email == "a@b.c"`) or with the free functions below,
and combine them with `&`, `|` and `~` (or `and_`, `or_`, `not_`). A condition is frozen, hashable
when its values are, compares by structure, and never evaluates to a bool.

>>> from bloopfp.paths import path
>>> cond = eq(path("status"), "open") & not_exists(path("deleted"))
>>> cond
<Condition status = 'open' AND attribute_not_exists(deleted)>
>>> cond == eq(path("status"), "open") & not_exists(path("deleted"))
True
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs

from bloopfp.errors import InvalidCondition, InvalidValue
from bloopfp.paths import Operand, Path, Size, Value, describe_path
from bloopfp.types import Binary, Boolean, Number, String, Type

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
MAX_IN_OPERANDS = 100


class Condition:
    """Base class of condition nodes. Combine with `&`, `|` and `~`; never use `bool()`."""

    __slots__ = ()

    def __and__(self, other: Condition) -> Condition:
        return and_(self, other)

    def __or__(self, other: Condition) -> Condition:
        return or_(self, other)

    def __invert__(self) -> Condition:
        return not_(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "a condition has no truth value; combine conditions with & (and), | (or) and ~ (not) "
            "instead of `and`, `or` and `not`"
        )

    def __repr__(self) -> str:
        return f"<Condition {describe(self)}>"


@attrs.frozen(repr=False)
class Always(Condition):
    """The empty condition: the identity of `&` and `|`, compiled to no expression at all."""


EMPTY = Always()


@attrs.frozen(repr=False)
class Comparison(Condition):
    operator: str = attrs.field(validator=attrs.validators.in_(COMPARATORS))
    left: Operand
    right: Operand


@attrs.frozen(repr=False)
class Between(Condition):
    """`operand BETWEEN low AND high`, inclusive at both ends."""

    operand: Operand
    low: Operand
    high: Operand


@attrs.frozen(repr=False)
class In(Condition):
    operand: Operand
    values: tuple[Operand, ...]


@attrs.frozen(repr=False)
class Function(Condition):
    """One of DynamoDB's condition functions applied to a path and optional operand."""

    NAMES: ClassVar[tuple[str, ...]] = (
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
    )
    name: str = attrs.field(validator=attrs.validators.in_(NAMES))
    path: Path
    argument: Operand | None = None


@attrs.frozen(repr=False)
class And(Condition):
    conditions: tuple[Condition, ...]


@attrs.frozen(repr=False)
class Or(Condition):
    conditions: tuple[Condition, ...]


@attrs.frozen(repr=False)
class Not(Condition):
    condition: Condition


# Operands: column references, paths, size() and plain values.


def infer_type(value: Any) -> Type:
    """Return the type used for a value compared with an untyped path."""
    if isinstance(value, bool):
        return Boolean()
    if isinstance(value, str):
        return String()
    if isinstance(value, bytes | bytearray):
        return Binary()
    if isinstance(value, int | decimal.Decimal):
        return Number()
    raise InvalidValue(
        "untyped paths compare with str, bytes, bool, int or Decimal values; "
        "use a column reference to compare other types",
        value=value,
    )


def _typed_side(operand: Any) -> tuple[Operand, Type | None, str | None]:
    """Return the operand node, its type if known, and a label naming its column."""
    from bloopfp.refs import ColumnRef

    if isinstance(operand, ColumnRef):
        return operand.path, operand.value_type, operand.label
    if isinstance(operand, Path | Size):
        return operand, None, None
    if isinstance(operand, Value):
        return operand, operand.type, None
    raise InvalidCondition(
        f"the left side of a condition must be a column or path, not {operand!r}"
    )


def _value(operand: Any, value_type: Type | None, label: str | None) -> Operand:
    """Turn the right side of a comparison into a Path or a validated Value."""
    from bloopfp.refs import ColumnRef

    if isinstance(operand, ColumnRef):
        return operand.path
    if isinstance(operand, Path | Size | Value):
        return operand
    chosen = value_type or infer_type(operand)
    try:
        chosen.validate(operand)
        dumped = chosen.dump(operand)
    except InvalidValue as error:
        if label is None:
            raise
        model, _, column = label.partition(".")
        raise error.in_column(model, column) from None
    if dumped is None:
        raise InvalidValue(
            "this value is stored as an absent attribute (an empty set, for example); "
            "use attribute_not_exists instead",
            value=operand,
            model=label.partition(".")[0] if label else None,
            column=label.partition(".")[2] if label else None,
        )
    return Value(operand, chosen)


def _path(operand: Any) -> Path:
    from bloopfp.refs import ColumnRef

    if isinstance(operand, ColumnRef):
        return operand.path
    if isinstance(operand, Path):
        return operand
    raise InvalidCondition(f"expected a column or path, not {operand!r}")


# Builders.


def compare(operator: str, left: Any, right: Any) -> Condition:
    """Build `left <operator> right` for one of = <> < <= > >=."""
    if operator not in COMPARATORS:
        raise InvalidCondition(f"unknown comparison operator {operator!r}; use one of {COMPARATORS}")
    node, value_type, label = _typed_side(left)
    if right is None:
        return _compare_with_none(operator, node, label)
    return Comparison(operator, node, _value(right, value_type, label))


def _compare_with_none(operator: str, node: Operand, label: str | None) -> Condition:
    # An absent attribute is None in a record, so `== None` asks that the attribute is absent.
    if not isinstance(node, Path) or operator not in ("=", "<>"):
        raise InvalidCondition(
            f"{label or node!r} {operator} None: None compares only with == and != on a path"
        )
    return attribute_not_exists(node) if operator == "=" else attribute_exists(node)


def eq(left: Any, right: Any) -> Condition:
    """`left = right`; `eq(column, None)` becomes attribute_not_exists(column)."""
    return compare("=", left, right)


def ne(left: Any, right: Any) -> Condition:
    """`left <> right`; `ne(column, None)` becomes attribute_exists(column)."""
    return compare("<>", left, right)


def lt(left: Any, right: Any) -> Condition:
    return compare("<", left, right)


def le(left: Any, right: Any) -> Condition:
    return compare("<=", left, right)


def gt(left: Any, right: Any) -> Condition:
    return compare(">", left, right)


def ge(left: Any, right: Any) -> Condition:
    return compare(">=", left, right)


def between(operand: Any, low: Any, high: Any) -> Condition:
    """`operand BETWEEN low AND high` (inclusive). Reversed value bounds are rejected."""
    node, value_type, label = _typed_side(operand)
    low_node = _value(low, value_type, label)
    high_node = _value(high, value_type, label)
    if isinstance(low_node, Value) and isinstance(high_node, Value):
        _check_bounds(low_node, high_node, label or repr(node))
    return Between(node, low_node, high_node)


def _check_bounds(low: Value, high: Value, label: str) -> None:
    low_wire, high_wire = low.type.dump(low.value), high.type.dump(high.value)
    if low_wire is None or high_wire is None:
        return
    (low_code, low_raw), (high_code, high_raw) = next(iter(low_wire.items())), next(
        iter(high_wire.items())
    )
    if low_code != high_code:
        raise InvalidCondition(f"BETWEEN bounds of {label} have different types: {low_code}, {high_code}")
    if low_code == "N":
        reversed_bounds = decimal.Decimal(low_raw) > decimal.Decimal(high_raw)
    elif low_code == "S":
        reversed_bounds = low_raw.encode() > high_raw.encode()
    else:
        reversed_bounds = bytes(low_raw) > bytes(high_raw)
    if reversed_bounds:
        raise InvalidCondition(
            f"BETWEEN bounds of {label} are reversed: {low.value!r} > {high.value!r}; "
            "DynamoDB rejects a lower bound above the upper bound"
        )


def in_(operand: Any, values: Iterable[Any]) -> Condition:
    """`operand IN (v1, v2, ...)` with 1 to 100 values."""
    node, value_type, label = _typed_side(operand)
    nodes = tuple(_value(v, value_type, label) for v in values)
    if not 1 <= len(nodes) <= MAX_IN_OPERANDS:
        raise InvalidCondition(
            f"IN on {label or node!r} takes 1 to {MAX_IN_OPERANDS} values, got {len(nodes)}"
        )
    return In(node, nodes)


def begins_with(operand: Any, prefix: Any) -> Condition:
    """`begins_with(path, prefix)` for string and binary attributes."""
    node, value_type, label = _typed_side(operand)
    if value_type is not None and value_type.backing not in ("S", "B"):
        raise InvalidCondition(
            f"begins_with needs a string or binary column, but {label} is {value_type.name}"
        )
    return Function("begins_with", _path(operand), _value(prefix, value_type, label))


def contains(operand: Any, member: Any) -> Condition:
    """`contains(path, operand)`: a substring of S or B, or an element of a set or list."""
    from bloopfp.refs import ColumnRef

    element_type = operand.element_type if isinstance(operand, ColumnRef) else None
    label = operand.label if isinstance(operand, ColumnRef) else None
    return Function("contains", _path(operand), _value(member, element_type, label))


def attribute_exists(operand: Any) -> Condition:
    return Function("attribute_exists", _path(operand))


def attribute_not_exists(operand: Any) -> Condition:
    return Function("attribute_not_exists", _path(operand))


exists = attribute_exists
not_exists = attribute_not_exists


def attribute_type(operand: Any, type_code: str) -> Condition:
    """`attribute_type(path, :type)` where type_code is one of S SS N NS B BS BOOL NULL L M."""
    if type_code not in ATTRIBUTE_TYPES:
        raise InvalidCondition(
            f"attribute_type takes one of {', '.join(ATTRIBUTE_TYPES)}, not {type_code!r}"
        )
    return Function("attribute_type", _path(operand), Value(type_code, String()))


def size(operand: Any) -> Size:
    """The `size(path)` operand, compared like a number: `gt(size(path("tags")), 3)`."""
    return Size(_path(operand))


def and_(*conditions: Condition) -> Condition:
    """All of the conditions. Nested ANDs are flattened and empty conditions dropped."""
    return _combine(And, conditions)


def or_(*conditions: Condition) -> Condition:
    """Any of the conditions. Nested ORs are flattened and empty conditions dropped."""
    return _combine(Or, conditions)


def _combine(kind: type[And] | type[Or], conditions: tuple[Condition, ...]) -> Condition:
    flat: list[Condition] = []
    for condition in conditions:
        if not isinstance(condition, Condition):
            raise InvalidCondition(f"expected a condition, not {condition!r}")
        if isinstance(condition, Always):
            continue
        if isinstance(condition, kind):
            flat.extend(condition.conditions)
        else:
            flat.append(condition)
    if not flat:
        return EMPTY
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


def not_(condition: Condition) -> Condition:
    """The negation of a condition; `~~c` is `c`. The empty condition cannot be negated."""
    if isinstance(condition, Always):
        raise InvalidCondition("the empty condition cannot be negated")
    if isinstance(condition, Not):
        return condition.condition
    return Not(condition)


# Readable text for reprs and messages. Values appear inline here and only here, never in requests.


def describe(condition: Condition) -> str:
    """Return a readable, DynamoDB-like form of a condition with names and values inline."""
    if isinstance(condition, Always):
        return "(empty)"
    if isinstance(condition, Comparison):
        return f"{_text(condition.left)} {condition.operator} {_text(condition.right)}"
    if isinstance(condition, Between):
        low, high = _text(condition.low), _text(condition.high)
        return f"{_text(condition.operand)} BETWEEN {low} AND {high}"
    if isinstance(condition, In):
        return f"{_text(condition.operand)} IN ({', '.join(_text(v) for v in condition.values)})"
    if isinstance(condition, Function):
        arguments = [_text(condition.path)]
        if condition.argument is not None:
            arguments.append(_text(condition.argument))
        return f"{condition.name}({', '.join(arguments)})"
    if isinstance(condition, And | Or):
        keyword = " AND " if isinstance(condition, And) else " OR "
        return keyword.join(_nested(c) for c in condition.conditions)
    if isinstance(condition, Not):
        return f"NOT {_nested(condition.condition)}"
    raise TypeError(f"unknown condition node {type(condition).__name__}")


def _nested(condition: Condition) -> str:
    text = describe(condition)
    return f"({text})" if isinstance(condition, And | Or) else text


def _text(operand: Operand) -> str:
    if isinstance(operand, Path):
        return describe_path(operand.segments)
    if isinstance(operand, Size):
        return f"size({describe_path(operand.path.segments)})"
    return repr(operand.value)
