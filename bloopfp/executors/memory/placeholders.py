"""The ExpressionAttributeNames and ExpressionAttributeValues of one request, and their use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.errors import RequestRejected, invalid
from bloopfp.executors.memory.values import AttributeValue, check_value

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")


class Placeholders:
    """Resolves placeholders for every expression of a request and records which were used.

    DynamoDB rejects a request that defines a placeholder none of its expressions use, so the
    handler calls `check_all_used` after parsing all of them.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        names = params.get("ExpressionAttributeNames")
        values = params.get("ExpressionAttributeValues")
        if names is not None and not names:
            raise invalid("ExpressionAttributeNames must not be empty")
        if values is not None and not values:
            raise invalid("ExpressionAttributeValues must not be empty")
        self.names: dict[str, str] = dict(names or {})
        self.values: dict[str, AttributeValue] = _check_values(values or {})
        for key in self.names:
            if not _NAME_KEY.fullmatch(key):
                raise invalid(
                    f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                )
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def name(self, placeholder: str, label: str) -> str:
        """Return the attribute name behind `placeholder`, marking it used."""
        if placeholder not in self.names:
            raise invalid(
                f"Invalid {label}: An expression attribute name used in the document path is not "
                f"defined; attribute name: {placeholder}"
            )
        self.used_names.add(placeholder)
        return self.names[placeholder]

    def value(self, placeholder: str, label: str) -> AttributeValue:
        """Return the AttributeValue behind `placeholder`, marking it used."""
        if placeholder not in self.values:
            raise invalid(
                f"Invalid {label}: An expression attribute value used in expression is not "
                f"defined; attribute value: {placeholder}"
            )
        self.used_values.add(placeholder)
        return self.values[placeholder]

    def check_all_used(self) -> None:
        """Raise a ValidationException naming the placeholders that no expression used."""
        unused_names = [key for key in self.names if key not in self.used_names]
        if unused_names:
            keys = ", ".join(unused_names)
            message = "Value provided in ExpressionAttributeNames unused in expressions"
            raise invalid(f"{message}: keys: {{{keys}}}")
        unused_values = [key for key in self.values if key not in self.used_values]
        if unused_values:
            keys = ", ".join(unused_values)
            message = "Value provided in ExpressionAttributeValues unused in expressions"
            raise invalid(f"{message}: keys: {{{keys}}}")


def _check_values(values: Mapping[str, Any]) -> dict[str, AttributeValue]:
    checked: dict[str, AttributeValue] = {}
    for key, value in values.items():
        if not _VALUE_KEY.fullmatch(key):
            raise invalid(
                f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
            )
        try:
            checked[key] = check_value(value)
        except RequestRejected as error:
            raise invalid(
                f"ExpressionAttributeValues contains invalid value: {error.message} for key {key}"
            ) from None
    return checked
