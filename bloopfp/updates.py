"""Updates as immutable values: the actions of one UpdateExpression.

>>> from bloopfp.paths import path
>>> from bloopfp.types import String
>>> update = set_(path("name"), "Ada", String()) & remove(path("nickname"))
>>> update
<Update SET name = 'Ada' REMOVE nickname>
"""

from __future__ import annotations

from typing import Any

import attrs

from bloopfp.errors import InvalidCondition
from bloopfp.models import Column, spec_of, validate_value
from bloopfp.paths import Operand, Path, Value, describe_path
from bloopfp.types import Type


@attrs.frozen(repr=False)
class SetAction:
    """`SET path = value`."""

    path: Path
    value: Operand


@attrs.frozen(repr=False)
class RemoveAction:
    """`REMOVE path`."""

    path: Path


Action = SetAction | RemoveAction


def _check_actions(_: Any, __: Any, actions: tuple[Action, ...]) -> None:
    paths = [action.path.segments for action in actions]
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter = min(len(first), len(second))
            if first[:shorter] == second[:shorter]:
                raise InvalidCondition(
                    f"update paths overlap: {describe_path(first)} and {describe_path(second)}; "
                    "DynamoDB rejects two actions on the same attribute or on an attribute and "
                    "its parent"
                )


@attrs.frozen(repr=False)
class Update:
    """The actions of one UpdateExpression, combined with `&`. Paths may not overlap."""

    actions: tuple[Action, ...] = attrs.field(converter=tuple, validator=_check_actions)

    def __and__(self, other: Update) -> Update:
        return combine(self, other)

    def __bool__(self) -> bool:
        return bool(self.actions)

    def __repr__(self) -> str:
        return f"<Update {describe(self)}>"


def combine(*updates: Update) -> Update:
    """Return one update with the actions of all, raising InvalidCondition on overlapping paths."""
    return Update(tuple(action for update in updates for action in update.actions))


def set_(target: Path, value: Any, value_type: Type) -> Update:
    """`SET target = value`, with the value dumped by `value_type`."""
    return Update((SetAction(target, Value(value, value_type)),))


def remove(target: Path) -> Update:
    """`REMOVE target`."""
    return Update((RemoveAction(target),))


def assign(col: Column, value: Any, model_name: str) -> Update:
    """Set a column to a value, or remove it when the value is None or dumps to nothing."""
    validate_value(model_name, col, value)
    target = Path((col.key_name,))
    if value is None or col.type.dump(value) is None:
        return remove(target)
    return set_(target, value, col.type)


def diff(old: Any, new: Any) -> Update:
    """Return the update that turns the stored `old` record into `new`.

    Changed columns are SET, columns that became None are REMOVEd, and equal columns are left out.
    Both records must be of the same model and have the same key.
    """
    spec = spec_of(new)
    if type(old) is not type(new):
        raise InvalidCondition(
            f"diff needs two records of one model, got {type(old).__name__} and {type(new).__name__}"
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
        if before == after and type(before) is type(after):
            continue
        actions.extend(assign(col, after, spec.name).actions)
    return Update(tuple(actions))


def describe(update: Update) -> str:
    """Return a readable form of an update with names and values inline (never sent)."""
    sets = [a for a in update.actions if isinstance(a, SetAction)]
    removes = [a for a in update.actions if isinstance(a, RemoveAction)]
    parts = []
    if sets:
        parts.append("SET " + ", ".join(f"{_text(a.path)} = {_text(a.value)}" for a in sets))
    if removes:
        parts.append("REMOVE " + ", ".join(_text(a.path) for a in removes))
    return " ".join(parts) or "(no actions)"


def _text(operand: Operand) -> str:
    if isinstance(operand, Path):
        return describe_path(operand.segments)
    if isinstance(operand, Value):
        return repr(operand.value)
    return f"size({describe_path(operand.path.segments)})"
