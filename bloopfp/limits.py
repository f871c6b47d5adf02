"""DynamoDB's documented limits on expressions, checked before a request is sent.

The figures come from "Service, account, and table quotas in Amazon DynamoDB", section
"Expression parameters" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
ServiceQuotas.html), which also states that DynamoDB sizes use binary units (1 KB = 1024 bytes).
Value sizes follow "DynamoDB item sizes and formats" (https://docs.aws.amazon.com/amazondynamodb/
latest/developerguide/CapacityUnitCalculations.html).

This module works on plain data (strings, counts and AttributeValue dicts), so the value builders
and the compiler can both import it.

>>> check_expression_length("ConditionExpression", "#n0 = :v0")
>>> attribute_value_size({"S": "héllo"})
6
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

from bloopfp.errors import InvalidCondition, InvalidRequest

# "The maximum length of any expression string is 4 KB."
MAX_EXPRESSION_BYTES = 4 * 1024

# "The maximum number of operands for the IN comparator is 100."
MAX_IN_OPERANDS = 100

# "The maximum length of all substitution variables in an expression is 2 MB. This is the sum of
# the lengths of all ExpressionAttributeNames and ExpressionAttributeValues."
MAX_SUBSTITUTION_BYTES = 2 * 1024 * 1024

# "The maximum number of operators or functions allowed in an UpdateExpression is 300." The
# current page reads "in a single expression", so bloopfp applies it to every expression.
MAX_OPERATORS = 300

# "The maximum length of any single expression attribute name or expression attribute value is
# 255 bytes", meaning the placeholder itself, such as `#name` (5 bytes).
MAX_PLACEHOLDER_BYTES = 255


def check_expression_length(parameter: str, expression: str) -> None:
    """Raise InvalidRequest when an expression string is longer than 4 KB of UTF-8."""
    size = len(expression.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        raise InvalidRequest(
            f"{parameter} is {size} bytes long, but DynamoDB accepts at most "
            f"{MAX_EXPRESSION_BYTES} bytes (4 KB); split the condition or update into several "
            "requests"
        )


def check_operator_count(parameter: str, count: int) -> None:
    """Raise InvalidCondition when an expression contains more than 300 operators and functions."""
    if count > MAX_OPERATORS:
        raise InvalidCondition(
            f"{parameter} uses {count} operators and functions, but DynamoDB accepts at most "
            f"{MAX_OPERATORS} in one expression; split it into several requests"
        )


def check_in_operands(label: str, count: int) -> None:
    """Raise InvalidCondition unless an IN list has 1 to 100 operands."""
    if not 1 <= count <= MAX_IN_OPERANDS:
        raise InvalidCondition(f"IN on {label} takes 1 to {MAX_IN_OPERANDS} values, got {count}")


def check_substitutions(names: Mapping[str, str], values: Mapping[str, Any]) -> None:
    """Raise InvalidRequest when placeholders and their substitutions exceed 2 MB in total.

    A name counts its placeholder and the UTF-8 bytes of the name. A value counts its placeholder
    and its size by the item size rules, which DynamoDB documents as approximate for numbers.
    """
    for placeholder in (*names, *values):
        if len(placeholder.encode("utf-8")) > MAX_PLACEHOLDER_BYTES:
            raise InvalidRequest(
                f"placeholder {placeholder[:20]!r}... is longer than {MAX_PLACEHOLDER_BYTES} bytes"
            )
    total = sum(len(p.encode("utf-8")) + len(n.encode("utf-8")) for p, n in names.items())
    total += sum(len(p.encode("utf-8")) + attribute_value_size(v) for p, v in values.items())
    if total > MAX_SUBSTITUTION_BYTES:
        raise InvalidRequest(
            f"ExpressionAttributeNames and ExpressionAttributeValues total about {total} bytes, "
            f"but DynamoDB accepts at most {MAX_SUBSTITUTION_BYTES} bytes (2 MB) in one request; "
            "send fewer or smaller values"
        )


def attribute_value_size(value: Mapping[str, Any]) -> int:
    """Return the size in bytes of one AttributeValue by DynamoDB's item size rules."""
    [(code, stored)] = value.items()
    if code == "S":
        return len(stored.encode("utf-8"))
    if code == "B":
        return len(stored)
    if code == "N":
        return number_size(stored)
    if code in ("BOOL", "NULL"):
        return 1
    if code == "SS":
        return sum(len(element.encode("utf-8")) for element in stored)
    if code == "BS":
        return sum(len(element) for element in stored)
    if code == "NS":
        return sum(number_size(element) for element in stored)
    if code == "L":
        # 3 bytes for the list and 1 byte for each element.
        return 3 + sum(1 + attribute_value_size(element) for element in stored)
    if code == "M":
        return 3 + sum(
            1 + len(key.encode("utf-8")) + attribute_value_size(element)
            for key, element in stored.items()
        )
    raise InvalidRequest(f"unknown AttributeValue type {code!r}")


def number_size(text: str) -> int:
    """Return the approximate size of a number: 1 byte per two significant digits, plus 1 byte."""
    digits = "".join(str(d) for d in decimal.Decimal(text).as_tuple().digits).strip("0")
    return (len(digits) + 1) // 2 + 1
