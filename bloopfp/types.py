"""Column types: pure conversions between Python values and DynamoDB AttributeValues.

A type is a frozen, hashable value with a `backing` type code ("S", "N", "B", "BOOL", "NULL", "SS",
"NS", "BS", "L" or "M"), `dump(value) -> AttributeValue | None`, `load(attribute_value)` and
`normalize(value)`, which a record runs on each column value before validating it.
AttributeValues are in the low-level boto3 client's wire format: a number is its decimal text in
{"N": ...}, and binary values are raw bytes, which botocore encodes as base64.

The model layer never passes None to `dump`, because it stores a None column as an absent
attribute. An absent attribute loads as `load_missing()`, which is None for most types and
`frozenset()` for sets. A dump that returns None means the attribute must be absent, which is how
an empty set is written, because DynamoDB has no empty set. Inside lists and maps, None is stored
as {"NULL": True} and loads back as None. The empty string and empty bytes are values, distinct
from None.

Types raise `InvalidValue` with the value and the reason. The model layer adds the model and
column with `InvalidValue.in_column`, so a reason reads as the end of "Model.column: invalid value
...". An error inside a list or map names the document path of the bad element.

>>> String().dump("hello")
{'S': 'hello'}
>>> Integer().load({"N": "42"})
42
>>> Set(String()).dump({"b", "a"})
{'SS': ['a', 'b']}

Python containers: `List` loads as a tuple and `Set` as a frozenset, so a frozen record that
contains them stays hashable. A typed `Map` loads as a dict, or as the attrs record given to
`Map.of`. Schemaless documents (`Dynamic`, `DynamicList`, `DynamicMap`) load lists as `list` and
maps as `dict`, the shapes that JSON and boto3's TypeDeserializer use, because such documents
contain dicts and are unhashable anyway.

`normalize` turns a valid value into the form that `load` returns, so that
`load(dump(value)) == normalize(value)` and a record built by the caller equals the record loaded
back. It converts a list to a tuple for `List` and a set to a frozenset for `Set`, and copies
the dicts and lists of maps and documents, so a record does not share them with the caller. A
dict stays a dict, because Python has no frozen dict, so a record with a `Map` or schemaless
column is not hashable. `normalize` returns a value it cannot convert unchanged, and `validate`
then rejects it.

>>> List(String()).normalize(["a", "b"])
('a', 'b')

Custom types subclass `Type`, set the `backing` class variable and implement `dump` and `load`.
`dump` raises InvalidValue for a value it cannot store, and `validate` reuses `dump` unless
overridden. A custom type whose `load` returns another Python type than the one callers pass
also overrides `normalize`, which by default returns the value unchanged. A type that converts
its value and stores the result with another type subclasses `Transform` instead (see its
docstring).

>>> @attrs.frozen
... class Cents(Type):
...     '''An amount of money with at most two decimal places, stored as N in whole cents.'''
...     backing: ClassVar[str] = "N"
...
...     def dump(self, value):
...         if not isinstance(value, decimal.Decimal) or value.as_tuple().exponent < -2:
...             raise InvalidValue("expected a Decimal with at most two places", value=value)
...         return {"N": str(int(value * 100))}
...
...     def load(self, attribute_value):
...         return decimal.Decimal(attribute_value["N"]).scaleb(-2)
>>> Cents().dump(decimal.Decimal("12.34"))
{'N': '1234'}
>>> Cents().load({"N": "1234"})
Decimal('12.34')
>>> Cents().supports_ordering
True

The `supports_*` properties tell the condition builder which DynamoDB operators and functions
apply to a type's stored values. They follow `backing`, so custom types get them for free.
"""

from __future__ import annotations

import collections.abc as cabc
import datetime
import decimal
import enum
import uuid
from typing import Any, ClassVar, Literal

import attrs

from bloopfp.errors import InvalidValue

AttributeValue = dict[str, Any]

# DynamoDB numbers have up to 38 significant digits and a magnitude from 1E-130 to 9.99...E+125.
_SMALLEST_NUMBER = decimal.Decimal("1E-130")
_LARGEST_NUMBER = decimal.Decimal("9.9999999999999999999999999999999999999E+125")
_MAX_SIGNIFICANT_DIGITS = 38

# Attribute names, including map keys, are 1 to 65535 bytes of UTF-8.
_MAX_NAME_BYTES = 65535

# Operators and functions of condition expressions, by the backing type they accept. DynamoDB
# compares S, N and B values with <, <=, >, >= and BETWEEN. begins_with accepts S and B.
# contains tests a substring of S, a subsequence of B, an element of a set or of a list. size
# accepts S, B, sets, lists and maps.
_ORDERED_BACKINGS = frozenset({"S", "N", "B"})
_BEGINS_WITH_BACKINGS = frozenset({"S", "B"})
_CONTAINS_BACKINGS = frozenset({"S", "B", "SS", "NS", "BS", "L"})
_SIZE_BACKINGS = frozenset({"S", "B", "SS", "NS", "BS", "L", "M"})

_SET_BACKINGS = {"S": "SS", "N": "NS", "B": "BS"}

_FLOAT_REASON = (
    "float is binary and rarely the number it prints. Pass decimal.Decimal(str(value)), "
    "or declare the column as Float()"
)


