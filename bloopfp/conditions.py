"""Conditions as immutable values.

Build them from column references (`Account.email == "a@b.c"`) or with the free functions below,
and combine them with `&`, `|` and `~` (or `and_`, `or_`, `not_`). A condition is frozen, hashable
when its values are, compares by structure, and never evaluates to a bool.

>>> from bloopfp.paths import path
>>> cond = eq(path("status"), "open") & not_exists(path("deleted"))
>>> cond
<Condition status = 'open' AND attribute_not_exists(deleted)>
>>> from bloopfp.compiler.expressions import expression_of
>>> expression_of(cond)
'#n0 = :v0 AND attribute_not_exists(#n1)'
>>> cond == eq(path("status"), "open") & not_exists(path("deleted"))
True
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar

import attrs

from bloopfp import limits
from bloopfp.errors import InvalidCondition, InvalidValue
from bloopfp.paths import Operand, Path, Size, Value, describe_path
from bloopfp.types import Binary, Boolean, Dynamic, Number, String, Type

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
ORDERING = ("<", "<=", ">", ">=")
ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
MAX_IN_OPERANDS = limits.MAX_IN_OPERANDS


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


@attrs.frozen
class _Side:
    """One side of a condition: its node, its type when known, and a label for messages.

    `model` and `column` name the model column of a column reference, and are None for paths.
    """

    node: Operand
    type: Type | None
    label: str
    model: str | None = None
    column: str | None = None


def infer_type(value: Any) -> Type:
    """Return the type used for a value compared with an untyped path.

    Scalars get their own type. Lists, tuples, mappings and sets are stored as `Dynamic` documents.
    """
    if isinstance(value, bool):
        return Boolean()
    if isinstance(value, str):
        return String()
    if isinstance(value, bytes | bytearray):
        return Binary()
    if isinstance(value, int | decimal.Decimal):
        return Number()
    if isinstance(value, list | tuple | Mapping | AbstractSet):
        return Dynamic()
    raise InvalidValue(
        "untyped paths compare with str, bytes, bool, int, Decimal, list, dict or set values; "
        "use a column reference to compare other types",
        value=value,
    )


def _side(operand: Any) -> _Side:
    """Return the node, type and label of the left side of a condition."""
    from bloopfp.refs import ColumnRef, SizeRef

    if isinstance(operand, SizeRef):
        return _Side(operand.node, Number(), _text(operand.node))
    if isinstance(operand, ColumnRef):
        return _Side(
            operand.path,
            operand.value_type,
            operand.label,
            operand.model_name,
            operand.column_label,
        )
    if isinstance(operand, Path):
        return _Side(operand, None, describe_path(operand.segments))
    if isinstance(operand, Size):
        return _Side(operand, Number(), _text(operand))
    if isinstance(operand, Value):
        return _Side(operand, operand.type, repr(operand.value))
    raise InvalidCondition(
        f"the left side of a condition must be a column or path, not {operand!r}"
    )


def _path_side(operand: Any, function: str) -> _Side:
    """Return the side of a function whose first argument must be a document path."""
    side = _side(operand)
    if not isinstance(side.node, Path):
        raise InvalidCondition(f"{function} takes a column or path, not {operand!r}")
    return side


def _value(operand: Any, side: _Side, value_type: Type | None = None) -> Operand:
    """Turn the right side of a comparison into a Path, a Size or a validated Value."""
    if _is_operand(operand):
        other = _side(operand)
        if other.node == side.node:
            raise InvalidCondition(
                f"{side.label} is compared with itself; DynamoDB requires distinct operands"
            )
        return other.node
    if isinstance(operand, Value):
        return operand
    try:
        chosen = value_type or side.type or infer_type(operand)
        operand = hashable(operand, chosen)
        chosen.validate(operand)
        dumped = chosen.dump(operand)
    except InvalidValue as error:
        raise _in_side(error, side) from None
    if dumped is None:
        raise InvalidCondition(
            f"{side.label}: {operand!r} is stored as an absent attribute (an empty set, for "
            "example); use attribute_not_exists instead"
        )
    return Value(operand, chosen)


def hashable(value: Any, value_type: Type) -> Any:
    """Return a set as a frozenset, and a list stored as L as a tuple, so nodes stay hashable.

    Both forms dump to the same AttributeValue. Dicts are left as they are.
    """
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, list) and value_type.backing in ("L", ""):
        return tuple(value)
    return value


def _in_side(error: InvalidValue, side: _Side) -> InvalidValue:
    """Return the error naming the column or path that the value was compared with."""
    if side.model is not None and side.column is not None:
        return error.in_column(side.model, side.column)
    return InvalidValue(
        error.reason, value=error.value, type_name=error.type_name, column=side.label
    )


def _require(side: _Side, capability: str, operation: str) -> None:
    """Raise InvalidCondition when a typed side's stored type does not support an operation."""
    if side.type is None or getattr(side.type, capability):
        return
    stored = side.type.backing or "varying types"
    raise InvalidCondition(
        f"{operation} does not apply to {side.label}, which is {side.type.name} stored as {stored}"
    )


