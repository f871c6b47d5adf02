"""Operations as immutable values: one DynamoDB request each, before compilation.

Builders check their input against the model, so that a bad key, column or condition raises a
bloopfp error before any request exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from bloopfp.conditions import (
    EMPTY,
    Always,
    And,
    Between,
    Comparison,
    Condition,
    Function,
    and_,
    condition_paths,
)
from bloopfp.errors import InvalidCondition, InvalidRequest, MissingKey, UnknownColumn
from bloopfp.items import dump_item
from bloopfp.models import (
    Column,
    GlobalSecondaryIndex,
    Index,
    LocalSecondaryIndex,
    ModelSpec,
    normalize_value,
    require_concrete,
    spec_of,
    validate_value,
)
from bloopfp.paths import Path, Value
from bloopfp.updates import Update, diff, next_version, version_column, version_guard

ReturnValues = Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
Select = Literal["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"]
KEY_OPERATORS = ("=", "<", "<=", ">", ">=")


@attrs.frozen
class Key:
    """The key of one item: the model and its key column values, hash key first."""

    model: Any = attrs.field(repr=False)
    values: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)


def key(model_cls: Any, values: Mapping[str, Any]) -> Key:
    """Build a validated key from Python column names, raising before any request is sent."""
    spec = require_concrete(model_cls)
    known = {c.name for c in spec.keys}
    for name in values:
        if name not in known:
            if name in {c.name for c in spec.columns}:
                raise InvalidRequest(
                    f"{spec.name}.{name} is not a key column; a key has {', '.join(sorted(known))}"
                )
            raise UnknownColumn(spec.name, name, tuple(c.name for c in spec.columns))
    pairs = []
    for col in spec.keys:
        if col.name not in values:
            raise MissingKey(spec.name, col.name, "missing key column; pass it as a keyword")
        value = normalize_value(col, values[col.name])
        validate_value(spec.name, col, value)
        pairs.append((col.name, value))
    pairs.sort(key=lambda pair: 0 if spec.column(pair[0]).hash_key else 1)
    return Key(model=model_cls, values=tuple(pairs))


def key_of_record(record: Any) -> Key:
    spec = spec_of(record)
    return key(type(record), {c.name: getattr(record, c.name) for c in spec.keys})


# Tables.


@attrs.frozen
class CreateTable:
    model: Any


@attrs.frozen
class DescribeTable:
    model: Any


@attrs.frozen
class DeleteTable:
    model: Any


@attrs.frozen
class UpdateTimeToLive:
    model: Any


@attrs.frozen
class UpdateContinuousBackups:
    model: Any


@attrs.frozen
class DescribeTimeToLive:
    model: Any


@attrs.frozen
class DescribeContinuousBackups:
    model: Any


# Items.


@attrs.frozen
class PutItem:
    record: Any
    condition: Condition = EMPTY
    return_values: ReturnValues = "NONE"
    return_old_on_failure: bool = False


@attrs.frozen
class GetItem:
    key: Key
    consistent: bool = False
    projection: tuple[Path, ...] | None = None


@attrs.frozen
class DeleteItem:
    key: Key
    condition: Condition = EMPTY
    return_values: ReturnValues = "NONE"
    return_old_on_failure: bool = False


@attrs.frozen
class UpdateItem:
    key: Key
    update: Update
    condition: Condition = EMPTY
    return_values: ReturnValues = "NONE"
    return_old_on_failure: bool = False


@attrs.frozen
class Save:
    """The write that saves a record (None when there is nothing to send) and the saved record.

    `record` differs from the record passed to `save_item` only in its version column.
    """

    operation: PutItem | UpdateItem | None
    record: Any


def save_item(record: Any, *, old: Any = None, condition: Condition = EMPTY) -> Save:
    """Build the write that saves `record`, with optimistic locking when the model has a version.

    Without `old` the write is a PutItem of the whole record. With `old`, the record as last
    loaded, it is an UpdateItem of the columns that differ (see `updates.diff`), and None when
    nothing differs and there is no condition (the version is then left as it is).

    For a model with a version column, the write also requires that the stored version is still
    the one loaded (or that none is stored, for a record whose version is None) and advances it
    by one. A failed check raises ConditionFailed when the write is sent. The returned record
    carries the new version.
    """
    version = version_column(record)
    if old is None:
        if version is None:
            return Save(PutItem(record, condition=condition), record)
        guard, _ = version_guard(record)
        saved = next_version(record)
        return Save(PutItem(saved, condition=and_(guard, condition)), saved)

    # The update sends only the difference, but the stored item becomes the whole record,
    # so the record must still fit DynamoDB's item size limit.
    dump_item(record)
    update = diff(old, record)
    key = key_of_record(record)
    if not update.actions and isinstance(condition, Always):
        return Save(None, record)
    if version is None:
        return Save(UpdateItem(key, update, condition=condition), record)

    if getattr(old, version.name) != getattr(record, version.name):
        raise InvalidCondition(
            f"{spec_of(record).name}.{version.name} differs between the old and new record; "
            "the version column is advanced by save, so leave it as loaded"
        )
    guard, advance = version_guard(old)
    operation = UpdateItem(key, update & advance, condition=and_(guard, condition))
    return Save(operation, next_version(record))


# Reads of many items.


@attrs.frozen
class KeyCondition:
    """A key condition: equality on the hash key and at most one range key comparison.

    Build one with `key_condition(target, condition)`, which rejects anything DynamoDB rejects.
    """

    hash_condition: Comparison
    range_condition: Condition | None = None

    def as_condition(self) -> Condition:
        if self.range_condition is None:
            return self.hash_condition
        return And((self.hash_condition, self.range_condition))


def target_parts(target: Any) -> tuple[ModelSpec, Index | None]:
    """Return the model spec and index (or None for the table) of a query or scan target."""
    if isinstance(target, GlobalSecondaryIndex | LocalSecondaryIndex):
        if target.model is None:
            raise InvalidRequest(f"index {target.name!r} is not bound to a model")
        return require_concrete(target.model), target
    return require_concrete(target), None


def key_columns(spec: ModelSpec, index: Index | None) -> tuple[Column, Column | None]:
    """Return the hash key and range key columns of the table or of an index."""
    if index is None:
        return spec.hash_key, spec.range_key
    range_name = index.range_key
    hash_column = spec.column(index.hash_key)
    return hash_column, spec.column(range_name) if range_name else None


def key_condition(target: Any, condition: Condition) -> KeyCondition:
    """Split a condition into hash and range parts, raising InvalidCondition for anything else."""
    spec, index = target_parts(target)
    hash_column, range_column = key_columns(spec, index)
    where = f"{spec.name}" + (f" index {index.name!r}" if index else " table")
    parts = condition.conditions if isinstance(condition, And) else (condition,)
    hash_part: Comparison | None = None
    range_part: Condition | None = None
    for part in parts:
        name = _key_path_name(part, where)
        if name == hash_column.key_name and isinstance(part, Comparison) and part.operator == "=":
            if hash_part is not None:
                raise InvalidCondition(f"key condition on {where} compares the hash key twice")
            _check_key_values(part, hash_column, where)
            hash_part = part
        elif range_column is not None and name == range_column.key_name:
            _check_range_part(part, where)
            _check_key_values(part, range_column, where)
            if range_part is not None:
                raise InvalidCondition(
                    f"key condition on {where} has more than one range key condition"
                )
            range_part = part
        else:
            raise InvalidCondition(
                f"key condition on {where} can only test the hash key {hash_column.name!r} with =="
                + (f" and the range key {range_column.name!r}" if range_column else "")
                + f"; move the condition on {name!r} into filter="
            )
    if hash_part is None:
        raise InvalidCondition(
            f"key condition on {where} needs the hash key: {hash_column.name} == value"
        )
    return KeyCondition(hash_part, range_part)


def _key_path_name(part: Condition, where: str) -> str:
    subject: Any = None
    if isinstance(part, Comparison):
        subject = part.left
    elif isinstance(part, Between):
        subject = part.operand
    elif isinstance(part, Function):
        subject = part.path
    if not isinstance(subject, Path) or len(subject.segments) != 1:
        raise InvalidCondition(
            f"key condition on {where} supports only AND of key comparisons, not {part!r}"
        )
    return str(subject.segments[0])


def _check_key_values(part: Condition, key_column: Column, where: str) -> None:
    """Require values (not paths) of the key column's stored type on the right of a key test."""
    operands: tuple[Any, ...] = ()
    if isinstance(part, Comparison):
        operands = (part.right,)
    elif isinstance(part, Between):
        operands = (part.low, part.high)
    elif isinstance(part, Function):
        operands = (part.argument,)
        if key_column.type.backing not in ("S", "B"):
            raise InvalidCondition(
                f"begins_with in the key condition on {where} needs a string or binary range "
                f"key, but {key_column.name!r} is stored as {key_column.type.backing}"
            )
    for operand in operands:
        if not isinstance(operand, Value):
            raise InvalidCondition(
                f"key condition on {where} compares {key_column.name!r} with {operand!r}; "
                "key conditions compare keys with values only"
            )
        dumped = operand.type.dump(operand.value)
        stored = next(iter(dumped)) if dumped else None
        if stored != key_column.type.backing:
            raise InvalidCondition(
                f"key condition on {where} compares {key_column.name!r}, stored as "
                f"{key_column.type.backing}, with {operand.value!r} stored as {stored}"
            )
        if operand.value in ("", b"") and not isinstance(part, Function):
            raise InvalidCondition(
                f"key condition on {where} compares {key_column.name!r} with an empty value, "
                "which DynamoDB rejects because keys are never empty"
            )


