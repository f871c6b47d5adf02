"""Models: frozen attrs records that describe the items of one DynamoDB table.

>>> import uuid
>>> from bloopfp.types import String, UUID
>>> @model(table_name="accounts")
... class Account:
...     id: uuid.UUID = column(UUID(), hash_key=True)
...     email: str | None = column(String())
...     by_email = GlobalSecondaryIndex(hash_key="email", projection="keys")
>>> Account.__bloopfp__.hash_key.name
'id'
>>> Account(id=uuid.UUID(int=1)).email is None
True
"""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, TypeVar, dataclass_transform

import attrs

from bloopfp.errors import InvalidModel, InvalidValue, MissingKey, UnknownColumn
from bloopfp.types import Type, as_type

T = TypeVar("T")

KEY_BACKINGS = frozenset({"S", "N", "B"})

# DynamoDB's documented limits on keys and indexes, from the developer guide pages "Quotas in
# Amazon DynamoDB" and "Constraints in Amazon DynamoDB". Key value sizes count the UTF-8 bytes
# of S and the raw bytes of B.
MAX_HASH_KEY_BYTES = 2048
MAX_RANGE_KEY_BYTES = 1024
MAX_LOCAL_INDEXES = 5
# NOTE: 20 is the default quota of global secondary indexes per table. AWS raises it on request,
# and bloopfp has no setting for a raised quota yet.
MAX_GLOBAL_INDEXES = 20
# NonKeyAttributes of INCLUDE projections: at most 20 names in one index (the list limit of the
# Projection type in the API Reference) and 100 summed over every index of a table, where a name
# projected into two indexes counts twice.
MAX_INDEX_NON_KEY_ATTRIBUTES = 20
MAX_PROJECTED_ATTRIBUTES = 100


class _NoDefault:
    """The marker for a column declared without a default."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
Projection = Literal["all", "keys"] | tuple[str, ...]
BillingMode = Literal["on_demand", "provisioned"]
StreamView = Literal["keys_only", "new", "old", "new_and_old"]


def _as_type(value: Type | type[Type], where: str) -> Type:
    """Accept a type instance or a type class with no arguments (`String` or `String()`)."""
    try:
        return as_type(value, where)
    except TypeError as error:
        raise InvalidModel(where, str(error)) from None


@attrs.frozen
class Column:
    """The declaration of one attribute: its type, key role and DynamoDB name.

    `name` is the Python attribute name, filled in by `@model`; `dynamo_name` defaults to it.
    `index_keys` lists the indexes that use the column as a key, as (index name, "hash" or
    "range") pairs, also filled in by `@model`.
    """

    type: Type
    hash_key: bool = False
    range_key: bool = False
    dynamo_name: str | None = None
    default: Any = NO_DEFAULT
    factory: Callable[[], Any] | None = None
    name: str = ""
    version: bool = False
    index_keys: tuple[tuple[str, str], ...] = ()

    @property
    def key_name(self) -> str:
        """The attribute name stored in DynamoDB."""
        return self.dynamo_name or self.name

    @property
    def is_key(self) -> bool:
        return self.hash_key or self.range_key


def column(
    type: Type | type[Type],
    *,
    hash_key: bool = False,
    range_key: bool = False,
    dynamo_name: str | None = None,
    default: Any = NO_DEFAULT,
    factory: Callable[[], Any] | None = None,
    version: bool = False,
) -> Any:
    """Declare a column of a model.

    Columns that are not keys default to None, which means the attribute is absent from the item.
    Key columns are required unless given a `default` or `factory`. A model may mark one
    number column with `version=True` for optimistic concurrency (see `updates.version_guard`).
    """
    if default is not NO_DEFAULT and factory is not None:
        raise InvalidModel("column", "pass either default or factory, not both")
    return Column(
        type=_as_type(type, "column"),
        hash_key=hash_key,
        range_key=range_key,
        dynamo_name=dynamo_name,
        default=default,
        factory=factory,
        version=version,
    )


def _normalize_projection(projection: Projection | list[str]) -> Projection:
    if projection in ("all", "keys"):
        return projection
    if isinstance(projection, str):
        raise InvalidModel(
            "index", f'projection must be "all", "keys" or a list of columns, not {projection!r}'
        )
    return tuple(projection)


@attrs.frozen
class GlobalSecondaryIndex:
    """A global secondary index with its own hash key and optional range key.

    `model` and `name` are filled in by `@model`. `read_units` and `write_units` apply when the
    table uses provisioned billing.
    """

    hash_key: str
    range_key: str | None = None
    projection: Projection = attrs.field(default="keys", converter=_normalize_projection)
    read_units: int | None = None
    write_units: int | None = None
    dynamo_name: str | None = None
    name: str = ""
    model: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def index_name(self) -> str:
        """The IndexName used in requests."""
        return self.dynamo_name or self.name


@attrs.frozen
class LocalSecondaryIndex:
    """A local secondary index: the table's hash key with another range key."""

    range_key: str
    projection: Projection = attrs.field(default="keys", converter=_normalize_projection)
    dynamo_name: str | None = None
    name: str = ""
    model: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def index_name(self) -> str:
        """The IndexName used in requests."""
        return self.dynamo_name or self.name

    @property
    def hash_key(self) -> str:
        return str(self.model.__bloopfp__.hash_key.name)


