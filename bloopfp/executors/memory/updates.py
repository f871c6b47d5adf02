"""Application of parsed update actions (SET, REMOVE, ADD, DELETE) to an item.

Every operand reads the item as it was before the update, as DynamoDB does, and the actions
write into a copy of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bloopfp.executors.memory.errors import RequestRejected, invalid
from bloopfp.executors.memory.evaluate import resolve
from bloopfp.executors.memory.nodes import (
    Action,
    Arithmetic,
    IfNotExists,
    ListAppend,
    Operand,
    Path,
    Size,
    Value,
)
from bloopfp.executors.memory.values import (
    SET_TYPES,
    AttributeValue,
    Item,
    check_number,
    clone,
    format_number,
    type_of,
)

ADDABLE_TYPES = ("N", "SS", "NS", "BS")
DELETABLE_TYPES = ("SS", "NS", "BS")
_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "L": "LIST",
    "M": "MAP",
    "SS": "SET",
    "NS": "SET",
    "BS": "SET",
}


def check_actions(actions: tuple[Action, ...]) -> None:
    """Reject ADD and DELETE actions whose value has a type the action cannot use."""
    for action in actions:
        allowed = {"ADD": ADDABLE_TYPES, "DELETE": DELETABLE_TYPES}.get(action.clause)
        if allowed is None:
            continue
        assert isinstance(action.operand, Value)
        kind = type_of(action.operand.value)
        if kind not in allowed:
            raise invalid(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                f"operator: {action.clause}, operand type: {_TYPE_NAMES[kind]}"
            )


def apply_update(old: Mapping[str, Any], actions: tuple[Action, ...]) -> Item:
    """Return a new item: `old` with `actions` applied. `old` is not changed."""
    new: Item = clone(dict(old))
    computed = [(action, _new_value(old, action)) for action in actions]

    removals = [action for action in actions if action.clause == "REMOVE"]
    for action, value in computed:
        if action.clause != "REMOVE":
            _write(new, action, value)
    # List elements are removed from the highest index down, so each index still names the
    # element it named in the original item.
    for action in sorted(removals, key=_removal_order, reverse=True):
        _remove(new, action.path)
    return new


def _removal_order(action: Action) -> tuple[int, ...]:
    last = action.path.elements[-1]
    return (1, last) if isinstance(last, int) else (0,)


def _new_value(old: Mapping[str, Any], action: Action) -> AttributeValue | None:
    if action.clause == "SET":
        assert action.operand is not None
        return update_operand(old, action.operand)
    if action.clause == "REMOVE":
        return None
    assert isinstance(action.operand, Value)
    current = resolve(old, action.path)
    if action.clause == "ADD":
        return _add(current, action.operand.value)
    return _delete(current, action.operand.value)


def update_operand(item: Mapping[str, Any], operand: Operand) -> AttributeValue:
    """Return the value of a SET operand, read from the item before the update."""
    if isinstance(operand, Value):
        return operand.value
    if isinstance(operand, Path):
        value = resolve(item, operand)
        if value is None:
            raise invalid(
                "The provided expression refers to an attribute that does not exist in the item"
            )
        return value
    if isinstance(operand, IfNotExists):
        existing = resolve(item, operand.path)
        return existing if existing is not None else update_operand(item, operand.fallback)
    if isinstance(operand, ListAppend):
        return _list_append(
            update_operand(item, operand.first), update_operand(item, operand.second)
        )
    if isinstance(operand, Arithmetic):
        return _arithmetic(
            operand.operator,
            update_operand(item, operand.left),
            update_operand(item, operand.right),
        )
    assert isinstance(operand, Size)
    raise invalid(
        "Invalid UpdateExpression: The function is not allowed in an update expression; "
        "function: size"
    )


def _list_append(first: AttributeValue, second: AttributeValue) -> AttributeValue:
    for value in (first, second):
        if type_of(value) != "L":
            raise invalid(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                f"operator or function: list_append, operand type: {_TYPE_NAMES[type_of(value)]}"
            )
    return {"L": [*first["L"], *second["L"]]}


def _arithmetic(operator: str, left: AttributeValue, right: AttributeValue) -> AttributeValue:
    if type_of(left) != "N" or type_of(right) != "N":
        raise _incorrect_data_type()
    a, b = Decimal(left["N"]), Decimal(right["N"])
    result = a + b if operator == "+" else a - b
    return {"N": format_number(check_number(result))}


def _add(current: AttributeValue | None, value: AttributeValue) -> AttributeValue:
    if current is None:
        return value
    kind = type_of(current)
    if kind != type_of(value):
        raise _incorrect_data_type()
    if kind == "N":
        return _arithmetic("+", current, value)
    merged = list(current[kind])
    merged.extend(member for member in value[kind] if member not in merged)
    return {kind: merged}


def _delete(current: AttributeValue | None, value: AttributeValue) -> AttributeValue | None:
    if current is None:
        return None
    kind = type_of(current)
    if kind != type_of(value) or kind not in SET_TYPES:
        raise _incorrect_data_type()
    remaining = [member for member in current[kind] if member not in value[kind]]
    return {kind: remaining} if remaining else None


def _incorrect_data_type() -> RequestRejected:
    return invalid("An operand in the update expression has an incorrect data type")


def _invalid_path() -> RequestRejected:
    return invalid("The document path provided in the update expression is invalid for update")


def _parent(item: Item, path: Path) -> Any:
    """Return the dict or list that contains the last element of `path`."""
    if len(path.elements) == 1:
        return item
    parent = resolve(item, Path(path.elements[:-1]))
    last = path.elements[-1]
    if parent is None:
        raise _invalid_path()
    container_kind = "M" if isinstance(last, str) else "L"
    if type_of(parent) != container_kind:
        raise _invalid_path()
    return parent[container_kind]


def _write(item: Item, action: Action, value: AttributeValue | None) -> None:
    container = _parent(item, action.path)
    last = action.path.elements[-1]
    if value is None:
        # DELETE removed the last member of a set, or had nothing to delete from.
        if isinstance(container, dict):
            container.pop(last, None)
        elif isinstance(last, int) and last < len(container):
            del container[last]
        return
    if isinstance(last, int) and last >= len(container):
        container.append(clone(value))
    else:
        container[last] = clone(value)


def _remove(item: Item, path: Path) -> None:
    container = _parent(item, path)
    last = path.elements[-1]
    if isinstance(container, dict):
        container.pop(last, None)
    elif isinstance(last, int) and last < len(container):
        del container[last]


def updated_paths(actions: tuple[Action, ...]) -> tuple[Path, ...]:
    """Return the paths that the actions write, for ReturnValues UPDATED_OLD and UPDATED_NEW."""
    return tuple(action.path for action in actions)