def _require_value(node: Operand, capability: str, operation: str, side: _Side) -> None:
    """Raise InvalidCondition when an inferred value's type does not support an operation."""
    if isinstance(node, Value) and not getattr(node.type, capability):
        raise InvalidCondition(
            f"{operation} on {side.label} does not apply to {node.value!r} "
            f"({type(node.value).__name__}), which is stored as {node.type.backing}"
        )


# Builders.


def compare(operator: str, left: Any, right: Any) -> Condition:
    """Build `left <operator> right` for one of = <> < <= > >=.

    >>> from bloopfp.paths import path
    >>> compare(">=", path("age"), 18)
    <Condition age >= 18>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(compare(">=", path("age"), 18))
    '#n0 >= :v0'
    """
    if operator not in COMPARATORS:
        raise InvalidCondition(
            f"unknown comparison operator {operator!r}; use one of {COMPARATORS}"
        )
    side = _side(left)
    if right is None:
        return _compare_with_none(operator, side)
    operation = f"the {operator} comparison"
    if operator in ORDERING:
        _require(side, "supports_ordering", operation)
        if _is_operand(right):
            _require(_side(right), "supports_ordering", operation)
    right_node = _value(right, side)
    if operator in ORDERING:
        _require_value(right_node, "supports_ordering", operation, side)
    return Comparison(operator, side.node, right_node)


def _is_operand(operand: Any) -> bool:
    """Return whether `operand` is a column reference, a path or size(), not a Python value."""
    from bloopfp.refs import ColumnRef, SizeRef

    return isinstance(operand, ColumnRef | SizeRef | Path | Size)


def _compare_with_none(operator: str, side: _Side) -> Condition:
    # An absent attribute is None in a record, so `== None` requires that the attribute is absent.
    if not isinstance(side.node, Path) or operator not in ("=", "<>"):
        raise InvalidCondition(
            f"{side.label} {operator} None: None compares only with == and != on a path"
        )
    return attribute_not_exists(side.node) if operator == "=" else attribute_exists(side.node)


def eq(left: Any, right: Any) -> Condition:
    """`left = right`; `eq(column, None)` becomes attribute_not_exists(column).

    >>> from bloopfp.paths import path
    >>> eq(path("status"), "open")
    <Condition status = 'open'>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(eq(path("status"), "open"))
    '#n0 = :v0'
    """
    return compare("=", left, right)


def ne(left: Any, right: Any) -> Condition:
    """`left <> right`; `ne(column, None)` becomes attribute_exists(column).

    >>> from bloopfp.paths import path
    >>> ne(path("status"), "open")
    <Condition status <> 'open'>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(ne(path("status"), "open"))
    '#n0 <> :v0'
    """
    return compare("<>", left, right)


def lt(left: Any, right: Any) -> Condition:
    """`left < right` for strings, numbers and binary values."""
    return compare("<", left, right)


def le(left: Any, right: Any) -> Condition:
    """`left <= right` for strings, numbers and binary values."""
    return compare("<=", left, right)


def gt(left: Any, right: Any) -> Condition:
    """`left > right` for strings, numbers and binary values."""
    return compare(">", left, right)


def ge(left: Any, right: Any) -> Condition:
    """`left >= right` for strings, numbers and binary values."""
    return compare(">=", left, right)


def between(operand: Any, low: Any, high: Any) -> Condition:
    """`operand BETWEEN low AND high` (inclusive). Reversed value bounds are rejected.

    >>> from bloopfp.paths import path
    >>> between(path("age"), 18, 65)
    <Condition age BETWEEN 18 AND 65>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(between(path("age"), 18, 65))
    '#n0 BETWEEN :v0 AND :v1'
    """
    side = _side(operand)
    _require(side, "supports_ordering", "BETWEEN")
    low_node = _value(low, side)
    high_node = _value(high, side)
    for node in (low_node, high_node):
        _require_value(node, "supports_ordering", "BETWEEN", side)
    if isinstance(low_node, Value) and isinstance(high_node, Value):
        _check_bounds(low_node, high_node, side.label)
    return Between(side.node, low_node, high_node)