Index = GlobalSecondaryIndex | LocalSecondaryIndex


@attrs.frozen
class TableOptions:
    """Table-level settings applied when the table is created."""

    billing: BillingMode = "on_demand"
    read_units: int | None = None
    write_units: int | None = None
    stream: StreamView | None = None
    ttl: str | None = None
    encryption: bool | str = False
    backups: bool = False


@attrs.frozen
class ModelSpec:
    """The declaration of a model: table, columns, indexes and options, stored as `__bloopfp__`."""

    name: str
    table_name: str | None
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...]
    options: TableOptions
    abstract: bool

    @property
    def hash_key(self) -> Column:
        return next(c for c in self.columns if c.hash_key)

    @property
    def range_key(self) -> Column | None:
        return next((c for c in self.columns if c.range_key), None)

    @property
    def keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_key)

    def column(self, name: str) -> Column:
        """Return the column with Python name `name`, raising UnknownColumn if there is none."""
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise UnknownColumn(self.name, name, tuple(c.name for c in self.columns))

    def by_key_name(self) -> dict[str, Column]:
        return {c.key_name: c for c in self.columns}


def spec_of(model: Any) -> ModelSpec:
    """Return the ModelSpec of a model class or record, raising TypeError for anything else."""
    spec = getattr(model, "__bloopfp__", None)
    if not isinstance(spec, ModelSpec):
        raise TypeError(f"{model!r} is not a bloopfp model; decorate its class with @model")
    return spec


# Declaring models.


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(column,))
def model(
    cls: type[T] | None = None,
    *,
    table_name: str | None = None,
    abstract: bool = False,
    billing: BillingMode = "on_demand",
    read_units: int | None = None,
    write_units: int | None = None,
    stream: StreamView | None = None,
    ttl: str | None = None,
    encryption: bool | str = False,
    backups: bool = False,
) -> Any:
    """Turn a class with `column(...)` attributes into a frozen, slotted attrs record class.

    An abstract model (`abstract=True`) declares columns and indexes for other models to inherit
    and has no table. A concrete model's `table_name` defaults to the class name.
    """
    options = TableOptions(
        billing=billing,
        read_units=read_units,
        write_units=write_units,
        stream=stream,
        ttl=ttl,
        encryption=encryption,
        backups=backups,
    )

    def decorate(target: type[T]) -> type[T]:
        if abstract:
            return _build_abstract(target, options)
        return _build_concrete(target, table_name or target.__name__, options)

    if cls is not None:
        return decorate(cls)
    return decorate


def _declared(target: type) -> tuple[dict[str, Column], dict[str, Index]]:
    """Collect columns and indexes from the bases (first base last) and then the class itself."""
    columns: dict[str, Column] = {}
    indexes: dict[str, Index] = {}
    for base in reversed(target.__mro__[1:]):
        base_spec = base.__dict__.get("__bloopfp__")
        if isinstance(base_spec, ModelSpec):
            columns.update((c.name, c) for c in base_spec.columns)
            indexes.update((i.name, i) for i in base_spec.indexes)
        else:
            _reject_plain_declarations(target, base)
    for name, value in target.__dict__.items():
        if isinstance(value, Column):
            columns[name] = attrs.evolve(value, name=name)
        elif isinstance(value, GlobalSecondaryIndex | LocalSecondaryIndex):
            indexes[name] = attrs.evolve(value, name=name, model=None)
    return columns, indexes


