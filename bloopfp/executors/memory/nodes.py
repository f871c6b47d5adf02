"""The frozen syntax tree that the expression parser builds and the evaluator walks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathElement = str | int


@dataclass(frozen=True, slots=True)
class Path:
    """A document path: an attribute name followed by map keys (str) and list indexes (int)."""

    elements: tuple[PathElement, ...]

    def show(self) -> str:
        """Return the path in the bracketed form DynamoDB's messages use, such as [a, b, [0]]."""
        parts = [
            f"[{element}]" if isinstance(element, int) else element for element in self.elements
        ]
        return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True, slots=True)
class Value:
    """An expression attribute value: its placeholder and its (normalized) AttributeValue."""

    placeholder: str
    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Size:
    """The size(path) function used as an operand."""

    path: Path


@dataclass(frozen=True, slots=True)
class IfNotExists:
    """The if_not_exists(path, operand) function of a SET action."""

    path: Path
    fallback: Operand


@dataclass(frozen=True, slots=True)
class ListAppend:
    """The list_append(operand, operand) function of a SET action."""

    first: Operand
    second: Operand


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """An addition or subtraction in a SET action."""

    operator: str
    left: Operand
    right: Operand


Operand = Path | Value | Size | IfNotExists | ListAppend | Arithmetic


@dataclass(frozen=True, slots=True)
class Comparison:
    """A comparison with one of = <> < <= > >=."""

    operator: str
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    """operand BETWEEN low AND high."""

    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    """operand IN (option, ...)."""

    operand: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Function:
    """A condition function: attribute_exists, attribute_not_exists, attribute_type,
    begins_with or contains."""

    name: str
    arguments: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    """Both conditions hold."""

    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    """Either condition holds."""

    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    """The condition does not hold."""

    condition: Condition


Condition = Comparison | Between | In | Function | And | Or | Not


@dataclass(frozen=True, slots=True)
class Action:
    """One action of an update expression: SET, REMOVE, ADD or DELETE on a path.

    `operand` is None for REMOVE, a Value for ADD and DELETE, and any update operand for SET.
    """

    clause: str
    path: Path
    operand: Operand | None
