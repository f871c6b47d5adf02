"""Updates as immutable values: the actions of one UpdateExpression.

Build actions with the functions below (or the methods of a column reference) and combine them
with `&`. The compiler writes one clause per keyword, in the order SET, REMOVE, ADD, DELETE, and
actions keep their order inside a clause. Two actions on the same path, or on a path and one of
its ancestors, are rejected when combined, as DynamoDB rejects them.

>>> from bloopfp.paths import path
>>> from bloopfp.types import String
>>> update = set_(path("name"), "Ada", String()) & remove(path("nickname"))
>>> update
<Update SET name = 'Ada' REMOVE nickname>
>>> from bloopfp.compiler.expressions import expression_of
>>> expression_of(update)
'SET #n0 = :v0 REMOVE #n1'
>>> increment(path("visits")) & delete(path("tags"), {"old"})
<Update ADD visits 1 DELETE tags {'old'}>
>>> expression_of(increment(path("visits")) & delete(path("tags"), {"old"}))
'ADD #n0 :v0 DELETE #n1 :v1'
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

import attrs

from bloopfp.conditions import (
    Comparison,
    Condition,
    attribute_not_exists,
    hashable,
    infer_type,
)
from bloopfp.errors import InvalidCondition, InvalidModel, InvalidValue
from bloopfp.models import Column, spec_of, validate_value
from bloopfp.paths import Path, Segment, Value, describe_path
from bloopfp.types import AttributeValue, DynamicList, Number, Type

# Values of a SET action.


@attrs.frozen(repr=False)
class IfNotExists:
    """`if_not_exists(path, default)`: the attribute at `path`, or `default` when it is absent."""

    path: Path
    default: Path | Value

    def __repr__(self) -> str:
        return f"<IfNotExists {_text(self)}>"


@attrs.frozen(repr=False)
class ListAppend:
    """`list_append(first, second)`: the elements of `first` followed by those of `second`."""

    first: Term
    second: Term

    def __repr__(self) -> str:
        return f"<ListAppend {_text(self)}>"


@attrs.frozen(repr=False)
class Arithmetic:
    """`left + right` or `left - right` on numbers."""

    operator: str = attrs.field(validator=attrs.validators.in_(("+", "-")))
    left: Path | Value | IfNotExists
    right: Path | Value | IfNotExists

    def __repr__(self) -> str:
        return f"<Arithmetic {_text(self)}>"


Term = Path | Value | IfNotExists | ListAppend
SetValue = Term | Arithmetic

# Actions.


@attrs.frozen(repr=False)
class SetAction:
    """`SET path = value`."""

    path: Path
    value: SetValue


@attrs.frozen(repr=False)
class RemoveAction:
    """`REMOVE path`."""

    path: Path


@attrs.frozen(repr=False)
class AddAction:
    """`ADD path value`: add a number, or add elements to a set."""

    path: Path
    value: Value


@attrs.frozen(repr=False)
class DeleteAction:
    """`DELETE path value`: remove elements from a set."""

    path: Path
    value: Value


Action = SetAction | RemoveAction | AddAction | DeleteAction
KEYWORDS: tuple[tuple[str, type], ...] = (
    ("SET", SetAction),
    ("REMOVE", RemoveAction),
    ("ADD", AddAction),
    ("DELETE", DeleteAction),
)


def _check_actions(_: Any, __: Any, actions: tuple[Action, ...]) -> None:
    for action in actions:
        if not isinstance(action, Action):
            raise InvalidCondition(f"an update contains actions, not {action!r}")
    paths = [action.path.segments for action in actions]
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            _check_pair(first, second)


def _check_pair(first: tuple[Segment, ...], second: tuple[Segment, ...]) -> None:
    """Raise InvalidCondition when two update paths overlap or conflict."""
    for a, b in zip(first, second, strict=False):
        if a == b:
            continue
        if isinstance(a, int) != isinstance(b, int):
            raise InvalidCondition(
                f"update paths conflict: {describe_path(first)} and {describe_path(second)} use "
                "the same attribute as a list and as a map"
            )
        return
    raise InvalidCondition(
        f"update paths overlap: {describe_path(first)} and {describe_path(second)}; DynamoDB "
        "rejects two actions on the same attribute or on an attribute and its parent"
    )


def _as_actions(actions: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(actions)


@attrs.frozen(repr=False)
class Update:
    """The actions of one UpdateExpression, combined with `&`. Paths may not overlap.

    `bool(update)` is False for an update with no actions.
    """

    actions: tuple[Action, ...] = attrs.field(converter=_as_actions, validator=_check_actions)

    def __and__(self, other: Update) -> Update:
        return combine(self, other)

    def __bool__(self) -> bool:
        return bool(self.actions)

    def __repr__(self) -> str:
        return f"<Update {describe(self)}>"


NO_CHANGES = Update(())


def combine(*updates: Update) -> Update:
    """Return one update with the actions of all, raising InvalidCondition on overlapping paths.

    >>> from bloopfp.paths import path
    >>> combine(remove(path("a")), remove(path("b")))
    <Update REMOVE a, b>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(combine(remove(path("a")), remove(path("b"))))
    'REMOVE #n0, #n1'
    """
    for update in updates:
        if not isinstance(update, Update):
            raise InvalidCondition(f"expected an update, not {update!r}")
    return Update(tuple(action for update in updates for action in update.actions))


# Targets and values.


@attrs.frozen
class _Target:
    """The path an action writes, its declared type (None when untyped) and a label."""

    path: Path
    type: Type | None
    label: str
    model: str | None = None
    column: str | None = None


def _target(operand: Any, keyword: str) -> _Target:
    from bloopfp.refs import ColumnRef

    if isinstance(operand, ColumnRef):
        if operand.is_key:
            raise InvalidCondition(
                f"{operand.label} is a key column, and DynamoDB cannot {keyword} key attributes; "
                "save a new record and delete the old one"
            )
        return _Target(
            operand.path,
            operand.value_type,
            operand.label,
            operand.model_name,
            operand.column_label,
        )
    if isinstance(operand, Path):
        return _Target(operand, None, describe_path(operand.segments))
    raise InvalidCondition(f"{keyword} takes a column or path, not {operand!r}")


def _reference(operand: Any) -> Path | None:
    """Return the path of a column reference or path, or None for anything else."""
    from bloopfp.refs import ColumnRef

    if isinstance(operand, ColumnRef):
        return operand.path
    if isinstance(operand, Path):
        return operand
    return None


def _value(operand: Any, target: _Target, value_type: Type | None = None) -> Value:
    """Validate and wrap a Python value for `target`, typed by `value_type` or the target."""
    return _typed_value(operand, target, value_type or target.type)


def _typed_value(operand: Any, target: _Target | str, value_type: Type | None) -> Value:
    """Validate and wrap a Python value, inferring its type when `value_type` is None."""
    if isinstance(operand, Value):
        return operand
    where = target if isinstance(target, _Target) else _Target(Path(("value",)), None, target)
    try:
        chosen = value_type or infer_type(operand)
        operand = hashable(operand, chosen)
        chosen.validate(operand)
        dumped = chosen.dump(operand)
    except InvalidValue as error:
        raise _in_target(error, where) from None
    if dumped is None:
        raise InvalidCondition(
            f"{where.label}: {operand!r} is stored as an absent attribute (an empty set, for "
            "example); use remove() to delete the attribute"
        )
    return Value(operand, chosen)


def _in_target(error: InvalidValue, target: _Target) -> InvalidValue:
    """Return the error naming the model and column (or the path) that the value is for."""
    if target.model is not None and target.column is not None:
        return error.in_column(target.model, target.column)
    return InvalidValue(
        error.reason, value=error.value, type_name=error.type_name, column=target.label
    )


def _stored_code(value: Value) -> str:
    dumped = value.type.dump(value.value)
    assert dumped is not None  # _value rejected values that dump to nothing
    return next(iter(dumped))


def _require_backing(target: _Target, backings: tuple[str, ...], keyword: str, kinds: str) -> None:
    """Raise InvalidCondition when a typed target is not stored as one of `backings`."""
    if target.type is None or target.type.backing in ("", *backings):
        return
    raise InvalidCondition(
        f"{keyword} applies to {kinds}, but {target.label} is {target.type.name} stored as "
        f"{target.type.backing}"
    )


# Builders of SET values.


def if_not_exists(target: Any, default: Any) -> IfNotExists:
    """`if_not_exists(path, default)`, a value for SET or for `+` and `-`.

    >>> from bloopfp.paths import path
    >>> if_not_exists(path("visits"), 0)
    <IfNotExists if_not_exists(visits, 0)>
    """
    resolved = _target(target, "SET")
    reference = _reference(default)
    return IfNotExists(resolved.path, reference or _value(default, resolved))


def list_append(first: Any, second: Any) -> ListAppend:
    """`list_append(first, second)`: lists, list paths, if_not_exists or list_append values.

    >>> from bloopfp.paths import path
    >>> list_append(path("log"), ["b"])
    <ListAppend list_append(log, ('b',))>
    """
    list_type = _list_type(first) or _list_type(second)
    return ListAppend(_list_term(first, list_type), _list_term(second, list_type))


def _list_type(operand: Any) -> Type | None:
    from bloopfp.refs import ColumnRef

    if isinstance(operand, ColumnRef) and operand.value_type is not None:
        return operand.value_type
    return None


def _list_term(operand: Any, list_type: Type | None, where: _Target | str = "list_append") -> Term:
    if isinstance(operand, IfNotExists | ListAppend | Value):
        return operand
    reference = _reference(operand)
    if reference is not None:
        target = _target(operand, "list_append")
        _require_backing(target, ("L",), "list_append", "lists")
        return reference
    if not isinstance(operand, list | tuple):
        raise InvalidCondition(f"list_append takes lists or list paths, not {operand!r}")
    # A tuple keeps the update hashable; both dump to the same L.
    return _typed_value(tuple(operand), where, list_type or DynamicList())


def plus(left: Any, right: Any) -> Arithmetic:
    """`left + right` on numbers, a value for SET.

    >>> from bloopfp.paths import path
    >>> plus(path("visits"), 1)
    <Arithmetic visits + 1>
    """
    return _arithmetic("+", left, right)


def minus(left: Any, right: Any) -> Arithmetic:
    """`left - right` on numbers, a value for SET.

    >>> from bloopfp.paths import path
    >>> minus(path("stock"), 2)
    <Arithmetic stock - 2>
    """
    return _arithmetic("-", left, right)


def _arithmetic(operator: str, left: Any, right: Any) -> Arithmetic:
    number_type = _number_type(left) or _number_type(right) or Number()
    return Arithmetic(
        operator,
        _number_term(left, operator, number_type),
        _number_term(right, operator, number_type),
    )


def _number_type(operand: Any) -> Type | None:
    from bloopfp.refs import ColumnRef

    is_number = isinstance(operand, ColumnRef) and operand.value_type is not None
    return operand.value_type if is_number and operand.value_type.backing == "N" else None


def _number_term(operand: Any, operator: str, number_type: Type) -> Path | Value | IfNotExists:
    if isinstance(operand, IfNotExists | Value):
        return operand
    if _reference(operand) is not None:
        target = _target(operand, "SET")
        _require_backing(target, ("N",), operator, "numbers")
        return target.path
    return _typed_value(operand, f"the {operator} operand", number_type)


# Builders of actions.


def set_(target: Any, value: Any, value_type: Type | None = None) -> Update:
    """`SET target = value`: a Python value, another path, or a value built by `plus`, `minus`,
    `if_not_exists` or `list_append`. Python values are dumped by `value_type`, else by the
    column's type.

    >>> from bloopfp.paths import path
    >>> set_(path("name"), "Ada")
    <Update SET name = 'Ada'>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(set_(path("name"), "Ada"))
    'SET #n0 = :v0'
    >>> set_(path("total"), plus(path("total"), path("delta")))
    <Update SET total = total + delta>
    >>> expression_of(set_(path("total"), plus(path("total"), path("delta"))))
    'SET #n0 = #n0 + #n1'
    """
    resolved = _target(target, "SET")
    if value is None:
        raise InvalidCondition(f"SET {resolved.label} = None: use remove() to delete an attribute")
    node: SetValue
    if isinstance(value, IfNotExists | ListAppend | Arithmetic):
        node = value
    else:
        node = _reference(value) or _value(value, resolved, value_type)
    return Update((SetAction(resolved.path, node),))


def remove(target: Any) -> Update:
    """`REMOVE target`: delete an attribute, a map key or a list element.

    >>> from bloopfp.paths import path
    >>> remove(path("history", 0))
    <Update REMOVE history[0]>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(remove(path("history", 0)))
    'REMOVE #n0[0]'
    """
    return Update((RemoveAction(_target(target, "REMOVE").path),))


def add(target: Any, value: Any) -> Update:
    """`ADD target value`: add to a number, or add elements to a set; creates it when absent.

    >>> from bloopfp.paths import path
    >>> add(path("tags"), {"new"})
    <Update ADD tags {'new'}>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(add(path("tags"), {"new"}))
    'ADD #n0 :v0'
    """
    resolved = _target(target, "ADD")
    _require_backing(resolved, ("N", "SS", "NS", "BS"), "ADD", "numbers and sets")
    node = _action_value(value, resolved, "ADD")
    if _stored_code(node) not in ("N", "SS", "NS", "BS"):
        raise InvalidCondition(f"ADD on {resolved.label} takes a number or a set, not {value!r}")
    return Update((AddAction(resolved.path, node),))


def delete(target: Any, values: Any) -> Update:
    """`DELETE target values`: remove elements from a set; the set is removed when emptied.

    >>> from bloopfp.paths import path
    >>> delete(path("tags"), {"old"})
    <Update DELETE tags {'old'}>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(delete(path("tags"), {"old"}))
    'DELETE #n0 :v0'
    """
    resolved = _target(target, "DELETE")
    _require_backing(resolved, ("SS", "NS", "BS"), "DELETE", "sets")
    node = _action_value(values, resolved, "DELETE")
    if _stored_code(node) not in ("SS", "NS", "BS"):
        raise InvalidCondition(f"DELETE on {resolved.label} takes a set, not {values!r}")
    return Update((DeleteAction(resolved.path, node),))


def _action_value(value: Any, target: _Target, keyword: str) -> Value:
    if _reference(value) is not None or isinstance(value, IfNotExists | ListAppend | Arithmetic):
        raise InvalidCondition(
            f"{keyword} on {target.label} takes a value, not {value!r}; DynamoDB reads no paths "
            f"in {keyword} actions"
        )
    return _value(value, target)


def increment(target: Any, amount: Any = 1) -> Update:
    """`ADD target amount` on a number, which starts from 0 when the attribute is absent.

    >>> from bloopfp.paths import path
    >>> increment(path("visits"), 2)
    <Update ADD visits 2>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(increment(path("visits"), 2))
    'ADD #n0 :v0'
    """
    resolved = _target(target, "ADD")
    _require_backing(resolved, ("N",), "increment", "numbers")
    return add(target, amount)


def decrement(target: Any, amount: Any = 1) -> Update:
    """`ADD target -amount` on a number, which starts from 0 when the attribute is absent.

    >>> from bloopfp.paths import path
    >>> decrement(path("stock"))
    <Update ADD stock -1>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(decrement(path("stock")))
    'ADD #n0 :v0'
    """
    if isinstance(amount, bool) or not isinstance(amount, int | float | decimal.Decimal):
        raise InvalidCondition(f"decrement takes a number, not {amount!r}")
    return increment(target, -amount)


def append(target: Any, values: Any) -> Update:
    """`SET target = list_append(target, values)`: add elements at the end of a list.

    >>> from bloopfp.paths import path
    >>> append(path("log"), ["b"])
    <Update SET log = list_append(log, ('b',))>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(append(path("log"), ["b"]))
    'SET #n0 = list_append(#n0, :v0)'
    """
    resolved = _list_target(target)
    appended = list_append(target, _list_term(values, resolved.type or DynamicList(), resolved))
    return Update((SetAction(resolved.path, appended),))


def prepend(target: Any, values: Any) -> Update:
    """`SET target = list_append(values, target)`: add elements at the start of a list.

    >>> from bloopfp.paths import path
    >>> prepend(path("log"), ["a"])
    <Update SET log = list_append(('a',), log)>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(prepend(path("log"), ["a"]))
    'SET #n0 = list_append(:v0, #n0)'
    """
    resolved = _list_target(target)
    prepended = list_append(_list_term(values, resolved.type or DynamicList(), resolved), target)
    return Update((SetAction(resolved.path, prepended),))


def append_or_create(target: Any, values: Any) -> Update:
    """Append to a list, starting from an empty list when the attribute is absent.

    >>> from bloopfp.paths import path
    >>> append_or_create(path("log"), ["b"])
    <Update SET log = list_append(if_not_exists(log, ()), ('b',))>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(append_or_create(path("log"), ["b"]))
    'SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)'
    """
    resolved = _list_target(target)
    list_type = resolved.type or DynamicList()
    empty = IfNotExists(resolved.path, _value((), resolved, list_type))
    appended = ListAppend(empty, _list_term(values, list_type, resolved))
    return Update((SetAction(resolved.path, appended),))


def _list_target(target: Any) -> _Target:
    resolved = _target(target, "SET")
    _require_backing(resolved, ("L",), "list_append", "lists")
    return resolved


def set_if_not_exists(target: Any, value: Any) -> Update:
    """`SET target = if_not_exists(target, value)`: write the value only when it is absent.

    >>> from bloopfp.paths import path
    >>> set_if_not_exists(path("created"), 1700000000)
    <Update SET created = if_not_exists(created, 1700000000)>
    >>> from bloopfp.compiler.expressions import expression_of
    >>> expression_of(set_if_not_exists(path("created"), 1700000000))
    'SET #n0 = if_not_exists(#n0, :v0)'
    """
    default = if_not_exists(target, value)
    return Update((SetAction(default.path, default),))


# Records.


def assign(col: Column, value: Any, model_name: str) -> Update:
    """Set a column to a value, or remove it when the value is None or dumps to nothing."""
    validate_value(model_name, col, value)
    target = Path((col.key_name,))
    if value is None or col.type.dump(value) is None:
        return remove(target)
    return Update((SetAction(target, Value(value, col.type)),))


def diff(old: Any, new: Any) -> Update:
    """Return the update that turns the stored `old` record into `new`.

    Changed columns are SET, columns that became None (or an empty set) are REMOVEd, and columns
    that store the same AttributeValue in both records are left out, so a list and a tuple with
    equal elements send nothing. Both records must be of the same model and have the same key.

    When nothing changed, the update has no actions (`bool(update)` is False), so an UpdateItem
    built from it has no UpdateExpression. The engine then sends no request at all, unless a
    condition was given, in which case it sends the UpdateItem without an UpdateExpression so
    that DynamoDB still checks the condition.
    """
    spec = spec_of(new)
    if type(old) is not type(new):
        raise InvalidCondition(
            "diff needs two records of one model, got "
            f"{type(old).__name__} and {type(new).__name__}"
        )
    for key in spec.keys:
        if getattr(old, key.name) != getattr(new, key.name):
            raise InvalidCondition(
                f"{spec.name}.{key.name} differs between the old and new record; key columns "
                "cannot be updated, so save the new record and delete the old one"
            )
    actions: list[Action] = []
    for col in spec.columns:
        if col.is_key:
            continue
        before, after = getattr(old, col.name), getattr(new, col.name)
        if _stored_form(col, before) == _stored_form(col, after):
            continue
        actions.extend(assign(col, after, spec.name).actions)
    return Update(tuple(actions))


def _stored_form(col: Column, value: Any) -> AttributeValue | None:
    """Return the AttributeValue a column value is stored as, or None when it is absent."""
    if value is None:
        return None
    return col.type.dump(value)


# Version columns for optimistic concurrency.


def version_column(model: Any) -> Column | None:
    """Return the model's version column (declared with `column(..., version=True)`), if any."""
    return next((c for c in spec_of(model).columns if c.version), None)


