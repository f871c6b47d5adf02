"""DynamoDB's limits on indexes, projections, key values and filters, checked before sending."""

from __future__ import annotations

from typing import Any

import pytest

from bloopfp import GlobalSecondaryIndex, LocalSecondaryIndex, column, model, types
from bloopfp.errors import InvalidModel, InvalidRequest, InvalidValue, MissingKey
from bloopfp.items import dump_key
from bloopfp.operations import key, query, scan


def build_model(name: str, namespace: dict[str, Any], *, range_key: bool = True) -> Any:
    """Build a concrete model class with a string hash key `pk` and the given attributes."""
    body: dict[str, Any] = {"pk": column(types.String, hash_key=True)}
    if range_key:
        body["sk"] = column(types.String, range_key=True)
    body.update(namespace)
    return model(table_name="limits_table")(type(name, (), body))


def columns(count: int, prefix: str = "c") -> dict[str, Any]:
    return {f"{prefix}{i}": column(types.String) for i in range(count)}


# Index counts.


def test_five_local_indexes_accepted() -> None:
    namespace = columns(5)
    namespace |= {f"lsi{i}": LocalSecondaryIndex(range_key=f"c{i}") for i in range(5)}

    built = build_model("FiveLocal", namespace)

    assert len(built.__bloopfp__.indexes) == 5


def test_six_local_indexes_rejected() -> None:
    namespace = columns(6)
    namespace |= {f"lsi{i}": LocalSecondaryIndex(range_key=f"c{i}") for i in range(6)}

    with pytest.raises(InvalidModel) as caught:
        build_model("SixLocal", namespace)

    assert caught.value.model == "SixLocal"
    assert "6 local secondary indexes" in caught.value.problem
    assert "'lsi5'" in caught.value.problem


def test_twenty_global_indexes_accepted() -> None:
    namespace = columns(20)
    namespace |= {f"gsi{i}": GlobalSecondaryIndex(hash_key=f"c{i}") for i in range(20)}

    built = build_model("TwentyGlobal", namespace)

    assert len(built.__bloopfp__.indexes) == 20


def test_twenty_one_global_indexes_rejected() -> None:
    namespace = columns(21)
    namespace |= {f"gsi{i}": GlobalSecondaryIndex(hash_key=f"c{i}") for i in range(21)}

    with pytest.raises(InvalidModel) as caught:
        build_model("ManyGlobal", namespace)

    assert caught.value.model == "ManyGlobal"
    assert "21 global secondary indexes" in caught.value.problem
    assert "'gsi20'" in caught.value.problem


# Index keys and projections.


def test_global_index_same_hash_and_range_rejected() -> None:
    namespace = columns(1) | {"by_c0": GlobalSecondaryIndex(hash_key="c0", range_key="c0")}

    with pytest.raises(InvalidModel) as caught:
        build_model("SameKeys", namespace)

    assert "index 'by_c0'" in caught.value.problem
    assert "both hash key and range key" in caught.value.problem


def test_duplicate_projected_column_rejected() -> None:
    namespace = columns(2) | {"by_c0": GlobalSecondaryIndex(hash_key="c0", projection=["c1", "c1"])}

    with pytest.raises(InvalidModel) as caught:
        build_model("Duplicate", namespace)

    assert "index 'by_c0' projects column 'c1' twice" in caught.value.problem


def test_twenty_projected_in_one_index_accepted() -> None:
    projected = [f"c{i}" for i in range(1, 21)]
    namespace = columns(21) | {"by_c0": GlobalSecondaryIndex(hash_key="c0", projection=projected)}

    assert build_model("TwentyProjected", namespace).__bloopfp__.name == "TwentyProjected"


def test_keys_not_counted_as_projected() -> None:
    projected = ["pk", "sk", "c0", *(f"c{i}" for i in range(1, 21))]
    namespace = columns(21) | {"by_c0": GlobalSecondaryIndex(hash_key="c0", projection=projected)}

    assert build_model("KeysProjected", namespace).__bloopfp__.name == "KeysProjected"


def test_twenty_one_projected_in_one_index_rejected() -> None:
    projected = [f"c{i}" for i in range(1, 22)]
    namespace = columns(22) | {"by_c0": GlobalSecondaryIndex(hash_key="c0", projection=projected)}

    with pytest.raises(InvalidModel) as caught:
        build_model("WideIndex", namespace)

    assert "index 'by_c0' projects 21 non-key attributes" in caught.value.problem


def test_projected_total_over_hundred_rejected() -> None:
    namespace = columns(6, "h") | columns(17)
    projected = [f"c{i}" for i in range(17)]
    namespace |= {
        f"gsi{i}": GlobalSecondaryIndex(hash_key=f"h{i}", projection=projected) for i in range(6)
    }

    with pytest.raises(InvalidModel) as caught:
        build_model("Projected", namespace)

    assert caught.value.model == "Projected"
    assert "102 non-key attributes" in caught.value.problem
    assert "'gsi0' 17" in caught.value.problem


