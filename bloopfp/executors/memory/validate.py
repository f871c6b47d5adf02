"""Validation of request parameters against botocore's DynamoDB service model.

botocore's ParamValidator checks member names, types and minimum sizes. DynamoDB also checks
enum values and maximum sizes on the server, so `validate_request` checks those too.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
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
from botocore.validate import ParamValidator

from bloopfp.executors.memory.errors import invalid


@functools.cache
def service_model() -> ServiceModel:
    """Load botocore's DynamoDB service model once per process."""
    return botocore.session.get_session().get_service_model("dynamodb")


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
