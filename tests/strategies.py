"""Hypothesis strategies for bloopfp: hostile names, generated models, records and conditions.

Models are built at run time the way a user would declare them: a class made with
`type(name, (), namespace)` whose namespace contains `column(...)` declarations, passed to
`model(table_name=...)`. Conditions are drawn as plain recipes (nested tuples) and built with
`build_condition`, so a test can build the same condition twice from the same inputs.
"""

from __future__ import annotations

import decimal
import keyword
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from bloopfp import conditions, types
from bloopfp.models import Column, GlobalSecondaryIndex, column, model, spec_of

# Words that DynamoDB reserves in expressions, which a request may use only through placeholders.
RESERVED_WORDS = (
    "name",
    "status",
    "size",
    "data",
    "key",
    "count",
    "values",
    "order",
    "date",
    "year",
    "user",
    "comment",
    "timestamp",
    "type",
    "value",
    "table",
    "index",
    "between",
    "set",
    "remove",
)

# DynamoDB attribute names that would break an expression if written into it as text.
HOSTILE_NAMES = (
    "a.b#c :d",
    "[0]",
    "a[1]",
    "#n0",
    "#n1",
    ":v0",
    ":v1",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "size(x)",
    "x y",
    "a,b",
    "(",
    ")",
    "=",
    "<>",
    ".",
    "'quoted'",
    '"double"',
    "line\nbreak",
    "ünïcødé",
    "名前",
    "🦆",
)

KEY_TYPES = (types.String(), types.Integer(), types.Number(), types.Binary())
VALUE_TYPES = (*KEY_TYPES, types.Boolean(), types.Set(types.String()))
ORDERED_OPERATORS = ("<", "<=", ">", ">=")
TEXT = st.characters(blacklist_categories=("Cs",))


def _usable_identifier(text: str) -> bool:
    # attrs writes each field name into generated __init__ source, so a name that Python would
    # normalize (NFKC) or that collides with the `self` parameter cannot be a column name.
    return (
        text.isidentifier()
        and not keyword.iskeyword(text)
        and not text.startswith("_")
        and text != "self"
        and unicodedata.normalize("NFKC", text) == text
    )


def python_names() -> st.SearchStrategy[str]:
    """Draw Python attribute names for columns, reserved DynamoDB words among them."""
    letters = st.characters(categories=("Ll", "Lu", "Lo"))
    generated = st.text(st.one_of(letters, st.sampled_from("_0123456789")), min_size=1, max_size=8)
    return st.one_of(st.sampled_from(RESERVED_WORDS), generated.filter(_usable_identifier))


def attribute_names() -> st.SearchStrategy[str]:
    """Draw DynamoDB attribute names: reserved words, hostile text and arbitrary Unicode."""
    return st.one_of(
        st.sampled_from(RESERVED_WORDS),
        st.sampled_from(HOSTILE_NAMES),
        st.text(TEXT, min_size=1, max_size=12),
    )


def table_names() -> st.SearchStrategy[str]:
    """Draw table and index names in DynamoDB's alphabet (3 to 255 of a-z A-Z 0-9 _ . -)."""
    return st.from_regex(r"[A-Za-z0-9_.\-]{3,24}", fullmatch=True)


def class_names() -> st.SearchStrategy[str]:
    return st.from_regex(r"[A-Z][A-Za-z0-9]{0,10}", fullmatch=True)


# Values of column types.


def values_of(column_type: types.Type, *, required: bool = False) -> st.SearchStrategy[Any]:
    """Draw Python values that `column_type` stores.

    `required` values are the ones DynamoDB accepts in a table or index key: no empty string or
    bytes. Sets are never empty, because an empty set cannot be compared with.
    """
    minimum = 1 if required else 0
    if isinstance(column_type, types.String):
        return st.text(TEXT, min_size=minimum, max_size=12)
    if isinstance(column_type, types.Binary):
        return st.binary(min_size=minimum, max_size=12)
    if isinstance(column_type, types.Integer):
        return st.integers(min_value=-(10**20), max_value=10**20)
    if isinstance(column_type, types.Number):
        return st.decimals(
            min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False
        )
    if isinstance(column_type, types.Boolean):
        return st.booleans()
    if isinstance(column_type, types.Set):
        element = values_of(column_type.element_type, required=True)
        return st.frozensets(element, min_size=1, max_size=4)
    raise NotImplementedError(f"no value strategy for {column_type!r}")