def _reject_plain_declarations(target: type, base: type) -> None:
    """Raise InvalidModel when a base class that is not a model declares columns or indexes."""
    for name, value in base.__dict__.items():
        if isinstance(value, Column | GlobalSecondaryIndex | LocalSecondaryIndex):
            kind = "column" if isinstance(value, Column) else "index"
            raise InvalidModel(
                target.__qualname__,
                f"{kind} {name!r} is declared on base class {base.__qualname__}, which is not a "
                f"model, so it would not be inherited; decorate {base.__qualname__} with "
                "@model(abstract=True)",
            )


def _build_abstract(target: type[T], options: TableOptions) -> type[T]:
    columns, indexes = _declared(target)
    namespace = {
        key: value
        for key, value in target.__dict__.items()
        if key not in ("__dict__", "__weakref__")
    }
    # Empty slots let several abstract bases be mixed into one slotted record class.
    namespace["__slots__"] = ()
    namespace["__bloopfp__"] = ModelSpec(
        name=target.__qualname__,
        table_name=None,
        columns=tuple(columns.values()),
        indexes=tuple(indexes.values()),
        options=options,
        abstract=True,
    )
    metaclass: Any = type(target)
    rebuilt: type[T] = metaclass(target.__name__, target.__bases__, namespace)
    rebuilt.__qualname__ = target.__qualname__
    return rebuilt


def _build_concrete(target: type[T], table_name: str, options: TableOptions) -> type[T]:
    name = target.__qualname__
    columns, indexes = _declared(target)
    spec = ModelSpec(
        name=name,
        table_name=table_name,
        columns=tuple(columns.values()),
        indexes=tuple(indexes.values()),
        options=options,
        abstract=False,
    )
    _check_model(spec)
    spec = attrs.evolve(spec, columns=_with_index_keys(spec))

    inherited = {
        field.name for base in target.__mro__[1:] if attrs.has(base) for field in attrs.fields(base)
    }
    # NOTE: a column inherited from a concrete base keeps the base's converter and validator, so
    # an index that this subclass adds on it does not get the index key checks on construction.
    these = {
        column.name: _attrs_field(name, column)
        for column in spec.columns
        if column.name not in inherited
    }
    built: type[T] = attrs.define(
        target, these=these, frozen=True, slots=True, kw_only=True, weakref_slot=False
    )

    bound_indexes = tuple(attrs.evolve(index, model=built) for index in spec.indexes)
    spec = attrs.evolve(spec, indexes=bound_indexes)
    type.__setattr__(built, "__bloopfp__", spec)
    for index in bound_indexes:
        type.__setattr__(built, index.name, index)
    for col in spec.columns:
        _install_column_attribute(built, col)
    _wrap_init(built, spec)
    return built


def _with_index_keys(spec: ModelSpec) -> tuple[Column, ...]:
    """Return the columns with `index_keys` naming the indexes that use each one as a key."""
    roles: dict[str, list[tuple[str, str]]] = {c.name: [] for c in spec.columns}
    for index in spec.indexes:
        if isinstance(index, GlobalSecondaryIndex):
            roles[index.hash_key].append((index.name, "hash"))
        if index.range_key is not None:
            roles[index.range_key].append((index.name, "range"))
    return tuple(attrs.evolve(c, index_keys=tuple(roles[c.name])) for c in spec.columns)


def _attrs_field(model_name: str, col: Column) -> Any:
    validator = functools.partial(_validate_field, model_name, col)
    converter = functools.partial(normalize_value, col)
    if col.factory is not None:
        return attrs.field(
            factory=col.factory, converter=converter, validator=validator, kw_only=True
        )
    if col.default is not NO_DEFAULT:
        default = _immutable_default(model_name, col)
        return attrs.field(default=default, converter=converter, validator=validator, kw_only=True)
    if col.is_key:
        return attrs.field(converter=converter, validator=validator, kw_only=True)
    return attrs.field(default=None, converter=converter, validator=validator, kw_only=True)


