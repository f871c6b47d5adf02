"""Compile conditions, updates and projections into DynamoDB expression strings.

Names and values always go through the request's placeholders, so no user text ever appears in an
expression string. Each compiled expression is checked against DynamoDB's length and operator
limits (see `bloopfp.limits`) before the request exists.

>>> from bloopfp.conditions import eq, exists
>>> from bloopfp.paths import path
>>> placeholders = Placeholders()
>>> condition(eq(path("status"), "open") & exists(path("prefs", "theme")), placeholders)
'#n0 = :v0 AND attribute_exists(#n1.#n2)'
>>> placeholders.add_to({})
{'ExpressionAttributeNames': {'#n0': 'status', '#n1': 'prefs', '#n2': 'theme'}, \
'ExpressionAttributeValues': {':v0': {'S': 'open'}}}
"""

from __future__ import annotations

from bloopfp import limits
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
from bloopfp.paths import Operand, Path, Size, Value
from bloopfp.updates import (
    KEYWORDS,
    Action,
    AddAction,
    Arithmetic,
    DeleteAction,
    IfNotExists,
    ListAppend,
    RemoveAction,
    SetAction,
    SetValue,
    Update,
)

__all__ = [
    "Placeholders",
    "checked_condition",
    "checked_update",
    "condition",
    "operator_count",
    "projection",
    "update",
]


def operand(node: Operand, placeholders: Placeholders) -> str:
    if isinstance(node, Path):
        return placeholders.path(node.segments)
    if isinstance(node, Size):
        return f"size({placeholders.path(node.path.segments)})"
    return _value(node, placeholders)


def _value(node: Value, placeholders: Placeholders) -> str:
    dumped = node.type.dump(node.value)
    if dumped is None:
        raise InvalidCondition(f"{node.value!r} dumps to an absent attribute and cannot be sent")
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
    """Return the UpdateExpression of an update: one clause per keyword, SET, REMOVE, ADD, DELETE.

    >>> from bloopfp.paths import path
    >>> from bloopfp.updates import add, append, remove
    >>> update(add(path("n"), 1) & remove(path("old")) & append(path("log"), ["x"]), Placeholders())
    'SET #n0 = list_append(#n0, :v0) REMOVE #n1 ADD #n2 :v1'
    """
    clauses = []
    for keyword, kind in KEYWORDS:
        actions = [action for action in node.actions if isinstance(action, kind)]
        if actions:
            compiled = ", ".join(_action(action, placeholders) for action in actions)
            clauses.append(f"{keyword} {compiled}")
    return " ".join(clauses)


def _action(action: Action, placeholders: Placeholders) -> str:
    target = placeholders.path(action.path.segments)
    if isinstance(action, SetAction):
        return f"{target} = {_set_value(action.value, placeholders)}"
    if isinstance(action, RemoveAction):
        return target
    if isinstance(action, AddAction | DeleteAction):
        return f"{target} {_value(action.value, placeholders)}"
    raise InvalidCondition(f"no compile rule for update action {type(action).__name__}")


def _set_value(node: SetValue, placeholders: Placeholders) -> str:
    if isinstance(node, Path):
        return placeholders.path(node.segments)
    if isinstance(node, Value):
        return _value(node, placeholders)
    if isinstance(node, IfNotExists):
        target = placeholders.path(node.path.segments)
        return f"if_not_exists({target}, {_set_value(node.default, placeholders)})"
    if isinstance(node, ListAppend):
        first = _set_value(node.first, placeholders)
        return f"list_append({first}, {_set_value(node.second, placeholders)})"
    if isinstance(node, Arithmetic):
        left = _set_value(node.left, placeholders)
        return f"{left} {node.operator} {_set_value(node.right, placeholders)}"
    raise InvalidCondition(f"no compile rule for update value {type(node).__name__}")


def projection(paths: tuple[Path, ...], placeholders: Placeholders) -> str:
    """Return a ProjectionExpression, raising when it is longer than DynamoDB accepts."""
    text = ", ".join(placeholders.path(p.segments) for p in paths)
    limits.check_expression_length("ProjectionExpression", text)
    return text


# Limits.


def operator_count(node: Condition | Update) -> int:
    """Count the operators and functions of an expression as DynamoDB's 300 limit counts them.

    Comparators, BETWEEN, IN, NOT, each AND or OR between two conditions, every function
    (including size, if_not_exists and list_append) and `+` or `-` count one each. The `=` of a
    SET action is syntax, not an operator.

    NOTE: DynamoDB documents the limit with one example (`SET a = :v1 + :v2 + :v3` contains two
    operators), not a full counting rule, so this count is an estimate near the limit.

    >>> from bloopfp.conditions import gt, size, exists
    >>> from bloopfp.paths import path
    >>> operator_count(gt(size(path("tags")), 3) & exists(path("a")))
    4
    """
    if isinstance(node, Update):
        return sum(_set_count(a.value) for a in node.actions if isinstance(a, SetAction))
    if isinstance(node, And | Or):
        return len(node.conditions) - 1 + sum(operator_count(c) for c in node.conditions)
    if isinstance(node, Not):
        return 1 + operator_count(node.condition)
    if isinstance(node, Comparison):
        return 1 + _operand_count(node.left) + _operand_count(node.right)
    if isinstance(node, Between):
        return 1 + sum(_operand_count(o) for o in (node.operand, node.low, node.high))
    if isinstance(node, In):
        return 1 + _operand_count(node.operand) + sum(_operand_count(v) for v in node.values)
    if isinstance(node, Function):
        return 1
    return 0


def _operand_count(node: Operand) -> int:
    return 1 if isinstance(node, Size) else 0


def _set_count(node: SetValue) -> int:
    if isinstance(node, IfNotExists):
        return 1 + _set_count(node.default)
    if isinstance(node, ListAppend):
        return 1 + _set_count(node.first) + _set_count(node.second)
    if isinstance(node, Arithmetic):
        return 1 + _set_count(node.left) + _set_count(node.right)
    return 0


def checked_condition(node: Condition, placeholders: Placeholders, parameter: str) -> str:
    """Compile a condition for `parameter`, raising when it breaks DynamoDB's limits."""
    limits.check_operator_count(parameter, operator_count(node))
    text = condition(node, placeholders)
    limits.check_expression_length(parameter, text)
    return text


def checked_update(node: Update, placeholders: Placeholders) -> str:
    """Compile an UpdateExpression, raising when it breaks DynamoDB's limits."""
    limits.check_operator_count("UpdateExpression", operator_count(node))
    text = update(node, placeholders)
    limits.check_expression_length("UpdateExpression", text)
    return text


def expression_of(node: Condition | Update) -> str:
    """Return the expression string that a condition or update compiles to, for reading.

    The placeholders are numbered as in a request that holds only this expression.

    >>> from bloopfp.conditions import eq
    >>> from bloopfp.paths import path
    >>> expression_of(eq(path("status"), "open"))
    '#n0 = :v0'
    """
    placeholders = Placeholders()
    if isinstance(node, Update):
        return update(node, placeholders)
    return condition(node, placeholders)