def test_projected_total_hundred_accepted() -> None:
    namespace = columns(5, "h") | columns(20)
    projected = [f"c{i}" for i in range(20)]
    namespace |= {
        f"gsi{i}": GlobalSecondaryIndex(hash_key=f"h{i}", projection=projected) for i in range(5)
    }

    assert build_model("Hundred", namespace).__bloopfp__.name == "Hundred"


# Key value sizes and empty index keys.


@model(table_name="limits_keys")
class Keyed:
    pk: str = column(types.String, hash_key=True)
    sk: bytes = column(types.Binary, range_key=True)
    email: str | None = column(types.String)
    rank: str | None = column(types.String)
    note: str | None = column(types.String)
    by_email = GlobalSecondaryIndex(hash_key="email", range_key="rank")
    by_note = LocalSecondaryIndex(range_key="note")


def test_hash_key_at_limit_accepted() -> None:
    assert len(Keyed(pk="é" * 1024, sk=b"s").pk.encode()) == 2048


def test_hash_key_over_limit_rejected() -> None:
    with pytest.raises(InvalidValue) as caught:
        Keyed(pk="é" * 1024 + "x", sk=b"s")

    assert caught.value.model == "Keyed"
    assert caught.value.column == "pk"
    assert "is 2049 bytes" in str(caught.value)
    assert "partition key value to 2048 bytes" in str(caught.value)


def test_range_key_over_limit_rejected() -> None:
    Keyed(pk="p", sk=b"s" * 1024)

    with pytest.raises(InvalidValue) as caught:
        Keyed(pk="p", sk=b"s" * 1025)

    assert caught.value.column == "sk"
    assert "is 1025 bytes" in str(caught.value)
    assert "sort key value to 1024 bytes" in str(caught.value)