def _immutable_default(model_name: str, col: Column) -> Any:
    """Return the normalized default, raising InvalidModel when records would share it."""
    default = normalize_value(col, col.default)
    try:
        hash(default)
    except TypeError:
        raise InvalidModel(
            model_name,
            f"column {col.name!r} has the mutable default {col.default!r}, which every record "
            f"would share; pass a function that builds a new value instead, such as "
            f"factory={type(col.default).__name__}",
        ) from None
    return default


def _validate_field(model_name: str, col: Column, _: Any, __: Any, value: Any) -> None:
    validate_value(model_name, col, value)


def normalize_value(col: Column, value: Any) -> Any:
    """Return a column value in the form that loading it back returns (see `Type.normalize`).

    None in a column that is not a key becomes the type's missing value, which is an empty
    frozenset for sets and None for other types.
    """
    if value is None:
        return None if col.is_key else col.type.load_missing()
    return col.type.normalize(value)


def validate_value(model_name: str, col: Column, value: Any) -> None:
    """Raise InvalidValue or MissingKey unless `value` can be stored in `col`."""
    if value is None:
        if col.is_key:
            raise MissingKey(model_name, col.name, "key columns cannot be None")
        return
    try:
        col.type.validate(value)
    except InvalidValue as error:
        raise error.in_column(model_name, col.name) from None
    if col.is_key or col.index_keys:
        _check_key_value(model_name, col, value)


def _check_key_value(model_name: str, col: Column, value: Any) -> None:
    """Raise unless a table or index key value is non-empty and within DynamoDB's size limit."""
    dumped = col.type.dump(value) or {}
    stored = dumped.get("S", dumped.get("B"))
    if stored is None:
        return
    size = len(stored.encode("utf-8")) if isinstance(stored, str) else len(stored)
    if size == 0 and col.is_key:
        raise MissingKey(
            model_name,
            col.name,
            f"key columns cannot be empty, got {value!r}; give a non-empty key",
        )
    if size == 0:
        names = ", ".join(repr(name) for name, _ in col.index_keys)
        raise InvalidValue(
            f"DynamoDB rejects an empty string or binary value in an index key, and index {names} "
            "uses this column as a key; store None to leave the item out of the index",
            value=value,
            type_name=col.type.name,
            model=model_name,
            column=col.name,
        )
    role, limit = _key_size_limit(col)
    if size > limit:
        raise InvalidValue(
            f"is {size} bytes, but DynamoDB limits a {role} value to {limit} bytes; store a "
            "shorter value",
            value=value,
            type_name=col.type.name,
            model=model_name,
            column=col.name,
        )


def _key_size_limit(col: Column) -> tuple[str, int]:
    """Return the strictest key role of a column and its size limit in bytes."""
    range_roles = [
        f"sort key of index {name!r}" for name, kind in col.index_keys if kind == "range"
    ]
    if col.range_key:
        range_roles.insert(0, "sort key")
    if range_roles:
        return range_roles[0], MAX_RANGE_KEY_BYTES
    if col.hash_key:
        return "partition key", MAX_HASH_KEY_BYTES
    return f"partition key of index {col.index_keys[0][0]!r}", MAX_HASH_KEY_BYTES


def _wrap_init(built: type, spec: ModelSpec) -> None:
    """Wrap attrs' __init__ so that unknown or missing columns raise bloopfp errors."""
    original = built.__init__  # type: ignore[misc]
    known = tuple(c.name for c in spec.columns)
    required = tuple(
        c.name for c in spec.columns if c.is_key and c.default is NO_DEFAULT and c.factory is None
    )

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError(f"{spec.name} takes keyword arguments only, e.g. {spec.name}(id=...)")
        for key in kwargs:
            if key not in known:
                raise UnknownColumn(spec.name, key, known)
        for key in required:
            if key not in kwargs:
                raise MissingKey(spec.name, key, "missing key column; pass it to the constructor")
        original(self, **kwargs)

    type.__setattr__(built, "__init__", __init__)


