"""Validation of request parameters against botocore's DynamoDB service model.

botocore's ParamValidator checks member names, types and minimum sizes. DynamoDB also checks
enum values and maximum sizes on the server, so `validate_request` checks those too.

Both checks walk the request with general code that is slow for large items, so each shape is
first compiled once into a predicate (`accepts`) that makes every one of those checks. A request
that the predicate accepts is valid. Any other request goes through ParamValidator and the
constraint checks, which build the error report.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import botocore.session
from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StringShape,
    StructureShape,
)
from botocore.utils import is_json_value_header
from botocore.validate import ParamValidator

from bloopfp.executors.memory.errors import invalid


@functools.cache
def service_model() -> ServiceModel:
    """Load botocore's DynamoDB service model once per process."""
    return botocore.session.get_session().get_service_model("dynamodb")


@functools.cache
def operation_model(operation: str) -> OperationModel | None:
    """Return the model of `operation`, or None when DynamoDB has no operation of that name."""
    model = service_model()
    if operation not in model.operation_names:
        return None
    return model.operation_model(operation)


def validate_request(operation: OperationModel, params: Mapping[str, Any]) -> None:
    """Raise a ValidationException when `params` do not fit the operation's input shape."""
    shape = operation.input_shape
    assert shape is not None, f"{operation.name} has no input shape"
    if accepts(shape)(params):
        return
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        raise invalid(report.generate_report())

    problems: list[str] = []
    _check_constraints(shape, params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise invalid(f"{count} validation {noun} detected: " + "; ".join(problems))


def _check_constraints(shape: Shape, value: Any, where: str, problems: list[str]) -> None:
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        for name, member_value in value.items():
            member = shape.members[name]
            _check_constraints(member, member_value, _join(where, name), problems)
    elif isinstance(shape, ListShape) and isinstance(value, list | tuple):
        _check_length(shape, value, where, problems)
        for index, element in enumerate(value):
            _check_constraints(shape.member, element, f"{where}.{index + 1}.member", problems)
    elif isinstance(shape, MapShape) and isinstance(value, Mapping):
        _check_length(shape, value, where, problems)
        for key, element in value.items():
            _check_constraints(shape.value, element, f"{where}.{key}", problems)
    elif isinstance(shape, StringShape) and isinstance(value, str):
        enum = shape.enum
        if enum and value not in enum:
            allowed = ", ".join(enum)
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{allowed}]"
            )
        _check_length(shape, value, where, problems)
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        maximum = shape.metadata.get("max")
        if maximum is not None and value > maximum:
            problems.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {maximum}"
            )


def _check_length(shape: Shape, value: Any, where: str, problems: list[str]) -> None:
    maximum = shape.metadata.get("max")
    if maximum is not None and len(value) > maximum:
        problems.append(
            f"Value at '{where}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {maximum}"
        )


def _join(where: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{where}.{member}" if where else member


Predicate = Callable[[Any], bool]

# Compiled predicates by shape name. Shape names are unique within one service model.
_PREDICATES: dict[str, Predicate] = {}
_FLOAT_TYPES = (float, Decimal, int)


def accepts(shape: Shape) -> Predicate:
    """Return a predicate that is true only for values that pass every check of this module.

    A false result means only that the slow path must run: it may still find nothing wrong, as
    for a timestamp given as a string.
    """
    predicate = _PREDICATES.get(shape.name)
    if predicate is None:
        name = shape.name
        # A recursive shape (AttributeValue contains maps of AttributeValue) finds this
        # placeholder while it is compiled, and the placeholder calls the finished predicate.
        _PREDICATES[name] = lambda value: _PREDICATES[name](value)
        predicate = _compile(shape)
        _PREDICATES[name] = predicate
    return predicate


def _compile(shape: Shape) -> Predicate:
    type_name = shape.type_name
    if type_name == "structure" and isinstance(shape, StructureShape):
        return _compile_structure(shape)
    if type_name == "list" and isinstance(shape, ListShape):
        return _compile_list(shape)
    if type_name == "map" and isinstance(shape, MapShape):
        return _compile_map(shape)
    if type_name == "string" and not is_json_value_header(shape):
        return _compile_string(shape)
    if type_name in ("integer", "long"):
        return _compile_number(shape, int, shape.metadata.get("max"))
    if type_name in ("float", "double"):
        return _compile_number(shape, _FLOAT_TYPES, None)
    if type_name == "boolean":
        return lambda value: isinstance(value, bool)
    if type_name == "blob":
        return lambda value: isinstance(value, bytes | bytearray | str) or hasattr(value, "read")
    if type_name == "timestamp":
        return lambda value: isinstance(value, datetime)
    return lambda value: False


def _compile_structure(shape: StructureShape) -> Predicate:
    if shape.is_document_type:
        return lambda value: False
    members = {name: accepts(member) for name, member in shape.members.items()}
    required = tuple(shape.metadata.get("required", ()))
    union = shape.is_tagged_union

    def accept(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        if union and len(value) != 1:
            return False
        for name in required:
            if name not in value:
                return False
        for name, member_value in value.items():
            member = members.get(name)
            if member is None or not member(member_value):
                return False
        return True

    return accept


def _compile_list(shape: ListShape) -> Predicate:
    member = accepts(shape.member)
    low, high = _minimum(shape), shape.metadata.get("max")

    def accept(value: Any) -> bool:
        if not isinstance(value, list | tuple):
            return False
        if not _within(len(value), low, high):
            return False
        return all(member(element) for element in value)

    return accept


def _compile_map(shape: MapShape) -> Predicate:
    key, member = accepts(shape.key), accepts(shape.value)
    high = shape.metadata.get("max")

    def accept(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        if high is not None and len(value) > high:
            return False
        return all(key(name) and member(element) for name, element in value.items())

    return accept


def _compile_string(shape: Shape) -> Predicate:
    low, high = _minimum(shape), shape.metadata.get("max")
    enum = frozenset(getattr(shape, "enum", None) or ())

    def accept(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if enum and value not in enum:
            return False
        return _within(len(value), low, high)

    return accept


def _compile_number(shape: Shape, types: type | tuple[type, ...], high: Any) -> Predicate:
    low = _minimum(shape)

    def accept(value: Any) -> bool:
        return isinstance(value, types) and _within(value, low, high)

    return accept


def _minimum(shape: Shape) -> Any:
    """Return the minimum that botocore's range_check applies to a shape, or None."""
    if "min" in shape.metadata:
        return shape.metadata["min"]
    if shape.serialization.get("hostLabel"):
        return 1
    return None


def _within(value: Any, low: Any, high: Any) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)
