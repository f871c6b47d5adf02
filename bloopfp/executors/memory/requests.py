"""Helpers shared by the operation handlers: expressions of a request and ReturnValues checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.errors import invalid
from bloopfp.executors.memory.nodes import Condition, Path
from bloopfp.executors.memory.parser import parse_condition, parse_projection
from bloopfp.executors.memory.placeholders import Placeholders


def optional_condition(
    params: Mapping[str, Any], parameter: str, placeholders: Placeholders
) -> Condition | None:
    """Parse the condition in `params[parameter]`, or return None when the request has none."""
    expression = params.get(parameter)
    if expression is None:
        return None
    return parse_condition(expression, parameter, placeholders)


def optional_projection(
    params: Mapping[str, Any], placeholders: Placeholders
) -> tuple[Path, ...] | None:
    """Parse the request's ProjectionExpression, or return None when it has none."""
    expression = params.get("ProjectionExpression")
    if expression is None:
        return None
    return parse_projection(expression, placeholders)


def check_return_values(params: Mapping[str, Any], allowed: tuple[str, ...]) -> str:
    """Return the request's ReturnValues, rejecting a value the operation does not accept."""
    return_values = str(params.get("ReturnValues", "NONE"))
    if return_values not in allowed:
        raise invalid("Return values set to invalid value")
    return return_values


def paths_in(condition: Condition | None) -> list[Path]:
    """Return every document path that appears in a condition."""
    if condition is None:
        return []
    found: list[Path] = []
    _collect(condition, found)
    return found


def _collect(node: Any, found: list[Path]) -> None:
    if isinstance(node, Path):
        found.append(node)
        return
    for name in getattr(node, "__slots__", ()):
        child = getattr(node, name)
        if isinstance(child, tuple):
            for element in child:
                _collect(element, found)
        elif not isinstance(child, str | dict):
            _collect(child, found)