@pytest.mark.parametrize(
    ("values", "column_name", "message"),
    [
        ({"email": "e" * 2049}, "email", "partition key of index 'by_email' value to 2048"),
        ({"rank": "r" * 1025}, "rank", "sort key of index 'by_email' value to 1024"),
        ({"note": "n" * 1025}, "note", "sort key of index 'by_note' value to 1024"),
    ],
)
def test_index_key_over_limit_rejected(
    values: dict[str, str], column_name: str, message: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        Keyed(pk="p", sk=b"s", **values)

    assert caught.value.column == column_name
    assert message in str(caught.value)


def test_index_keys_at_limit_accepted() -> None:
    record = Keyed(pk="p", sk=b"s", email="e" * 2048, rank="r" * 1024, note="n" * 1024)

    assert record.email is not None


@pytest.mark.parametrize("column_name", ["email", "rank", "note"])
def test_empty_index_key_rejected(column_name: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Keyed(pk="p", sk=b"s", **{column_name: ""})

    assert caught.value.model == "Keyed"
    assert caught.value.column == column_name
    assert "empty string or binary value in an index key" in str(caught.value)
    assert "store None" in str(caught.value)


def test_absent_index_key_accepted() -> None:
    assert Keyed(pk="p", sk=b"s", email=None).email is None


def test_empty_table_key_still_missing_key() -> None:
    with pytest.raises(MissingKey):
        Keyed(pk="p", sk=b"")


def test_key_builder_checks_size() -> None:
    with pytest.raises(InvalidValue, match="is 2049 bytes"):
        key(Keyed, {"pk": "k" * 2049, "sk": b"s"})


def test_dump_key_checks_size() -> None:
    with pytest.raises(InvalidValue, match="is 1025 bytes"):
        dump_key(Keyed, {"pk": "p", "sk": b"s" * 1025})


def test_number_keys_have_no_size_check() -> None:
    @model(table_name="limits_numbers")
    class Numbered:
        pk: int = column(types.Integer, hash_key=True)

    assert Numbered(pk=10**37).pk == 10**37


# Filters of queries and scans.


@model(table_name="limits_filters")
class Filtered:
    pk: str = column(types.String, hash_key=True)
    sk: str = column(types.String, range_key=True)
    email: str | None = column(types.String)
    status: str | None = column(types.String)
    total: int | None = column(types.Integer)
    note: str | None = column(types.String)
    by_email = GlobalSecondaryIndex(hash_key="email", projection="keys")
    by_status = GlobalSecondaryIndex(hash_key="status", range_key="email", projection=["total"])
    by_total = GlobalSecondaryIndex(hash_key="total", projection="all")
    by_note = LocalSecondaryIndex(range_key="note", projection="keys")


def test_global_index_filter_unprojected_rejected() -> None:
    with pytest.raises(InvalidRequest) as caught:
        query(Filtered.by_email, Filtered.email == "a@b", filter=Filtered.total > 3)

    message = str(caught.value)
    assert "global index 'by_email'" in message
    assert "'total'" in message
    assert "query the table" in message


def test_global_index_nested_filter_unprojected_rejected() -> None:
    condition = (Filtered.total > 3) & ~((Filtered.total < 1) | (Filtered.note.size() > 1))

    with pytest.raises(InvalidRequest, match="'note'"):
        query(Filtered.by_status, Filtered.status == "open", filter=condition)


def test_global_index_filter_projected_accepted() -> None:
    built = query(
        Filtered.by_status,
        Filtered.status == "open",
        filter=(Filtered.total > 3) & (Filtered.pk == "p") & Filtered.sk.begins_with("s"),
    )

    assert built.filter is not None


def test_global_index_projecting_all_accepts_any_filter() -> None:
    built = query(Filtered.by_total, Filtered.total == 3, filter=Filtered.note == "n")

    assert built.filter is not None


def test_local_index_filter_unprojected_accepted() -> None:
    built = query(
        Filtered.by_note, (Filtered.pk == "p") & (Filtered.note == "n"), filter=Filtered.total > 1
    )

    assert built.filter is not None


def test_scan_global_index_filter_unprojected_rejected() -> None:
    with pytest.raises(InvalidRequest, match=r"global index 'by_email'.*'status'"):
        scan(Filtered.by_email, filter=Filtered.status == "open")


def test_scan_filter_on_keys_accepted() -> None:
    built = scan(Filtered, filter=(Filtered.pk == "p") & (Filtered.sk > "a"))

    assert built.filter is not None


@pytest.mark.parametrize("key_filter", [Filtered.pk == "p", Filtered.sk.begins_with("s")])
def test_query_filter_on_table_key_rejected(key_filter: Any) -> None:
    with pytest.raises(InvalidRequest) as caught:
        query(Filtered, Filtered.pk == "p", filter=key_filter)

    message = str(caught.value)
    assert "query on Filtered reads key column" in message
    assert "key condition" in message


def test_query_filter_on_index_key_rejected() -> None:
    with pytest.raises(InvalidRequest, match=r"Filtered\.by_status reads key column 'email'"):
        query(Filtered.by_status, Filtered.status == "open", filter=Filtered.email == "a")


def test_query_index_filter_on_table_key_accepted() -> None:
    built = query(Filtered.by_total, Filtered.total == 3, filter=Filtered.pk == "p")

    assert built.filter is not None


# Declarations that would be lost or clash.


def test_plain_mixin_column_rejected() -> None:
    class Mixin:
        extra = column(types.String)

    with pytest.raises(InvalidModel) as caught:

        @model(table_name="limits_mixins")
        class WithMixin(Mixin):
            pk: str = column(types.String, hash_key=True)

    assert caught.value.model.endswith("WithMixin")
    assert "column 'extra'" in caught.value.problem
    assert "@model(abstract=True)" in caught.value.problem


def test_plain_mixin_index_rejected() -> None:
    class Mixin:
        by_extra = GlobalSecondaryIndex(hash_key="extra")

    with pytest.raises(InvalidModel, match="index 'by_extra'"):

        @model(table_name="limits_mixins")
        class WithMixin(Mixin):
            pk: str = column(types.String, hash_key=True)
            extra: str | None = column(types.String)


def test_abstract_mixin_column_inherited() -> None:
    @model(abstract=True)
    class Mixin:
        extra: str | None = column(types.String)

    @model(table_name="limits_mixins")
    class WithMixin(Mixin):
        pk: str = column(types.String, hash_key=True)

    assert WithMixin(pk="x", extra="y").extra == "y"


def test_plain_base_without_columns_accepted() -> None:
    class Helper:
        def shout(self) -> str:
            return "hi"

    @model(table_name="limits_mixins")
    class WithHelper(Helper):
        pk: str = column(types.String, hash_key=True)

    assert WithHelper(pk="x").shout() == "hi"


@pytest.mark.parametrize("name", ["__bloopfp__", "__dunder__", "_private"])
def test_underscore_column_name_rejected(name: str) -> None:
    namespace = {name: column(types.String)}

    with pytest.raises(InvalidModel) as caught:
        build_model("Underscored", namespace, range_key=False)

    assert f"column name {name!r} starts with an underscore" in caught.value.problem
    assert f"dynamo_name={name!r}" in caught.value.problem


def test_underscore_dynamo_name_accepted() -> None:
    namespace = {"private": column(types.String, dynamo_name="_private")}

    built = build_model("Renamed", namespace, range_key=False)

    assert built.__bloopfp__.column("private").key_name == "_private"