@attrs.frozen
class Type:
    """Base class of column types. Subclasses set `backing` and implement `dump` and `load`.

    `backing` is a class variable, except in types whose backing follows their arguments (`Set`,
    by-value `Enum` and `Transform`), which compute it as a property. Read it from an instance.
    """

    backing: ClassVar[str] = ""
    python_type: ClassVar[type | tuple[type, ...]] = object

    @property
    def name(self) -> str:
        """Type name used in error messages."""
        return type(self).__name__

    @property
    def supports_ordering(self) -> bool:
        """Whether <, <=, >, >= and BETWEEN apply to stored values (S, N and B backings)."""
        return self.backing in _ORDERED_BACKINGS

    @property
    def supports_begins_with(self) -> bool:
        """Whether the begins_with function applies to stored values (S and B backings)."""
        return self.backing in _BEGINS_WITH_BACKINGS

    @property
    def supports_contains(self) -> bool:
        """Whether the contains function applies to stored values (S, B, sets and lists)."""
        return self.backing in _CONTAINS_BACKINGS

    @property
    def supports_size(self) -> bool:
        """Whether the size function applies to stored values (S, B, sets, lists and maps)."""
        return self.backing in _SIZE_BACKINGS

    def dump(self, value: Any) -> AttributeValue | None:
        """Return the AttributeValue of `value`, or None when the attribute must be absent."""
        raise NotImplementedError(f"{self.name} does not implement dump")

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        """Return the Python value of a stored AttributeValue."""
        raise NotImplementedError(f"{self.name} does not implement load")

    def load_missing(self) -> Any:
        """Return the value of a column whose attribute is absent from a loaded item."""
        return None

    def validate(self, value: Any) -> None:
        """Raise InvalidValue unless `value` can be dumped by this type."""
        self.dump(value)

    def normalize(self, value: Any) -> Any:
        """Return `value` in the form that `load` returns, with mutable containers copied.

        The built-in types return a value of the wrong type unchanged, so that `validate` rejects
        it with a clear message. The model layer handles None itself and does not pass it here.
        """
        return value

    def _reject(self, value: object, reason: str) -> InvalidValue:
        return InvalidValue(reason, value=value, type_name=self.name)

    def _require_instance(self, value: object) -> None:
        accepted = isinstance(value, self.python_type)
        if isinstance(value, bool) and not _accepts(self.python_type, bool):
            # bool is a subclass of int, but True is not a number to store.
            accepted = False
        if accepted:
            return
        if isinstance(value, float):
            raise self._reject(value, _FLOAT_REASON)
        raise self._reject(value, f"expected {_type_names(self.python_type)}")

    def _expect_backing(self, attribute_value: cabc.Mapping[str, Any], code: str) -> Any:
        if code not in attribute_value:
            stored = next(iter(attribute_value), "nothing")
            raise InvalidValue(
                f"stored type is {stored}, but {self.name} reads {code}",
                value=attribute_value,
                type_name=self.name,
            )
        return attribute_value[code]


def _accepts(python_type: type | tuple[type, ...], candidate: type) -> bool:
    types = python_type if isinstance(python_type, tuple) else (python_type,)
    return candidate in types or object in types


def _type_names(python_type: type | tuple[type, ...]) -> str:
    if isinstance(python_type, tuple):
        return " or ".join(t.__name__ for t in python_type)
    return python_type.__name__


def as_type(value: Any, where: str) -> Type:
    """Return a type instance, calling a type class with no arguments (`String` or `String()`).

    Raises TypeError, naming `where`, for anything else and for a class that needs arguments.
    """
    if isinstance(value, Type):
        return value
    if isinstance(value, type) and issubclass(value, Type):
        try:
            return value()
        except TypeError:
            raise TypeError(
                f"{where} needs a column type instance, but {value.__name__} takes arguments; "
                f"pass an instance with its arguments, such as {value.__name__}(...)"
            ) from None
    raise TypeError(f"{where} needs a column type such as String(), got {value!r}")


def _set_element_type(value: Any) -> Type:
    return as_type(value, "Set")


def _list_element_type(value: Any) -> Type:
    return as_type(value, "List")


def _normalize_nested(element_type: Type, value: Any) -> Any:
    return None if value is None else element_type.normalize(value)


# Errors inside lists and maps.


class _NestedInvalidValue(InvalidValue):
    """An InvalidValue found inside a list or map, with the document path to the bad element."""

    def __init__(
        self,
        detail: str,
        *,
        value: object,
        type_name: str | None,
        path: tuple[str | int, ...],
    ) -> None:
        self.detail = detail
        self.path = path
        super().__init__(f"{detail} (at {_format_path(path)})", value=value, type_name=type_name)


def _nested_error(error: InvalidValue, step: str | int) -> InvalidValue:
    """Return `error` moved one level down a document, under map key or list index `step`."""
    if isinstance(error, _NestedInvalidValue):
        detail, path = error.detail, (step, *error.path)
    else:
        detail, path = error.reason, (step,)
    return _NestedInvalidValue(detail, value=error.value, type_name=error.type_name, path=path)