def _check_bounds(low: Value, high: Value, label: str) -> None:
    low_wire, high_wire = low.type.dump(low.value), high.type.dump(high.value)
    if low_wire is None or high_wire is None:
        return
    [(low_code, low_raw)] = low_wire.items()
    [(high_code, high_raw)] = high_wire.items()
    if low_code != high_code:
        raise InvalidCondition(
            f"BETWEEN bounds of {label} have different types: {low_code}, {high_code}"
        )
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
    """`operand IN (v1, v2, ...)` with 1 to 100 values.

    >>> from bloopfp.paths import path
    >>> in_(path("status"), ["open", "held"])
    <Condition status IN ('open', 'held')>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(in_(path("status"), ["open", "held"]))
    '#n0 IN (:v0, :v1)'
    """
    side = _side(operand)
    if isinstance(values, str | bytes):
        raise InvalidCondition(f"IN on {side.label} takes a list of values, not one {values!r}")
    nodes = tuple(_value(v, side) for v in values)
    limits.check_in_operands(side.label, len(nodes))
    return In(side.node, nodes)


def begins_with(operand: Any, prefix: Any) -> Condition:
    """`begins_with(path, prefix)` for string and binary attributes.

    >>> from bloopfp.paths import path
    >>> begins_with(path("sku"), "AB-")
    <Condition begins_with(sku, 'AB-')>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(begins_with(path("sku"), "AB-"))
    'begins_with(#n0, :v0)'
    """
    side = _path_side(operand, "begins_with")
    _require(side, "supports_begins_with", "begins_with")
    node = _value(prefix, side, _text_type(side.type, prefix))
    _require_value(node, "supports_begins_with", "begins_with", side)
    assert isinstance(side.node, Path)
    return Function("begins_with", side.node, node)


def contains(operand: Any, member: Any) -> Condition:
    """`contains(path, operand)`: a substring of S or B, or an element of a set or list.

    >>> from bloopfp.paths import path
    >>> contains(path("tags"), "red")
    <Condition contains(tags, 'red')>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(contains(path("tags"), "red"))
    'contains(#n0, :v0)'
    """
    side = _path_side(operand, "contains")
    _require(side, "supports_contains", "contains")
    node = _value(member, side, _member_type(side.type, member))
    assert isinstance(side.node, Path)
    return Function("contains", side.node, node)


def _text_type(column_type: Type | None, value: Any) -> Type | None:
    """Return String or Binary for a substring of an S or B column (a date prefix, say)."""
    if column_type is None:
        return None
    if column_type.backing == "S" and isinstance(value, str):
        return String()
    if column_type.backing == "B" and isinstance(value, bytes | bytearray):
        return Binary()
    return None


def _member_type(column_type: Type | None, value: Any) -> Type | None:
    """Return the type of one element of a set or list column, or of a substring."""
    if column_type is None:
        return None
    if column_type.backing in ("SS", "NS", "BS", "L"):
        element = getattr(column_type, "element_type", None)
        return element if isinstance(element, Type) else Dynamic()
    return _text_type(column_type, value)


def attribute_exists(operand: Any) -> Condition:
    """`attribute_exists(path)`: true when the item has the attribute.

    >>> from bloopfp.paths import path
    >>> attribute_exists(path("email"))
    <Condition attribute_exists(email)>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(attribute_exists(path("email")))
    'attribute_exists(#n0)'
    """
    return Function("attribute_exists", _path_of(operand, "attribute_exists"))


def attribute_not_exists(operand: Any) -> Condition:
    """`attribute_not_exists(path)`: true when the item lacks the attribute, or does not exist.

    >>> from bloopfp.paths import path
    >>> attribute_not_exists(path("email"))
    <Condition attribute_not_exists(email)>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(attribute_not_exists(path("email")))
    'attribute_not_exists(#n0)'
    """
    return Function("attribute_not_exists", _path_of(operand, "attribute_not_exists"))


def _path_of(operand: Any, function: str) -> Path:
    node = _path_side(operand, function).node
    assert isinstance(node, Path)
    return node


exists = attribute_exists
not_exists = attribute_not_exists


def attribute_type(operand: Any, type_code: str) -> Condition:
    """`attribute_type(path, :type)` where type_code is one of S SS N NS B BS BOOL NULL L M.

    >>> from bloopfp.paths import path
    >>> attribute_type(path("tags"), "SS")
    <Condition attribute_type(tags, 'SS')>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(attribute_type(path("tags"), "SS"))
    'attribute_type(#n0, :v0)'
    """
    if type_code not in ATTRIBUTE_TYPES:
        raise InvalidCondition(
            f"attribute_type takes one of {', '.join(ATTRIBUTE_TYPES)}, not {type_code!r}"
        )
    target = _path_of(operand, "attribute_type")
    return Function("attribute_type", target, Value(type_code, String()))