class _ColumnAttribute:
    """A data descriptor that gives a ColumnRef on the class and the stored value on a record."""

    __slots__ = ("column", "slot")

    def __init__(self, slot: Any, col: Column) -> None:
        self.slot = slot
        self.column = col

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            from bloopfp.refs import ColumnRef

            return ColumnRef(model=owner, column=self.column)
        return self.slot.__get__(instance, owner)

    def __set__(self, instance: Any, value: Any) -> None:
        self.slot.__set__(instance, value)

    def __delete__(self, instance: Any) -> None:
        self.slot.__delete__(instance)


def _install_column_attribute(built: type, col: Column) -> None:
    for klass in built.__mro__:
        slot = klass.__dict__.get(col.name)
        if isinstance(slot, _ColumnAttribute):
            slot = slot.slot
        if slot is not None and hasattr(slot, "__set__"):
            type.__setattr__(built, col.name, _ColumnAttribute(slot, col))
            return
    raise InvalidModel(built.__qualname__, f"column {col.name!r} has no slot")


# Checks of a concrete model, all before the class is built.


def _check_model(spec: ModelSpec) -> None:
    _check_keys(spec)
    _check_names(spec)
    _check_index_counts(spec)
    for index in spec.indexes:
        _check_index(spec, index)
    _check_projected_total(spec)
    _check_options(spec)
    _check_version(spec)


def _check_index_counts(spec: ModelSpec) -> None:
    local = [i.name for i in spec.indexes if isinstance(i, LocalSecondaryIndex)]
    global_ = [i.name for i in spec.indexes if isinstance(i, GlobalSecondaryIndex)]
    if len(local) > MAX_LOCAL_INDEXES:
        raise InvalidModel(
            spec.name,
            f"{len(local)} local secondary indexes, but DynamoDB allows {MAX_LOCAL_INDEXES} per "
            f"table; remove local index {local[MAX_LOCAL_INDEXES]!r} or make it a global index",
        )
    if len(global_) > MAX_GLOBAL_INDEXES:
        raise InvalidModel(
            spec.name,
            f"{len(global_)} global secondary indexes, but DynamoDB allows {MAX_GLOBAL_INDEXES} "
            f"per table by default; remove global index {global_[MAX_GLOBAL_INDEXES]!r}",
        )


def non_key_projection(spec: ModelSpec, index: Index) -> tuple[str, ...]:
    """Return the DynamoDB names an INCLUDE projection sends as NonKeyAttributes.

    Table keys and the index's own keys are left out, because DynamoDB projects them anyway.
    """
    if not isinstance(index.projection, tuple):
        return ()
    # A local index shares the table's hash key, which is already in `keys`.
    keys = {c.key_name for c in spec.keys}
    if isinstance(index, GlobalSecondaryIndex):
        keys.add(spec.column(index.hash_key).key_name)
    if index.range_key is not None:
        keys.add(spec.column(index.range_key).key_name)
    names = (spec.column(name).key_name for name in index.projection)
    return tuple(name for name in names if name not in keys)


def _check_projected_total(spec: ModelSpec) -> None:
    counts = {index.name: len(non_key_projection(spec, index)) for index in spec.indexes}
    total = sum(counts.values())
    if total > MAX_PROJECTED_ATTRIBUTES:
        listed = ", ".join(f"{name!r} {count}" for name, count in counts.items() if count)
        raise InvalidModel(
            spec.name,
            f"indexes project {total} non-key attributes in total ({listed}), but DynamoDB "
            f"allows {MAX_PROJECTED_ATTRIBUTES} per table, counting an attribute once for each "
            'index; project fewer columns or use projection="all"',
        )


def _check_version(spec: ModelSpec) -> None:
    versions = [c for c in spec.columns if c.version]
    if len(versions) > 1:
        names = ", ".join(c.name for c in versions)
        raise InvalidModel(spec.name, f"more than one version column: {names}")
    for col in versions:
        if col.is_key:
            raise InvalidModel(spec.name, f"key column {col.name!r} cannot be the version column")
        if col.type.backing != "N":
            raise InvalidModel(
                spec.name,
                f"version column {col.name!r} has type {col.type.name} stored as "
                f"{col.type.backing or 'varying types'}; a version must be stored as N "
                "(use types.Integer)",
            )