def _require_version_column(record: Any) -> Column:
    col = version_column(record)
    if col is None:
        name = spec_of(record).name
        raise InvalidModel(
            name, "has no version column; declare one with column(Integer, version=True)"
        )
    return col


def version_guard(record: Any) -> tuple[Condition, Update]:
    """Return the condition and update that advance the version of `record` as last loaded.

    The condition requires that the stored version still equals the record's, or that none is stored
    when the record's version is None (a first save). The update sets the stored version to the
    next one. `next_version(record)` returns the record holding that version.

    >>> from bloopfp.models import model, column
    >>> from bloopfp.types import Integer, String
    >>> @model(table_name="documents")
    ... class Document:
    ...     id: str = column(String, hash_key=True)
    ...     version: int | None = column(Integer, version=True)
    >>> version_guard(Document(id="a", version=3))
    (<Condition version = 3>, <Update SET version = version + 1>)
    >>> version_guard(Document(id="a"))
    (<Condition attribute_not_exists(version)>, <Update SET version = 1>)
    """
    col = _require_version_column(record)
    target = Path((col.key_name,))
    current = getattr(record, col.name)
    if current is None:
        first = Update((SetAction(target, Value(1, col.type)),))
        return attribute_not_exists(target), first
    condition = Comparison("=", target, Value(current, col.type))
    advance = Arithmetic("+", target, Value(1, col.type))
    return condition, Update((SetAction(target, advance),))