def wire_order(column_type: types.Type, value: Any) -> Any:
    """Return the sort key by which DynamoDB orders a stored S, N or B value."""
    dumped = column_type.dump(value)
    assert dumped is not None
    ((code, raw),) = dumped.items()
    if code == "N":
        return decimal.Decimal(raw)
    if code == "S":
        return raw.encode("utf-8")
    return bytes(raw)


# Models.


@st.composite
def column_layouts(draw: st.DrawFn) -> list[tuple[str, str | None]]:
    """Draw 2 to 6 (python name, dynamo_name or None) pairs whose DynamoDB names are distinct."""
    pair = st.tuples(python_names(), st.one_of(st.none(), attribute_names()))
    return draw(
        st.lists(pair, min_size=2, max_size=6, unique_by=lambda p: p[0]).filter(
            lambda pairs: len({dynamo or name for name, dynamo in pairs}) == len(pairs)
        )
    )


@st.composite
def models(
    draw: st.DrawFn,
    *,
    range_key: bool | None = None,
    global_index: bool | None = None,
) -> Any:
    """Draw a concrete model class with a hash key, maybe a range key and maybe one GSI.

    `range_key` and `global_index` force the choice when given.
    """
    layout = draw(column_layouts())
    with_range = draw(st.booleans()) if range_key is None else range_key
    with_index = draw(st.booleans()) if global_index is None else global_index
    namespace: dict[str, Any] = {}
    key_count = 2 if with_range else 1
    for position, (name, dynamo_name) in enumerate(layout):
        is_key = position < key_count
        column_type = draw(st.sampled_from(KEY_TYPES if is_key else VALUE_TYPES))
        namespace[name] = column(
            column_type,
            hash_key=position == 0,
            range_key=with_range and position == 1,
            dynamo_name=dynamo_name,
        )
    index_columns = [
        name
        for position, (name, _) in enumerate(layout)
        if position >= key_count and namespace[name].type.backing in ("S", "N", "B")
    ]
    if with_index and index_columns:
        index_attribute = "by_index"
        while index_attribute in namespace:
            index_attribute += "_"
        namespace[index_attribute] = GlobalSecondaryIndex(
            hash_key=draw(st.sampled_from(index_columns)),
            projection=draw(st.sampled_from(("all", "keys"))),
            dynamo_name=draw(table_names()),
        )
    declared = type(draw(class_names()), (), namespace)
    return model(declared, table_name=draw(table_names()))


def index_key_names(model_cls: Any) -> set[str]:
    """Return the Python names of every column that is a key of the table or of an index."""
    spec = spec_of(model_cls)
    names = {c.name for c in spec.keys}
    for index in spec.indexes:
        names.add(index.hash_key)
        if index.range_key:
            names.add(index.range_key)
    return names


@st.composite
def records(draw: st.DrawFn, model_cls: Any, fixed: Mapping[str, Any] | None = None) -> Any:
    """Draw a record of `model_cls`; columns named in `fixed` take the given values.

    Columns outside any key may be None, which stores them as absent attributes.
    """
    fixed = fixed or {}
    required = index_key_names(model_cls)
    values: dict[str, Any] = {}
    for col in spec_of(model_cls).columns:
        if col.name in fixed:
            values[col.name] = fixed[col.name]
            continue
        strategy = values_of(col.type, required=col.name in required)
        if not col.is_key:
            strategy = st.one_of(st.none(), strategy)
        values[col.name] = draw(strategy)
    return model_cls(**values)