def size(operand: Any) -> Size:
    """Build the `size(path)` operand, which compares like a number.

    >>> from bloopfp.paths import path
    >>> gt(size(path("tags")), 3)
    <Condition size(tags) > 3>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(gt(size(path("tags")), 3))
    'size(#n0) > :v0'
    """
    side = _path_side(operand, "size")
    _require(side, "supports_size", "size")
    assert isinstance(side.node, Path)
    return Size(side.node)


def and_(*conditions: Condition) -> Condition:
    """Combine conditions that must all be true. Nested ANDs are flattened, empty ones dropped.

    >>> from bloopfp.paths import path
    >>> and_(exists(path("a")), EMPTY, and_(exists(path("b")), exists(path("c"))))
    <Condition attribute_exists(a) AND attribute_exists(b) AND attribute_exists(c)>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(and_(exists(path("a")), EMPTY, and_(exists(path("b")), exists(path("c")))))
    'attribute_exists(#n0) AND attribute_exists(#n1) AND attribute_exists(#n2)'
    """
    return _combine(And, conditions)


def or_(*conditions: Condition) -> Condition:
    """Combine conditions of which any may be true. Nested ORs are flattened, empty ones dropped.

    >>> from bloopfp.paths import path
    >>> or_(exists(path("a")), exists(path("b")) & exists(path("c")))
    <Condition attribute_exists(a) OR (attribute_exists(b) AND attribute_exists(c))>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(or_(exists(path("a")), exists(path("b")) & exists(path("c"))))
    'attribute_exists(#n0) OR (attribute_exists(#n1) AND attribute_exists(#n2))'
    """
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
    """Negate a condition, so that `~~c` is `c`. The empty condition cannot be negated.

    >>> from bloopfp.paths import path
    >>> not_(exists(path("a")))
    <Condition NOT attribute_exists(a)>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(not_(exists(path("a"))))
    'NOT attribute_exists(#n0)'
    """
    if not isinstance(condition, Condition):
        raise InvalidCondition(f"expected a condition, not {condition!r}")
    if isinstance(condition, Always):
        raise InvalidCondition("the empty condition cannot be negated")
    if isinstance(condition, Not):
        return condition.condition
    return Not(condition)


def condition_paths(condition: Condition) -> tuple[Path, ...]:
    """Return the document paths a condition reads, in the order they appear.

    >>> from bloopfp.paths import path
    >>> condition_paths(eq(path("a"), 1) & gt(size(path("b", "c")), 2))
    (Path('a'), Path('b.c'))
    """
    if isinstance(condition, Comparison):
        return _operand_paths(condition.left, condition.right)
    if isinstance(condition, Between):
        return _operand_paths(condition.operand, condition.low, condition.high)
    if isinstance(condition, In):
        return _operand_paths(condition.operand, *condition.values)
    if isinstance(condition, Function):
        extra = () if condition.argument is None else _operand_paths(condition.argument)
        return (condition.path, *extra)
    if isinstance(condition, And | Or):
        return tuple(p for part in condition.conditions for p in condition_paths(part))
    if isinstance(condition, Not):
        return condition_paths(condition.condition)
    return ()


def _operand_paths(*operands: Operand) -> tuple[Path, ...]:
    paths = []
    for operand in operands:
        if isinstance(operand, Path):
            paths.append(operand)
        elif isinstance(operand, Size):
            paths.append(operand.path)
    return tuple(paths)


# Optimistic concurrency.


def expect(record: Any) -> Condition:
    """Build the condition that the stored item still equals `record`.

    The item must exist, every non-key column that is set must be equal, and every column that is
    None (or an empty set) must be absent. Attributes that the model does not declare are not
    checked. Key columns are left out because the request's Key already names them.
    """
    from bloopfp.models import spec_of

    spec = spec_of(record)
    parts: list[Condition] = [attribute_exists(Path((spec.hash_key.key_name,)))]
    for col in spec.columns:
        if col.is_key:
            continue
        target = Path((col.key_name,))
        value = getattr(record, col.name)
        if value is None or col.type.dump(value) is None:
            parts.append(attribute_not_exists(target))
        else:
            parts.append(Comparison("=", target, Value(value, col.type)))
    return and_(*parts)


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