def _format_path(path: tuple[str | int, ...]) -> str:
    """Format a document path the way DynamoDB expressions write it: `lines[2].street`."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += f"[{step!r}]"
    return text


# Scalars.


@attrs.frozen
class String(Type):
    """A Unicode string, stored as S. The empty string is a value, distinct from None."""

    backing: ClassVar[str] = "S"
    python_type: ClassVar[type] = str

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self._reject(
                value, "contains a lone surrogate, which UTF-8 cannot encode"
            ) from None
        return {"S": value}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return str(self._expect_backing(attribute_value, "S"))


@attrs.frozen
class Binary(Type):
    """Raw bytes, stored as B and handed to botocore unencoded (botocore does the base64).

    `bytearray` is accepted and loads back as `bytes`. Empty bytes are a value, distinct from None.
    """

    backing: ClassVar[str] = "B"
    python_type: ClassVar[tuple[type, ...]] = (bytes, bytearray)

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        return {"B": bytes(value)}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return bytes(self._expect_backing(attribute_value, "B"))

    def normalize(self, value: Any) -> Any:
        return bytes(value) if isinstance(value, bytearray) else value


@attrs.frozen
class Boolean(Type):
    """True or False, stored as BOOL."""

    backing: ClassVar[str] = "BOOL"
    python_type: ClassVar[type] = bool

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        return {"BOOL": value}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return bool(self._expect_backing(attribute_value, "BOOL"))


# Numbers.


def dump_number(value: decimal.Decimal | int, type_name: str = "Number") -> str:
    """Return the N text of a number, raising InvalidValue outside DynamoDB's range or precision.

    The text is `str(Decimal(value))`, which is what boto3 1.44's TypeSerializer writes, with two
    exceptions. Zero is always "0". A value whose text has more than 38 digits because of trailing
    zeros is written in its shortest form, so no text has more than 38 digits.

    >>> dump_number(decimal.Decimal("1.50"))
    '1.50'
    >>> dump_number(10**40)
    '1E+40'
    """
    number = decimal.Decimal(value)
    if not number.is_finite():
        raise InvalidValue("DynamoDB numbers must be finite", value=value, type_name=type_name)
    if not number:
        return "0"

    magnitude = number.copy_abs()
    if not _SMALLEST_NUMBER <= magnitude <= _LARGEST_NUMBER:
        raise InvalidValue(
            "DynamoDB numbers must have a magnitude from 1E-130 to 9.99E+125",
            value=value,
            type_name=type_name,
        )

    digits = number.as_tuple().digits
    if _significant_digit_count(digits) > _MAX_SIGNIFICANT_DIGITS:
        raise InvalidValue(
            "DynamoDB numbers have at most 38 significant digits", value=value, type_name=type_name
        )
    if len(digits) > _MAX_SIGNIFICANT_DIGITS:
        number = number.normalize(decimal.Context(prec=_MAX_SIGNIFICANT_DIGITS))
    return str(number)


def _significant_digit_count(digits: tuple[int, ...]) -> int:
    """Count digits without leading and trailing zeros, which DynamoDB does not store."""
    text = "".join(map(str, digits)).strip("0")
    return len(text)


def _load_decimal(type_name: str, attribute_value: cabc.Mapping[str, Any]) -> decimal.Decimal:
    if "N" not in attribute_value:
        stored = next(iter(attribute_value), "nothing")
        raise InvalidValue(
            f"stored type is {stored}, but {type_name} reads N",
            value=attribute_value,
            type_name=type_name,
        )
    return _parse_number(type_name, attribute_value["N"])


def _parse_number(type_name: str, text: Any) -> decimal.Decimal:
    try:
        number = decimal.Decimal(text)
    except (decimal.InvalidOperation, TypeError, ValueError):
        raise InvalidValue("stored text is not a number", value=text, type_name=type_name) from None
    if not number.is_finite():
        raise InvalidValue("stored number is not finite", value=text, type_name=type_name)
    return number


def _parse_integer(type_name: str, text: Any) -> int:
    number = _parse_number(type_name, text)
    if number != number.to_integral_value():
        raise InvalidValue("stored number is not integral", value=text, type_name=type_name)
    return int(number)


@attrs.frozen
class Number(Type):
    """An exact number, stored as N and loaded as `decimal.Decimal`.

    Accepts `int` and `Decimal`. `float` is rejected because its binary value is rarely the number
    it prints. Use `Float` to store floats on purpose. Values outside DynamoDB's range (magnitude
    1E-130 to 9.99E+125) or with more than 38 significant digits raise InvalidValue.
    """

    backing: ClassVar[str] = "N"
    python_type: ClassVar[tuple[type, ...]] = (int, decimal.Decimal)

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        return {"N": dump_number(value, self.name)}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return _load_decimal(self.name, attribute_value)

    def normalize(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return decimal.Decimal(value)
        return value


@attrs.frozen
class Integer(Type):
    """A whole number, stored as N and loaded as `int`.

    Accepts `int` and integral `Decimal` values such as Decimal("3") or Decimal("3.0"). A value
    with a fractional part is rejected, never truncated, and so are bool and float.
    """

    backing: ClassVar[str] = "N"
    python_type: ClassVar[tuple[type, ...]] = (int, decimal.Decimal)

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        if isinstance(value, decimal.Decimal) and value.is_finite():
            if value != value.to_integral_value():
                raise self._reject(
                    value, "has a fractional part, and Integer stores only whole numbers"
                )
            value = int(value)
        return {"N": dump_number(value, self.name)}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return _parse_integer(self.name, self._expect_backing(attribute_value, "N"))

    def normalize(self, value: Any) -> Any:
        integral = (
            isinstance(value, decimal.Decimal)
            and value.is_finite()
            and value == value.to_integral_value()
        )
        return int(value) if integral else value


@attrs.frozen
class Float(Type):
    """A binary `float`, stored as N in `repr(value)` form and loaded as `float`.

    `repr` is the shortest text that reads back as the same float, so floats round-trip exactly
    (0.1 is stored as "0.1"). Use this type only where approximate numbers are intended, because
    DynamoDB computes and compares with the stored decimal number, not the binary value. NaN and
    infinity are rejected, and so are values outside DynamoDB's range (about 1E-130 to
    9.99E+125). An `int` is accepted when a float represents it exactly.
    """

    backing: ClassVar[str] = "N"
    python_type: ClassVar[tuple[type, ...]] = (float, int)

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        if isinstance(value, int):
            as_float = _int_as_float(self, value)
            if as_float != value:
                raise self._reject(
                    value, "has no exact float value, so store it with Integer or Number"
                )
            value = as_float
        if value != value or value in (float("inf"), float("-inf")):
            raise self._reject(value, "DynamoDB numbers must be finite")
        try:
            text = dump_number(decimal.Decimal(repr(value)), self.name)
        except InvalidValue as error:
            raise self._reject(value, error.reason) from None
        return {"N": text}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return float(_load_decimal(self.name, attribute_value))

    def normalize(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                as_float = float(value)
            except OverflowError:
                return value
            return as_float if as_float == value else value
        return value


def _int_as_float(float_type: Float, value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        raise float_type._reject(value, "is too large for a float") from None


# Identifiers and times.


@attrs.frozen
class UUID(Type):
    """A `uuid.UUID`, stored as S in its canonical 36-character form."""

    backing: ClassVar[str] = "S"
    python_type: ClassVar[type] = uuid.UUID

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        return {"S": str(value)}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        text = self._expect_backing(attribute_value, "S")
        try:
            return uuid.UUID(text)
        except (TypeError, ValueError):
            raise InvalidValue(
                "stored text is not a UUID", value=text, type_name=self.name
            ) from None


def _require_aware(column_type: Type, value: datetime.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise column_type._reject(value, "naive datetimes are ambiguous; pass tzinfo=datetime.UTC")


@attrs.frozen
class DateTime(Type):
    """An aware `datetime.datetime`, stored as S in UTC ISO 8601 with microseconds.

    Every value has the same width ("2026-12-04T20:02:21.000000+00:00"), so string order in
    DynamoDB is time order. Naive datetimes are rejected because their instant is unknown. Values
    load in UTC, so they equal the dumped value but may show another UTC offset.
    """

    backing: ClassVar[str] = "S"
    python_type: ClassVar[type] = datetime.datetime

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        _require_aware(self, value)
        try:
            in_utc = value.astimezone(datetime.UTC)
        except OverflowError:
            raise self._reject(value, "is outside the years 1 to 9999 in UTC") from None
        return {"S": in_utc.isoformat(timespec="microseconds")}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        text = self._expect_backing(attribute_value, "S")
        try:
            value = datetime.datetime.fromisoformat(text)
        except (TypeError, ValueError):
            raise InvalidValue(
                "stored text is not an ISO 8601 datetime", value=text, type_name=self.name
            ) from None
        if value.tzinfo is None:
            raise InvalidValue("stored datetime has no UTC offset", value=text, type_name=self.name)
        return value.astimezone(datetime.UTC)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_ONE_SECOND = datetime.timedelta(seconds=1)


@attrs.frozen
class Timestamp(Type):
    """An aware `datetime.datetime`, stored as N in whole seconds since 1970-01-01T00:00:00Z.

    This is the format that DynamoDB's time to live (TTL) reads. A value with a fraction of a
    second is rejected rather than truncated, so a load always returns the dumped instant. Pass
    `value.replace(microsecond=0)` to drop the fraction. Naive datetimes are rejected. Values load
    in UTC.
    """

    backing: ClassVar[str] = "N"
    python_type: ClassVar[type] = datetime.datetime

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        _require_aware(self, value)
        seconds, remainder = divmod(value - _EPOCH, _ONE_SECOND)
        if remainder:
            raise self._reject(
                value,
                "Timestamp stores whole seconds. Pass value.replace(microsecond=0) to drop the "
                "fraction",
            )
        return {"N": str(seconds)}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        seconds = _parse_integer(self.name, self._expect_backing(attribute_value, "N"))
        try:
            return _EPOCH + datetime.timedelta(seconds=seconds)
        except OverflowError:
            raise InvalidValue(
                "stored number of seconds is outside the years 1 to 9999",
                value=seconds,
                type_name=self.name,
            ) from None


@attrs.frozen
class Date(Type):
    """A `datetime.date`, stored as S in ISO 8601 form ("2026-12-04").

    The form has a fixed width, so string order is date order. A `datetime.datetime` is rejected,
    although it is a subclass of date, because storing it would drop its time.
    """

    backing: ClassVar[str] = "S"
    python_type: ClassVar[type] = datetime.date

    def dump(self, value: Any) -> AttributeValue:
        self._require_instance(value)
        if isinstance(value, datetime.datetime):
            raise self._reject(
                value, "expected date, not datetime. Pass value.date(), or use DateTime"
            )
        return {"S": value.isoformat()}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        text = self._expect_backing(attribute_value, "S")
        try:
            return datetime.date.fromisoformat(text)
        except (TypeError, ValueError):
            raise InvalidValue(
                "stored text is not an ISO 8601 date", value=text, type_name=self.name
            ) from None


# Enums.


@attrs.frozen
class Enum(Type):
    """A member of an `enum.Enum` class, stored by its name (S) or by its value.

    `Enum(Color)` stores "RED". `Enum(Color, by="value")` stores the member's value: S when every
    value is a str, N when every value is an int. Other values, and classes that mix str and int
    values, are rejected when the type is built. Store `enum.Flag` combinations by value, because
    a combination has no single member name.
    """

    enum_class: type[enum.Enum]
    by: Literal["name", "value"] = "name"
    _stored_as: str = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not (isinstance(self.enum_class, type) and issubclass(self.enum_class, enum.Enum)):
            raise TypeError(f"Enum expects an enum.Enum subclass, got {self.enum_class!r}")
        if self.by == "name":
            object.__setattr__(self, "_stored_as", "S")
        elif self.by == "value":
            object.__setattr__(self, "_stored_as", _enum_value_backing(self.enum_class))
        else:
            raise ValueError(f"Enum stores members by='name' or by='value', not by={self.by!r}")

    @property
    def backing(self) -> str:  # type: ignore[override]
        # The backing depends on the member values, so it is computed when the type is built.
        return self._stored_as

    @property
    def name(self) -> str:
        return f"Enum({self.enum_class.__name__})"

    def dump(self, value: Any) -> AttributeValue:
        if not isinstance(value, self.enum_class):
            raise self._reject(value, f"expected a member of {self.enum_class.__name__}")
        if self.by == "value":
            if self.backing == "N":
                return {"N": dump_number(value.value, self.name)}
            return {"S": value.value}
        if value.name is None or value.name not in self.enum_class.__members__:
            raise self._reject(value, "has no single member name, so store it with by='value'")
        return {"S": value.name}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        stored = self._expect_backing(attribute_value, self.backing)
        if self.by == "name":
            member = self.enum_class.__members__.get(stored)
            if member is None:
                raise InvalidValue(
                    f"stored name is not a member of {self.enum_class.__name__}",
                    value=stored,
                    type_name=self.name,
                )
            return member
        if self.backing == "N":
            stored = _parse_integer(self.name, stored)
        try:
            return self.enum_class(stored)
        except ValueError:
            raise InvalidValue(
                f"stored value is not a value of {self.enum_class.__name__}",
                value=stored,
                type_name=self.name,
            ) from None


def _enum_value_backing(enum_class: type[enum.Enum]) -> str:
    """Return "S" or "N" for an enum whose member values are all str or all int."""
    backings = set()
    for member in enum_class:
        value = member.value
        if isinstance(value, str):
            backings.add("S")
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                dump_number(value)
            except InvalidValue as error:
                raise ValueError(f"{enum_class.__name__}.{member.name}: {error.reason}") from None
            backings.add("N")
        else:
            raise ValueError(
                f"Enum by value stores str or int values, but {enum_class.__name__}.{member.name} "
                f"has the value {value!r} ({type(value).__name__}); store it by='name'"
            )
    if len(backings) != 1:
        problem = "mixes str and int values" if backings else "has no members"
        raise ValueError(f"Enum by value cannot store {enum_class.__name__}: it {problem}")
    return backings.pop()


# Sets.


@attrs.frozen
class Set(Type):
    """A set of values of one element type, stored as SS, NS or BS, and loaded as `frozenset`.

    The element type must be backed by S, N or B, for example String, Number, Integer, Binary,
    UUID or DateTime. Dump accepts set and frozenset and writes the elements sorted, so equal
    sets dump equally. An empty set dumps to None, so the attribute is removed, because DynamoDB
    has no empty set, and an absent attribute loads as an empty frozenset. Two elements that
    store the same value (the same text, bytes, or number) are rejected.
    """

    element_type: Type = attrs.field(converter=_set_element_type)

    def __attrs_post_init__(self) -> None:
        if self.element_type.backing not in _SET_BACKINGS:
            element_name = self.element_type.name
            stored_as = self.element_type.backing or "a varying type"
            raise TypeError(
                f"Set elements must be stored as S, N or B, but {element_name} is stored as "
                f"{stored_as}"
            )

    @property
    def backing(self) -> str:  # type: ignore[override]
        # SS, NS or BS, following the element type.
        return _SET_BACKINGS[self.element_type.backing]

    @property
    def name(self) -> str:
        return f"Set({self.element_type.name})"

    def dump(self, value: Any) -> AttributeValue | None:
        if not isinstance(value, cabc.Set):
            raise self._reject(value, "expected set or frozenset")
        code = self.element_type.backing
        stored: dict[Any, tuple[object, Any]] = {}
        for element in value:
            wire = self._dump_element(element, code)
            key = _set_key(code, wire)
            if key in stored:
                other = stored[key][0]
                raise self._reject(
                    value,
                    f"elements {other!r} and {element!r} are both stored as {wire!r}, and a "
                    f"DynamoDB set holds each value once",
                )
            stored[key] = (element, wire)
        if not stored:
            return None
        return {self.backing: [stored[key][1] for key in sorted(stored)]}

    def _dump_element(self, element: object, code: str) -> Any:
        attribute_value = self.element_type.dump(element)
        if attribute_value is None or code not in attribute_value:
            raise self._reject(element, f"{self.element_type.name} did not store it as {code}")
        return attribute_value[code]

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        stored = self._expect_backing(attribute_value, self.backing)
        code = self.element_type.backing
        return frozenset(self.element_type.load({code: wire}) for wire in stored)

    def load_missing(self) -> Any:
        return frozenset()

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, cabc.Set):
            return value
        return frozenset(self.element_type.normalize(element) for element in value)


def _set_key(code: str, wire: Any) -> Any:
    """Return the value DynamoDB compares set elements by: "1.0" and "1" are the same number."""
    if code == "N":
        return decimal.Decimal(wire)
    if code == "B":
        return bytes(wire)
    return wire


# Lists and maps.


def _dump_nested(element_type: Type, value: object, step: str | int) -> AttributeValue | None:
    """Dump one list element or map field, storing None as NULL and naming the path on errors."""
    if value is None:
        return {"NULL": True}
    try:
        return element_type.dump(value)
    except InvalidValue as error:
        raise _nested_error(error, step) from None


def _load_nested(
    element_type: Type, attribute_value: cabc.Mapping[str, Any], step: str | int
) -> Any:
    if attribute_value.get("NULL") is True:
        return None
    try:
        return element_type.load(attribute_value)
    except InvalidValue as error:
        raise _nested_error(error, step) from None


def _empty_set_element_error(element_type: Type, value: object, index: int) -> InvalidValue:
    error = InvalidValue(
        "an empty set cannot be a list element, because DynamoDB has no empty set",
        value=value,
        type_name=element_type.name,
    )
    return _nested_error(error, index)


@attrs.frozen
class List(Type):
    """A list of values of one element type, stored as L and loaded as a tuple.

    Dump accepts list and tuple. A tuple is loaded so that frozen records holding it stay
    hashable. None elements are stored as {"NULL": True} and load back as None. An empty list is
    stored as an empty L. An empty set element is rejected, because DynamoDB cannot store it and
    dropping it would shift the later elements.
    """

    element_type: Type = attrs.field(converter=_list_element_type)
    backing: ClassVar[str] = "L"

    @property
    def name(self) -> str:
        return f"List({self.element_type.name})"

    def dump(self, value: Any) -> AttributeValue:
        if not isinstance(value, (list, tuple)):
            raise self._reject(value, "expected list or tuple")
        stored = []
        for index, element in enumerate(value):
            attribute_value = _dump_nested(self.element_type, element, index)
            if attribute_value is None:
                raise _empty_set_element_error(self.element_type, element, index)
            stored.append(attribute_value)
        return {"L": stored}

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        stored = self._expect_backing(attribute_value, "L")
        return tuple(
            _load_nested(self.element_type, element, index) for index, element in enumerate(stored)
        )

    def normalize(self, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            return value
        return tuple(_normalize_nested(self.element_type, element) for element in value)


# Map fields of an attrs record are typed with this metadata key:
# attrs.field(metadata={TYPE_METADATA: Integer()}).
TYPE_METADATA = "bloopfp.type"


@attrs.frozen(init=False, repr=False)
class Map(Type):
    """A map with named, typed fields, stored as M.

    `Map(street=String(), zip=Integer())` dumps a mapping and loads a dict with every declared
    field. `Map.of(Address)` dumps and loads instances of an attrs record class whose fields carry
    their type in metadata: `zip: int = attrs.field(metadata={TYPE_METADATA: Integer()})`.

    Every declared field is written. A None field, or a key missing from a dumped mapping, is
    stored as {"NULL": True}, so the stored map always has the same shape. A field whose type
    dumps to None (an empty set) is left out and loads as that type's `load_missing()`. On load,
    an absent field and a NULL field are both None (or `load_missing()` for absent sets), and
    stored keys that are not declared fields are ignored. Dumping a mapping with an undeclared
    key is an error, so a typo cannot lose data.
    """

    fields: tuple[tuple[str, Type], ...]
    record: type | None
    backing: ClassVar[str] = "M"

    def __init__(self, **fields: Type | type[Type]) -> None:
        self.__attrs_init__(_checked_fields(fields), None)

    @classmethod
    def of(cls, record: type) -> Map:
        """Build the Map type of an attrs record class whose fields carry TYPE_METADATA."""
        if not (isinstance(record, type) and attrs.has(record)):
            raise TypeError(f"Map.of expects an attrs class, got {record!r}")
        fields = {}
        for field in attrs.fields(record):
            field_type = field.metadata.get(TYPE_METADATA)
            if field_type is None:
                raise TypeError(
                    f"{record.__name__}.{field.name} has no bloopfp type. Declare it with "
                    f"attrs.field(metadata={{TYPE_METADATA: String()}}) or another type"
                )
            if not field.init:
                raise TypeError(
                    f"{record.__name__}.{field.name} has init=False, so a loaded map cannot set it"
                )
            fields[field.name] = field_type
        instance = cls.__new__(cls)
        instance.__attrs_init__(_checked_fields(fields), record)
        return instance

    def __repr__(self) -> str:
        if self.record is not None:
            return f"Map.of({self.record.__qualname__})"
        arguments = ", ".join(f"{name}={field_type!r}" for name, field_type in self.fields)
        return f"Map({arguments})"

    @property
    def name(self) -> str:
        if self.record is not None:
            return f"Map.of({self.record.__name__})"
        return f"Map({', '.join(name for name, _ in self.fields)})"

    def dump(self, value: Any) -> AttributeValue:
        field_values = self._field_values(value)
        stored = {}
        for field_name, field_type in self.fields:
            field_value = field_values.get(field_name)
            attribute_value = _dump_nested(field_type, field_value, field_name)
            if attribute_value is not None:
                stored[field_name] = attribute_value
        return {"M": stored}

    def _field_values(self, value: Any) -> cabc.Mapping[str, Any]:
        if self.record is not None:
            if not isinstance(value, self.record):
                raise self._reject(value, f"expected {self.record.__name__}")
            return {name: getattr(value, name) for name, _ in self.fields}
        if not isinstance(value, cabc.Mapping):
            raise self._reject(value, "expected a mapping such as dict")
        declared = {name for name, _ in self.fields}
        unknown = [key for key in value if key not in declared]
        if unknown:
            raise self._reject(
                value, f"has undeclared field {unknown[0]!r}; declared fields: {sorted(declared)}"
            )
        return value

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        stored = self._expect_backing(attribute_value, "M")
        loaded = {}
        for field_name, field_type in self.fields:
            if field_name in stored:
                loaded[field_name] = _load_nested(field_type, stored[field_name], field_name)
            else:
                loaded[field_name] = field_type.load_missing()
        if self.record is None:
            return loaded
        return self.record(**self._record_arguments(loaded))

    def _record_arguments(self, loaded: dict[str, Any]) -> dict[str, Any]:
        assert self.record is not None
        return {field.alias: loaded[field.name] for field in attrs.fields(self.record)}

    def normalize(self, value: Any) -> Any:
        """Return a dict with every declared field (None when missing), or an evolved record.

        Undeclared keys are kept, so that `validate` rejects them.
        """
        if self.record is not None:
            return self._normalize_record(value)
        if not isinstance(value, cabc.Mapping):
            return value
        normalized = dict(value)
        for field_name, field_type in self.fields:
            normalized[field_name] = _normalize_nested(field_type, value.get(field_name))
        return normalized

    def _normalize_record(self, value: Any) -> Any:
        assert self.record is not None
        if not isinstance(value, self.record):
            return value
        record: Any = value
        types = dict(self.fields)
        changes = {}
        for field in attrs.fields(self.record):
            current = getattr(record, field.name)
            normalized = _normalize_nested(types[field.name], current)
            if normalized is not current:
                changes[field.alias] = normalized
        return attrs.evolve(record, **changes) if changes else record


def _checked_fields(fields: cabc.Mapping[str, Type | type[Type]]) -> tuple[tuple[str, Type], ...]:
    checked = []
    for field_name, field_type in fields.items():
        _check_map_key(field_name)
        checked.append((field_name, as_type(field_type, f"Map field {field_name!r}")))
    return tuple(checked)


def _check_map_key(key: object) -> None:
    if not isinstance(key, str) or not key:
        raise TypeError(f"map keys must be non-empty strings, got {key!r}")
    if len(key.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        raise TypeError(f"map keys must be at most {_MAX_NAME_BYTES} bytes of UTF-8")


# Schemaless documents.


@attrs.frozen
class Dynamic(Type):
    """Any document value, with its DynamoDB type chosen from its Python type.

    Dump stores str as S, bytes and bytearray as B, bool as BOOL, int and Decimal as N, and None
    as NULL. Lists and tuples become L, and mappings with str keys become M. A set or frozenset
    becomes SS, NS or BS when its elements are all str, all numbers or all bytes. float is
    rejected, because its binary value is rarely the number it prints, so pass Decimal(str(value))
    instead.

    Load maps L to list, M to dict, sets to frozenset and NULL to None. A number loads as `int`
    when its stored text is an integer literal (digits with an optional sign), otherwise as
    `Decimal`, so counters come back as int and fractions stay exact. Either way the loaded number
    equals the dumped one. Tuples load back as lists.

    An empty set at the top level dumps to None (the attribute is removed, as for `Set`), and an
    empty set inside a list or map is rejected, because DynamoDB has no empty set.

    `backing` is "" because the stored type follows each value, and every `supports_*` property
    is True because any operator may apply.
    """

    backing: ClassVar[str] = ""

    @property
    def supports_ordering(self) -> bool:
        return True

    @property
    def supports_begins_with(self) -> bool:
        return True

    @property
    def supports_contains(self) -> bool:
        return True

    @property
    def supports_size(self) -> bool:
        return True

    def dump(self, value: Any) -> AttributeValue | None:
        if isinstance(value, cabc.Set) and not value:
            return None
        return _dump_dynamic(self.name, value)

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        return _load_dynamic(self.name, attribute_value)

    def normalize(self, value: Any) -> Any:
        """Return lists and tuples as lists, mappings as dicts and sets as frozensets.

        An empty set becomes None, because it is stored as an absent attribute.
        """
        if isinstance(value, cabc.Set) and not value:
            return None
        return _normalize_dynamic(value)


@attrs.frozen
class DynamicList(Type):
    """A schemaless list, stored as L and loaded as `list`, whose elements follow `Dynamic`."""

    backing: ClassVar[str] = "L"

    def dump(self, value: Any) -> AttributeValue:
        if not isinstance(value, (list, tuple)):
            raise self._reject(value, "expected list or tuple")
        return _dump_dynamic(self.name, value)

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        self._expect_backing(attribute_value, "L")
        return _load_dynamic(self.name, attribute_value)

    def normalize(self, value: Any) -> Any:
        return _normalize_dynamic(value)


@attrs.frozen
class DynamicMap(Type):
    """A schemaless map with str keys, stored as M and loaded as `dict` by `Dynamic`'s rules."""

    backing: ClassVar[str] = "M"

    def dump(self, value: Any) -> AttributeValue:
        if not isinstance(value, cabc.Mapping):
            raise self._reject(value, "expected a mapping such as dict")
        return _dump_dynamic(self.name, value)

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        self._expect_backing(attribute_value, "M")
        return _load_dynamic(self.name, attribute_value)

    def normalize(self, value: Any) -> Any:
        return _normalize_dynamic(value)