def next_version(record: Any) -> Any:
    """Return `record` with its version column advanced by one (or set to 1 when None)."""
    col = _require_version_column(record)
    current = getattr(record, col.name)
    return attrs.evolve(record, **{col.name: 1 if current is None else current + 1})


# Readable text for reprs and messages. Values appear inline here and only here, never in requests.


def describe(update: Update) -> str:
    """Return a readable form of an update with names and values inline (never sent)."""
    parts = []
    for keyword, kind in KEYWORDS:
        actions = [a for a in update.actions if isinstance(a, kind)]
        if actions:
            parts.append(keyword + " " + ", ".join(_describe_action(a) for a in actions))
    return " ".join(parts) or "(no actions)"


def _describe_action(action: Action) -> str:
    target = describe_path(action.path.segments)
    if isinstance(action, SetAction):
        return f"{target} = {_text(action.value)}"
    if isinstance(action, RemoveAction):
        return target
    return f"{target} {_text(action.value)}"


def _text(node: SetValue) -> str:
    if isinstance(node, Path):
        return describe_path(node.segments)
    if isinstance(node, Value):
        return _value_text(node.value)
    if isinstance(node, IfNotExists):
        return f"if_not_exists({_text(node.path)}, {_text(node.default)})"
    if isinstance(node, ListAppend):
        return f"list_append({_text(node.first)}, {_text(node.second)})"
    return f"{_text(node.left)} {node.operator} {_text(node.right)}"


def _value_text(value: Any) -> str:
    if isinstance(value, AbstractSet):
        return "{" + ", ".join(sorted(repr(element) for element in value)) + "}"
    return repr(value)