# Conditions, drawn as recipes and built by build_condition.

Recipe = tuple[Any, ...]


def _leaf_recipes(model_cls: Any, names: Sequence[str] | None) -> st.SearchStrategy[Recipe]:
    columns = [c for c in spec_of(model_cls).columns if names is None or c.name in names]
    return st.sampled_from(columns).flatmap(_leaf_recipes_on)


def _leaf_recipes_on(col: Column) -> st.SearchStrategy[Recipe]:
    values = values_of(col.type, required=True)
    choices = [
        st.tuples(st.just("compare"), st.sampled_from(("=", "<>")), st.just(col.name), values),
        st.tuples(st.just("in"), st.just(col.name), st.lists(values, min_size=1, max_size=4)),
        st.tuples(st.just("exists"), st.just(col.name)),
        st.tuples(st.just("not_exists"), st.just(col.name)),
    ]
    if col.type.backing in ("S", "N", "B"):
        choices.append(
            st.tuples(
                st.just("compare"), st.sampled_from(ORDERED_OPERATORS), st.just(col.name), values
            )
        )
        bounds = st.lists(values, min_size=2, max_size=2).map(
            lambda pair: sorted(pair, key=lambda v: wire_order(col.type, v))
        )
        choices.append(st.tuples(st.just("between"), st.just(col.name), bounds))
    if col.type.backing == "S":
        choices.append(st.tuples(st.just("begins_with"), st.just(col.name), values))
    return st.one_of(choices)


def condition_recipes(
    model_cls: Any, names: Sequence[str] | None = None
) -> st.SearchStrategy[Recipe]:
    """Draw nested recipes of comparisons, between, in, begins_with, exists and and/or/not.

    `names` limits the recipes to those columns, by Python name (all columns when None).
    """
    return st.recursive(
        _leaf_recipes(model_cls, names),
        lambda inner: st.one_of(
            st.tuples(st.just("and"), st.lists(inner, min_size=2, max_size=3)),
            st.tuples(st.just("or"), st.lists(inner, min_size=2, max_size=3)),
            st.tuples(st.just("not"), inner),
        ),
        max_leaves=8,
    )


_COMPARE: dict[str, Callable[[Any, Any], conditions.Condition]] = {
    "=": conditions.eq,
    "<>": conditions.ne,
    "<": conditions.lt,
    "<=": conditions.le,
    ">": conditions.gt,
    ">=": conditions.ge,
}


def build_condition(model_cls: Any, recipe: Recipe) -> conditions.Condition:
    """Build the condition that a recipe from `condition_recipes` describes."""
    kind = recipe[0]
    if kind == "and":
        return conditions.and_(*(build_condition(model_cls, child) for child in recipe[1]))
    if kind == "or":
        return conditions.or_(*(build_condition(model_cls, child) for child in recipe[1]))
    if kind == "not":
        return conditions.not_(build_condition(model_cls, recipe[1]))
    if kind == "compare":
        _, operator, name, value = recipe
        return _COMPARE[operator](getattr(model_cls, name), value)
    reference = getattr(model_cls, recipe[1])
    if kind == "between":
        low, high = recipe[2]
        return conditions.between(reference, low, high)
    if kind == "in":
        return conditions.in_(reference, recipe[2])
    if kind == "begins_with":
        return conditions.begins_with(reference, recipe[2])
    if kind == "exists":
        return conditions.exists(reference)
    if kind == "not_exists":
        return conditions.not_exists(reference)
    raise ValueError(f"unknown condition recipe {kind!r}")


def conditions_of(model_cls: Any) -> st.SearchStrategy[conditions.Condition]:
    """Draw conditions over the columns of `model_cls`."""
    return condition_recipes(model_cls).map(lambda recipe: build_condition(model_cls, recipe))


@st.composite
def models_with_conditions(draw: st.DrawFn) -> tuple[Any, conditions.Condition]:
    model_cls = draw(models())
    return model_cls, draw(conditions_of(model_cls))