def _check_range_part(part: Condition, where: str) -> None:
    allowed = (
        (isinstance(part, Comparison) and part.operator in KEY_OPERATORS)
        or isinstance(part, Between)
        or (isinstance(part, Function) and part.name == "begins_with")
    )
    if not allowed:
        raise InvalidCondition(
            f"range key condition on {where} must be one of = < <= > >=, between or "
            f"begins_with, not {part!r}"
        )


def projection_paths(target: Any, columns: Iterable[Any] | None) -> tuple[Path, ...] | None:
    """Turn columns, column references or paths into projection paths, checked against an index."""
    if columns is None:
        return None
    from bloopfp.refs import ColumnRef

    spec, index = target_parts(target)
    paths: list[Path] = []
    for item in columns:
        if isinstance(item, ColumnRef):
            paths.append(item.path)
        elif isinstance(item, Path):
            paths.append(item)
        elif isinstance(item, str):
            paths.append(Path((spec.column(item).key_name,)))
        else:
            raise InvalidRequest(f"projection takes columns or paths, not {item!r}")
    # A local index fetches attributes it does not project from the table; a global one cannot.
    if isinstance(index, GlobalSecondaryIndex):
        projected = index_attributes(spec, index)
        for projected_path in paths:
            if projected is not None and projected_path.segments[0] not in projected:
                raise InvalidRequest(
                    f"index {index.name!r} of {spec.name} does not project "
                    f"{projected_path.segments[0]!r}; query the table or project it in the index"
                )
    return tuple(paths)


