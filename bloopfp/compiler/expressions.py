"""Compile conditions, updates and projections into DynamoDB expression strings.

Names and values always go through the request's placeholders, so no user text ever appears in an
expression string.
"""

from __future__ import annotations

from bloopfp.compiler.placeholders import Placeholders
from bloopfp.conditions import (
    Always,
    And,
    Between,
    Comparison,
    Condition,
    Function,
    In,
    Not,
    Or,
)
from bloopfp.errors import InvalidCondition
from bloopfp.paths import Operand, Path, Size
from bloopfp.updates import RemoveAction, SetAction, Update


def operand(node: Operand, placeholders: Placeholders) -> str:
    if isinstance(node, Path):
        return placeholders.path(node.segments)
    if isinstance(node, Size):
        return f"size({placeholders.path(node.path.segments)})"
    dumped = node.type.dump(node.value)
    if dumped is None:
        raise InvalidCondition(f"{node.value!r} dumps to an absent attribute and cannot be compared")
    return placeholders.value(dumped)


def condition(node: Condition, placeholders: Placeholders) -> str:
    """Return the expression string of a condition node."""
    if isinstance(node, Comparison):
        left = operand(node.left, placeholders)
        return f"{left} {node.operator} {operand(node.right, placeholders)}"
    if isinstance(node, Between):
        subject = operand(node.operand, placeholders)
        low = operand(node.low, placeholders)
        return f"{subject} BETWEEN {low} AND {operand(node.high, placeholders)}"
    if isinstance(node, In):
        subject = operand(node.operand, placeholders)
        values = ", ".join(operand(value, placeholders) for value in node.values)
        return f"{subject} IN ({values})"
    if isinstance(node, Function):
        arguments = [placeholders.path(node.path.segments)]
        if node.argument is not None:
            arguments.append(operand(node.argument, placeholders))
        return f"{node.name}({', '.join(arguments)})"
    if isinstance(node, And | Or):
        keyword = " AND " if isinstance(node, And) else " OR "
        return keyword.join(_grouped(child, placeholders) for child in node.conditions)
    if isinstance(node, Not):
        return f"NOT {_grouped(node.condition, placeholders)}"
    if isinstance(node, Always):
        raise InvalidCondition("the empty condition has no expression; leave it out of the request")
    raise InvalidCondition(f"no compile rule for condition node {type(node).__name__}")


def _grouped(node: Condition, placeholders: Placeholders) -> str:
    text = condition(node, placeholders)
    return f"({text})" if isinstance(node, And | Or) else text


def update(node: Update, placeholders: Placeholders) -> str:
    """Return the UpdateExpression of an update: one clause per keyword, SET before REMOVE."""
    sets = [action for action in node.actions if isinstance(action, SetAction)]
    removes = [action for action in node.actions if isinstance(action, RemoveAction)]
    clauses = []
    if sets:
        assignments = []
        for action in sets:
            target = placeholders.path(action.path.segments)
            assignments.append(f"{target} = {operand(action.value, placeholders)}")
        clauses.append("SET " + ", ".join(assignments))
    if removes:
        clauses.append("REMOVE " + ", ".join(placeholders.path(a.path.segments) for a in removes))
    return " ".join(clauses)


def projection(paths: tuple[Path, ...], placeholders: Placeholders) -> str:
    return ", ".join(placeholders.path(p.segments) for p in paths)


