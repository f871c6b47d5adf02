"""Analysis of a Query's KeyConditionExpression into a hash key value and a range key test.

DynamoDB accepts only an equality on the hash key, optionally AND one condition on the range
key using =, <, <=, >, >=, BETWEEN or begins_with, each comparing the key with a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bloopfp.executors.memory.errors import RequestRejected, invalid, invalid_parameters
from bloopfp.executors.memory.evaluate import evaluate
from bloopfp.executors.memory.nodes import (
    And,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Not,
    Operand,
    Or,
    Path,
    Value,
)
from bloopfp.executors.memory.schema import KeySchema
from bloopfp.executors.memory.values import AttributeValue, Item, sort_key, type_of

_MIRRORED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class KeyCondition:
    """The hash key value a Query reads and the condition its range key must meet, if any."""

    hash_value: AttributeValue
    range_condition: Condition | None

    def matches(self, item: Item, key: KeySchema) -> bool:
        """Return whether an item (or index entry) meets this key condition."""
        stored = item.get(key.hash_name)
        if stored is None or stored != self.hash_value:
            return False
        return self.range_condition is None or evaluate(self.range_condition, item)

    def range_bounds(self) -> RangeBounds:
        """Return the interval of range key sort keys that the range condition accepts."""
        condition = self.range_condition
        if condition is None:
            return RangeBounds()
        if isinstance(condition, Between):
            return RangeBounds(_bound(condition.low), True, _bound(condition.high), True)
        if isinstance(condition, Function):
            prefix = _bound(condition.arguments[1])
            return RangeBounds(prefix, True, _successor(prefix), False)
        assert isinstance(condition, Comparison)
        value = _bound(condition.right)
        operator = condition.operator
        if operator == "=":
            return RangeBounds(value, True, value, True)
        if operator in ("<", "<="):
            return RangeBounds(high=value, high_inclusive=operator == "<=")
        return RangeBounds(low=value, low_inclusive=operator == ">=")


@dataclass(frozen=True)
class RangeBounds:
    """An interval of range key sort keys (see `values.sort_key`). None leaves a side open."""

    low: Any = None
    low_inclusive: bool = True
    high: Any = None
    high_inclusive: bool = True


def _bound(operand: Operand) -> Any:
    assert isinstance(operand, Value)
    return sort_key(operand.value)


def _successor(prefix: bytes) -> bytes | None:
    """Return the least byte string above every string that starts with `prefix`.

    Strings order by their UTF-8 bytes, so the values starting with a prefix are one interval.
    Return None when no such string exists (an empty prefix or one of only 0xFF bytes).
    """
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


def analyze(condition: Condition, key: KeySchema) -> KeyCondition:
    """Split a parsed KeyConditionExpression into its hash and range parts, checking each."""
    parts: dict[str, Condition] = {}
    for part in _conjuncts(condition):
        name = _subject(part)
        if name not in key.names:
            raise invalid("Query key condition not supported")
        if name in parts:
            raise invalid("KeyConditionExpressions must only contain one condition per key")
        parts[name] = part

    hash_part = parts.get(key.hash_name)
    if hash_part is None:
        raise invalid(f"Query condition missed key schema element: {key.hash_name}")
    if not isinstance(hash_part, Comparison) or hash_part.operator != "=":
        raise invalid("Query key condition not supported")
    hash_value = _values(hash_part)[0]
    _check_type(hash_value, key.hash_type)
    _check_not_empty(hash_value, key.hash_name)

    range_part = parts.get(key.range_name) if key.range_name is not None else None
    if range_part is not None and key.range_type is not None:
        for value in _values(range_part):
            _check_type(value, key.range_type)
            # NOTE: DynamoDB's rejection of an empty hash key value is reported from AWS; the same
            # rule for range key comparisons is inferred from it. begins_with("") is left alone.
            if not isinstance(range_part, Function):
                _check_not_empty(value, key.range_name or "")
        if isinstance(range_part, Function) and key.range_type == "N":
            raise invalid(
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                "operator or function: begins_with, operand type: N"
            )
    return KeyCondition(hash_value, range_part)


def _conjuncts(condition: Condition) -> list[Condition]:
    if isinstance(condition, And):
        return _conjuncts(condition.left) + _conjuncts(condition.right)
    if isinstance(condition, Or):
        raise _invalid_operator("OR")
    if isinstance(condition, Not):
        raise _invalid_operator("NOT")
    if isinstance(condition, In):
        raise _invalid_operator("IN")
    if isinstance(condition, Comparison) and condition.operator == "<>":
        raise _invalid_operator("<>")
    if isinstance(condition, Function) and condition.name != "begins_with":
        raise _invalid_operator(condition.name)
    return [_oriented(condition)]


def _oriented(condition: Condition) -> Condition:
    """Return a comparison with its key path on the left, as `:v < k` means `k > :v`."""
    if (
        isinstance(condition, Comparison)
        and isinstance(condition.right, Path)
        and isinstance(condition.left, Value)
    ):
        return Comparison(_MIRRORED[condition.operator], condition.right, condition.left)
    return condition


def _subject(condition: Condition) -> str:
    subject: Operand
    others: tuple[Operand, ...]
    if isinstance(condition, Comparison):
        subject, others = condition.left, (condition.right,)
    elif isinstance(condition, Between):
        subject, others = condition.operand, (condition.low, condition.high)
    elif isinstance(condition, Function):
        subject, others = condition.arguments[0], condition.arguments[1:]
    else:
        raise invalid("Query key condition not supported")
    if not isinstance(subject, Path) or len(subject.elements) != 1:
        raise invalid("Query key condition not supported")
    if not all(isinstance(other, Value) for other in others):
        raise invalid("Query key condition not supported")
    name = subject.elements[0]
    assert isinstance(name, str)
    return name


def _values(condition: Condition) -> list[AttributeValue]:
    if isinstance(condition, Comparison):
        operands = [condition.right]
    elif isinstance(condition, Between):
        operands = [condition.low, condition.high]
    else:
        assert isinstance(condition, Function)
        operands = list(condition.arguments[1:])
    return [operand.value for operand in operands if isinstance(operand, Value)]


def _check_type(value: AttributeValue, declared: str) -> None:
    if type_of(value) != declared:
        raise invalid_parameters("Condition parameter type does not match schema type")


def _check_not_empty(value: AttributeValue, name: str) -> None:
    if value.get("S") == "" or value.get("B") in (b"", bytearray()):
        raise invalid_parameters(
            "The AttributeValue for a key attribute cannot contain an empty "
            f"{'string' if 'S' in value else 'binary'} value. Key: {name}"
        )


def _invalid_operator(operator: str) -> RequestRejected:
    return invalid(f"Invalid operator used in KeyConditionExpression: {operator}")