def index_attributes(spec: ModelSpec, index: Index) -> frozenset[str] | None:
    """Return the DynamoDB names an index holds, or None when it projects every attribute."""
    if index.projection == "all":
        return None
    names = {c.key_name for c in spec.keys}
    names |= {spec.column(index.hash_key).key_name}
    if index.range_key:
        names.add(spec.column(index.range_key).key_name)
    if isinstance(index.projection, tuple):
        names |= {spec.column(name).key_name for name in index.projection}
    return frozenset(names)


def check_filter(target: Any, filter: Condition, *, query: bool) -> None:
    """Raise InvalidRequest for a filter that DynamoDB rejects or that can never match.

    A Query's filter cannot read the hash or range key of the table or index it queries,
    because DynamoDB rejects that ("Filter Expression can only contain non-primary key
    attributes"). A filter on a global index cannot read an attribute the index does not
    project, because the index contains no such attribute and the filter would match nothing. A
    local index fetches such attributes from the table, so its filters may read any attribute.
    """
    spec, index = target_parts(target)
    names = [str(p.segments[0]) for p in condition_paths(filter)]
    if query:
        hash_column, range_column = key_columns(spec, index)
        keys = {c.key_name: c.name for c in (hash_column, range_column) if c is not None}
        for name in names:
            if name in keys:
                raise InvalidRequest(
                    f"the filter of a query on {describe_target(target)} reads key column "
                    f"{keys[name]!r}, which DynamoDB rejects; move that test into the key "
                    "condition"
                )
    if isinstance(index, GlobalSecondaryIndex):
        projected = index_attributes(spec, index)
        columns = spec.by_key_name()
        for name in names:
            if projected is not None and name not in projected:
                label = columns[name].name if name in columns else name
                raise InvalidRequest(
                    f"the filter on global index {index.name!r} of {spec.name} reads "
                    f"{label!r}, which the index does not project, so no item would match; "
                    "query the table instead or add the column to the index's projection"
                )


@attrs.frozen
class Query:
    target: Any
    key: KeyCondition
    filter: Condition = EMPTY
    projection: tuple[Path, ...] | None = None
    forward: bool = True
    consistent: bool = False
    page_size: int | None = None
    select: Select | None = None


@attrs.frozen
class Scan:
    target: Any
    filter: Condition = EMPTY
    projection: tuple[Path, ...] | None = None
    consistent: bool = False
    page_size: int | None = None
    select: Select | None = None
    segment: int | None = None
    total_segments: int | None = None


def describe_target(target: Any) -> str:
    spec, index = target_parts(target)
    return f"{spec.name}.{index.name}" if index else spec.name


def query(
    target: Any,
    key: Condition,
    *,
    filter: Condition = EMPTY,
    projection: Iterable[Any] | None = None,
    forward: bool = True,
    consistent: bool = False,
    page_size: int | None = None,
    select: Select | None = None,
) -> Query:
    """Build a Query of a model's table or of one of its indexes."""
    _, index = target_parts(target)
    if consistent and isinstance(index, GlobalSecondaryIndex):
        raise InvalidRequest(
            f"global secondary index {index.name!r} does not support consistent reads"
        )
    _check_page_size(page_size)
    check_filter(target, filter, query=True)
    return Query(
        target=target,
        key=key_condition(target, key),
        filter=filter,
        projection=projection_paths(target, projection),
        forward=forward,
        consistent=consistent,
        page_size=page_size,
        select=select,
    )