def _check_keys(spec: ModelSpec) -> None:
    hash_keys = [c.name for c in spec.columns if c.hash_key]
    range_keys = [c.name for c in spec.columns if c.range_key]
    if not hash_keys:
        raise InvalidModel(spec.name, "no hash key; mark one column with hash_key=True")
    if len(hash_keys) > 1:
        raise InvalidModel(spec.name, f"more than one hash key: {', '.join(hash_keys)}")
    if len(range_keys) > 1:
        raise InvalidModel(spec.name, f"more than one range key: {', '.join(range_keys)}")
    for col in spec.columns:
        if col.hash_key and col.range_key:
            raise InvalidModel(spec.name, f"column {col.name!r} cannot be both hash and range key")
        if col.is_key:
            _check_key_type(spec, col, "table key")
            _check_key_name(spec, col)


def _check_key_name(spec: ModelSpec, col: Column) -> None:
    if len(col.key_name.encode()) > MAX_KEY_NAME_BYTES:
        raise InvalidModel(
            spec.name,
            f"key column {col.name!r} has a DynamoDB name of {len(col.key_name.encode())} bytes; "
            f"key attribute names are limited to {MAX_KEY_NAME_BYTES} bytes",
        )


def _check_key_type(spec: ModelSpec, col: Column, role: str) -> None:
    if col.type.backing not in KEY_BACKINGS:
        raise InvalidModel(
            spec.name,
            f"{role} column {col.name!r} has type {col.type.name} stored as "
            f"{col.type.backing or 'an unknown type'}; key attributes must be S, N or B",
        )


def _check_names(spec: ModelSpec) -> None:
    seen: dict[str, str] = {}
    for col in spec.columns:
        if not col.key_name:
            raise InvalidModel(spec.name, f"column {col.name!r} has an empty dynamo_name")
        if col.key_name in seen:
            raise InvalidModel(
                spec.name,
                f"columns {seen[col.key_name]!r} and {col.name!r} share the DynamoDB name "
                f"{col.key_name!r}",
            )
        seen[col.key_name] = col.name
    index_names = [index.index_name for index in spec.indexes]
    duplicates = sorted({n for n in index_names if index_names.count(n) > 1})
    if duplicates:
        raise InvalidModel(spec.name, f"more than one index is named {', '.join(duplicates)}")
    if spec.table_name is not None and not 3 <= len(spec.table_name) <= 255:
        raise InvalidModel(
            spec.name, f"table name {spec.table_name!r} must be 3 to 255 characters long"
        )
    if spec.table_name is not None:
        _check_resource_name(spec, "table", spec.table_name)
    for index in spec.indexes:
        _check_resource_name(spec, "index", index.index_name)
    for col in spec.columns:
        _check_python_name(spec, col.name)


# DynamoDB's naming rules for tables and indexes: 3 to 255 of these characters.
_RESOURCE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
MAX_KEY_NAME_BYTES = 255


def _check_resource_name(spec: ModelSpec, kind: str, name: str) -> None:
    if not _RESOURCE_NAME.fullmatch(name):
        raise InvalidModel(
            spec.name,
            f"{kind} name {name!r} is invalid: DynamoDB accepts 3 to 255 characters from "
            "a-z, A-Z, 0-9, '_', '-' and '.'"
            + ("; pass table_name= to @model" if kind == "table" else "; pass dynamo_name="),
        )


def _check_python_name(spec: ModelSpec, name: str) -> None:
    if name.startswith("_"):
        # attrs strips a leading underscore from the __init__ argument, Python mangles names that
        # start with two, and bloopfp keeps the model in __bloopfp__.
        raise InvalidModel(
            spec.name,
            f"column name {name!r} starts with an underscore, which bloopfp reserves; give the "
            f"column a name without one and keep the stored name with dynamo_name={name!r}",
        )
    # attrs writes column names into the source of __init__, whose first parameter is `self`,
    # and Python rewrites identifiers to their NFKC form there.
    usable = (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and name != "self"
        and unicodedata.normalize("NFKC", name) == name
    )
    if not usable:
        raise InvalidModel(
            spec.name,
            f"column name {name!r} cannot be a Python attribute of a record; give the column "
            f"another name and keep the stored name with dynamo_name={name!r}",
        )