_DYNAMIC_SET_TYPES: tuple[tuple[type | tuple[type, ...], Type], ...] = (
    (str, String()),
    ((int, decimal.Decimal), Number()),
    ((bytes, bytearray), Binary()),
)


def _normalize_dynamic(value: Any) -> Any:
    """Return a document in the shapes that `_load_dynamic` builds, copying every container."""
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, (list, tuple)):
        return [_normalize_dynamic(element) for element in value]
    if isinstance(value, cabc.Mapping):
        return {key: _normalize_dynamic(element) for key, element in value.items()}
    if isinstance(value, cabc.Set):
        return frozenset(value)
    return value


def _dump_dynamic(type_name: str, value: object) -> AttributeValue:
    """Dump a document value by its Python type, raising InvalidValue for an empty set."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, decimal.Decimal)):
        return {"N": dump_number(value, type_name)}
    if isinstance(value, str):
        return String().dump(value)
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, (list, tuple)):
        return {"L": [_dump_dynamic_at(type_name, element, i) for i, element in enumerate(value)]}
    if isinstance(value, cabc.Mapping):
        return {"M": _dump_dynamic_map(type_name, value)}
    if isinstance(value, cabc.Set):
        return _dump_dynamic_set(type_name, value)
    if isinstance(value, float):
        raise InvalidValue(_FLOAT_REASON, value=value, type_name=type_name)
    raise InvalidValue(
        f"{type(value).__name__} has no DynamoDB type. Use str, bytes, bool, int, Decimal, None, "
        f"list, dict or set",
        value=value,
        type_name=type_name,
    )


def _dump_dynamic_at(type_name: str, value: object, step: str | int) -> AttributeValue:
    try:
        return _dump_dynamic(type_name, value)
    except InvalidValue as error:
        raise _nested_error(error, step) from None


def _dump_dynamic_map(type_name: str, value: cabc.Mapping[Any, Any]) -> AttributeValue:
    stored = {}
    for key, field_value in value.items():
        try:
            _check_map_key(key)
        except TypeError as error:
            raise InvalidValue(str(error), value=value, type_name=type_name) from None
        stored[key] = _dump_dynamic_at(type_name, field_value, key)
    return stored


def _dump_dynamic_set(type_name: str, value: cabc.Set[Any]) -> AttributeValue:
    if not value:
        raise InvalidValue(
            "an empty set cannot be stored inside a list or map, because DynamoDB has no empty "
            "set. Store None or leave the key out",
            value=value,
            type_name=type_name,
        )
    for python_type, element_type in _DYNAMIC_SET_TYPES:
        if all(_is_instance_not_bool(element, python_type) for element in value):
            attribute_value = Set(element_type).dump(value)
            assert attribute_value is not None
            return attribute_value
    if any(isinstance(element, float) for element in value):
        raise InvalidValue(_FLOAT_REASON, value=value, type_name=type_name)
    raise InvalidValue(
        "set elements must be all str, all numbers (int or Decimal) or all bytes",
        value=value,
        type_name=type_name,
    )


def _is_instance_not_bool(value: object, python_type: type | tuple[type, ...]) -> bool:
    return isinstance(value, python_type) and not isinstance(value, bool)


def _load_dynamic(type_name: str, attribute_value: cabc.Mapping[str, Any]) -> Any:
    if len(attribute_value) != 1:
        raise InvalidValue(
            "an AttributeValue has exactly one type key", value=attribute_value, type_name=type_name
        )
    [(code, stored)] = attribute_value.items()
    if code == "NULL":
        return None
    if code in ("S", "BOOL"):
        return stored
    if code == "N":
        return _load_dynamic_number(type_name, stored)
    if code == "B":
        return bytes(stored)
    if code == "L":
        return [_load_dynamic_at(type_name, element, i) for i, element in enumerate(stored)]
    if code == "M":
        return {key: _load_dynamic_at(type_name, element, key) for key, element in stored.items()}
    if code in ("SS", "NS", "BS"):
        element_code = code[0]
        return frozenset(_load_dynamic(type_name, {element_code: wire}) for wire in stored)
    raise InvalidValue(f"unknown stored type {code}", value=attribute_value, type_name=type_name)


def _load_dynamic_at(
    type_name: str, attribute_value: cabc.Mapping[str, Any], step: str | int
) -> Any:
    try:
        return _load_dynamic(type_name, attribute_value)
    except InvalidValue as error:
        raise _nested_error(error, step) from None


def _load_dynamic_number(type_name: str, text: Any) -> int | decimal.Decimal:
    number = _parse_number(type_name, text)
    digits = text.lstrip("+-") if isinstance(text, str) else ""
    if digits.isdigit() and digits.isascii():
        return int(number)
    return number


# Types built on other types.


@attrs.frozen
class Transform(Type):
    """Base class of types that convert a value and store the result with another type.

    Subclasses set `stored_type` (a column type instance) and `python_type`, and implement
    `to_stored` and `from_stored`. The backing, the operator support and the empty-value rules
    follow `stored_type`. A ValueError or TypeError raised by a conversion becomes InvalidValue.

    >>> import pathlib
    >>> @attrs.frozen
    ... class PosixPath(Transform):
    ...     '''A pathlib.PurePosixPath, stored as S.'''
    ...     stored_type: ClassVar[Type] = String()
    ...     python_type: ClassVar[type] = pathlib.PurePosixPath
    ...
    ...     def to_stored(self, value):
    ...         return str(value)
    ...
    ...     def from_stored(self, stored):
    ...         return pathlib.PurePosixPath(stored)
    >>> PosixPath().dump(pathlib.PurePosixPath("/var/log"))
    {'S': '/var/log'}
    >>> PosixPath().backing
    'S'
    """

    stored_type: ClassVar[Type]

    @property
    def backing(self) -> str:  # type: ignore[override]
        # The backing follows the stored type.
        return self.stored_type.backing

    def to_stored(self, value: Any) -> Any:
        """Convert a Python value to the value that `stored_type` dumps."""
        raise NotImplementedError(f"{self.name} does not implement to_stored")

    def from_stored(self, stored: Any) -> Any:
        """Convert a value loaded by `stored_type` back to the Python value."""
        raise NotImplementedError(f"{self.name} does not implement from_stored")

    def dump(self, value: Any) -> AttributeValue | None:
        self._require_instance(value)
        try:
            stored = self.to_stored(value)
        except (TypeError, ValueError) as error:
            raise self._reject(value, f"conversion failed: {error}") from None
        return self.stored_type.dump(stored)

    def load(self, attribute_value: cabc.Mapping[str, Any]) -> Any:
        stored = self.stored_type.load(attribute_value)
        try:
            return self.from_stored(stored)
        except (TypeError, ValueError) as error:
            raise InvalidValue(
                f"conversion of the stored value failed: {error}", value=stored, type_name=self.name
            ) from None

    def load_missing(self) -> Any:
        missing = self.stored_type.load_missing()
        return None if missing is None else self.from_stored(missing)