def scan(
    target: Any,
    *,
    filter: Condition = EMPTY,
    projection: Iterable[Any] | None = None,
    consistent: bool = False,
    page_size: int | None = None,
    select: Select | None = None,
    segment: int | None = None,
    total_segments: int | None = None,
) -> Scan:
    """Build a Scan of a model's table or of one of its indexes."""
    _, index = target_parts(target)
    if consistent and isinstance(index, GlobalSecondaryIndex):
        raise InvalidRequest(
            f"global secondary index {index.name!r} does not support consistent reads"
        )
    _check_page_size(page_size)
    if (segment is None) != (total_segments is None):
        raise InvalidRequest("pass segment and total_segments together")
    if (
        total_segments is not None
        and segment is not None
        and not (1 <= total_segments <= 1_000_000 and 0 <= segment < total_segments)
    ):
        raise InvalidRequest(
            f"segment must be in [0, total_segments) and total_segments in [1, 1000000], "
            f"got segment={segment}, total_segments={total_segments}"
        )
    check_filter(target, filter, query=False)
    return Scan(
        target=target,
        filter=filter,
        projection=projection_paths(target, projection),
        consistent=consistent,
        page_size=page_size,
        select=select,
        segment=segment,
        total_segments=total_segments,
    )


def _check_page_size(page_size: int | None) -> None:
    if page_size is not None and (isinstance(page_size, bool) or page_size < 1):
        raise InvalidRequest(f"page_size must be a positive int, got {page_size!r}")


# Batches.

BATCH_GET_MAX_KEYS = 100
BATCH_WRITE_MAX_REQUESTS = 25


@attrs.frozen
class BatchGetItem:
    """One BatchGetItem call: up to 100 distinct keys, possibly of several models."""

    keys: tuple[Key, ...]
    consistent: bool = False


@attrs.frozen
class PutRequest:
    """A put in a BatchWriteItem call."""

    record: Any


@attrs.frozen
class DeleteRequest:
    """A delete in a BatchWriteItem call."""

    key: Key


@attrs.frozen
class BatchWriteItem:
    """One BatchWriteItem call: up to 25 puts and deletes, each on a different item."""

    requests: tuple[PutRequest | DeleteRequest, ...]


# Transactions.

TRANSACTION_MAX_ITEMS = 100
TRANSACTION_MAX_BYTES = 4 * 1024 * 1024


@attrs.frozen
class TransactPut:
    """A Put in a TransactWriteItems call."""

    record: Any
    condition: Condition = EMPTY
    return_old_on_failure: bool = False


@attrs.frozen
class TransactUpdate:
    """An Update in a TransactWriteItems call."""

    key: Key
    update: Update
    condition: Condition = EMPTY
    return_old_on_failure: bool = False


@attrs.frozen
class TransactDelete:
    """A Delete in a TransactWriteItems call."""

    key: Key
    condition: Condition = EMPTY
    return_old_on_failure: bool = False


@attrs.frozen
class TransactConditionCheck:
    """A ConditionCheck in a TransactWriteItems call: a condition that writes nothing."""

    key: Key
    condition: Condition
    return_old_on_failure: bool = False


@attrs.frozen
class TransactGet:
    """A Get in a TransactGetItems call."""

    key: Key
    projection: tuple[Path, ...] | None = None


TransactWriteItem = TransactPut | TransactUpdate | TransactDelete | TransactConditionCheck


@attrs.frozen
class TransactWriteItems:
    """One TransactWriteItems call. `token` is sent as ClientRequestToken when given."""

    items: tuple[TransactWriteItem, ...]
    token: str | None = None


@attrs.frozen
class TransactGetItems:
    """One TransactGetItems call."""

    items: tuple[TransactGet, ...]


def model_of_transact_item(item: TransactWriteItem | TransactGet) -> Any:
    """Return the model class a transaction item reads or writes."""
    if isinstance(item, TransactPut):
        return type(item.record)
    return item.key.model


Operation = (
    CreateTable
    | DescribeTable
    | DeleteTable
    | UpdateTimeToLive
    | UpdateContinuousBackups
    | DescribeTimeToLive
    | DescribeContinuousBackups
    | PutItem
    | GetItem
    | DeleteItem
    | UpdateItem
    | Query
    | Scan
    | BatchGetItem
    | BatchWriteItem
    | TransactWriteItems
    | TransactGetItems
)