def _check_index(spec: ModelSpec, index: Index) -> None:
    known = {c.name for c in spec.columns}
    label = f"index {index.name!r}"
    if isinstance(index, LocalSecondaryIndex):
        if spec.range_key is None:
            raise InvalidModel(
                spec.name, f"local {label} needs a table range key; declare one with range_key=True"
            )
        key_names: tuple[str, ...] = (index.range_key,)
    else:
        key_names = (index.hash_key,) + ((index.range_key,) if index.range_key else ())
    for key_name in key_names:
        if key_name not in known:
            raise InvalidModel(spec.name, f"{label} names unknown column {key_name!r}")
        _check_key_type(spec, spec.column(key_name), label + " key")
        _check_key_name(spec, spec.column(key_name))
    if isinstance(index, GlobalSecondaryIndex) and index.hash_key == index.range_key:
        raise InvalidModel(
            spec.name,
            f"{label} uses column {index.hash_key!r} as both hash key and range key; "
            "give it another range key or none",
        )
    if isinstance(index.projection, tuple):
        _check_projection(spec, index, known, label)
    if isinstance(index, GlobalSecondaryIndex):
        units = (index.read_units, index.write_units)
        if spec.options.billing == "provisioned" and None in units:
            raise InvalidModel(
                spec.name, f"{label} needs read_units and write_units for provisioned billing"
            )
        if spec.options.billing == "on_demand" and units != (None, None):
            raise InvalidModel(
                spec.name, f"{label} read_units and write_units apply only to provisioned billing"
            )


def _check_projection(spec: ModelSpec, index: Index, known: set[str], label: str) -> None:
    seen: set[str] = set()
    for projected in index.projection:
        if projected not in known:
            raise InvalidModel(spec.name, f"{label} projects unknown column {projected!r}")
        if projected in seen:
            raise InvalidModel(spec.name, f"{label} projects column {projected!r} twice")
        seen.add(projected)
    count = len(non_key_projection(spec, index))
    if count > MAX_INDEX_NON_KEY_ATTRIBUTES:
        raise InvalidModel(
            spec.name,
            f"{label} projects {count} non-key attributes, but DynamoDB accepts at most "
            f'{MAX_INDEX_NON_KEY_ATTRIBUTES} in one index; project fewer or use projection="all"',
        )


def _check_options(spec: ModelSpec) -> None:
    options = spec.options
    if options.billing not in ("on_demand", "provisioned"):
        raise InvalidModel(
            spec.name, f'billing must be "on_demand" or "provisioned", not {options.billing!r}'
        )
    units = (options.read_units, options.write_units)
    if options.billing == "provisioned" and None in units:
        raise InvalidModel(spec.name, "provisioned billing needs read_units and write_units")
    if options.billing == "on_demand" and units != (None, None):
        raise InvalidModel(
            spec.name, "read_units and write_units apply only to provisioned billing"
        )
    if options.ttl is not None:
        ttl_column = (
            spec.column(options.ttl) if options.ttl in {c.name for c in spec.columns} else None
        )
        if ttl_column is None:
            raise InvalidModel(spec.name, f"ttl names unknown column {options.ttl!r}")
        if ttl_column.type.backing != "N":
            raise InvalidModel(
                spec.name, f"ttl column {options.ttl!r} must be stored as N (use types.Timestamp)"
            )


# Records and items.


def iter_columns(record: Any) -> Iterator[tuple[Column, Any]]:
    """Yield each column of a record with its value."""
    for col in spec_of(record).columns:
        yield col, getattr(record, col.name)


def key_values(record: Any) -> dict[str, Any]:
    """Return the key columns of a record by Python name."""
    return {c.name: getattr(record, c.name) for c in spec_of(record).keys}


def require_concrete(model_cls: Any) -> ModelSpec:
    """Return the spec of a concrete model, raising InvalidModel for an abstract one."""
    spec = spec_of(model_cls)
    if spec.abstract or spec.table_name is None:
        raise InvalidModel(spec.name, "abstract models have no table; subclass them with @model")
    return spec


def as_mapping(value: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    """Return key values given as a mapping or as a record."""
    if isinstance(value, Mapping):
        return value
    return key_values(value)
