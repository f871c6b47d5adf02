"""bloopfp: DynamoDB modeling with immutable values, a pure compiler and one executor for IO.

Models are frozen attrs records, and conditions, updates and operations are values. `compile` turns
an operation into the exact low-level boto3 request, and an `Engine` runs operations through an
executor.
"""

from bloopfp import errors, operations, types
from bloopfp.compiler import Request
from bloopfp.compiler import compile_operation as compile
from bloopfp.compiler.expressions import expression_of
from bloopfp.conditions import (
    EMPTY,
    Condition,
    and_,
    attribute_exists,
    attribute_not_exists,
    attribute_type,
    begins_with,
    between,
    contains,
    eq,
    exists,
    ge,
    gt,
    in_,
    le,
    lt,
    ne,
    not_,
    not_exists,
    or_,
    size,
)
from bloopfp.engine import Engine, Results
from bloopfp.models import GlobalSecondaryIndex, LocalSecondaryIndex, column, model
from bloopfp.paths import Path, path
from bloopfp.runtime import RetryPolicy
from bloopfp.updates import Update, diff

__all__ = [
    "EMPTY",
    "Condition",
    "Engine",
    "GlobalSecondaryIndex",
    "LocalSecondaryIndex",
    "Path",
    "Request",
    "Results",
    "RetryPolicy",
    "Update",
    "and_",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "between",
    "column",
    "compile",
    "contains",
    "diff",
    "eq",
    "errors",
    "exists",
    "expression_of",
    "ge",
    "gt",
    "in_",
    "le",
    "lt",
    "model",
    "ne",
    "not_",
    "not_exists",
    "operations",
    "or_",
    "path",
    "size",
    "types",
]
