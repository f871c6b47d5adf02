"""Model declarations and records: frozen slotted records, inheritance and declaration errors."""

from __future__ import annotations

import decimal
import uuid
from typing import Any

import attrs
import pytest
import strategies
from hypothesis import given
from hypothesis import strategies as st

from bloopfp import GlobalSecondaryIndex, LocalSecondaryIndex, column, model, types
from bloopfp.errors import InvalidModel, InvalidValue, MissingKey, UnknownColumn
from bloopfp.items import dump_item, load_item
from bloopfp.models import require_concrete, spec_of
from bloopfp.refs import ColumnRef


@model(table_name="accounts")
class Account:
    id: uuid.UUID = column(types.UUID, hash_key=True)
    email: str | None = column(types.String)
    balance: decimal.Decimal | None = column(types.Number)
    by_email = GlobalSecondaryIndex(hash_key="email", projection="keys")


@model(abstract=True)
class Timestamped:
    created: int | None = column(types.Integer)


@model(abstract=True)
class Owned:
    owner: str | None = column(types.String, dynamo_name="owner name")
    by_owner = GlobalSecondaryIndex(hash_key="owner", projection="all")


@model(table_name="documents")
class Document(Timestamped, Owned):
    id: str = column(types.String, hash_key=True)
    title: str | None = column(types.String)


@model(table_name="notes")
class Note(Timestamped):
    id: str = column(types.String, hash_key=True)


ADA = uuid.UUID(int=1)


def declare(table_name: str = "things", **namespace: Any) -> Any:
    """Declare a concrete model from keyword arguments, the way tests build hostile models."""
    return model(type("Thing", (), namespace), table_name=table_name)


# Records.


def test_record_is_frozen() -> None:
    account = Account(id=ADA, email="ada@example.com")

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        account.email = "other@example.com"  # type: ignore[misc]

    assert account.email == "ada@example.com"


def test_record_is_slotted() -> None:
    account = Account(id=ADA)

    assert not hasattr(account, "__dict__")
    assert "email" in type(account).__slots__


def test_record_from_mixins_is_slotted() -> None:
    document = Document(id="d1", owner="ada")

    assert not hasattr(document, "__dict__")


def test_records_compare_by_value() -> None:
    first = Account(id=ADA, email="a@example.com", balance=decimal.Decimal("1.50"))
    second = Account(id=ADA, email="a@example.com", balance=decimal.Decimal("1.50"))
    other = Account(id=ADA, email="b@example.com", balance=decimal.Decimal("1.50"))

    assert first == second
    assert hash(first) == hash(second)
    assert first != other


def test_absent_column_defaults_to_none() -> None:
    account = Account(id=ADA)

    assert account.email is None
    assert account.balance is None


def test_evolve_reruns_validators() -> None:
    account = Account(id=ADA, email="ada@example.com")

    with pytest.raises(InvalidValue):
        attrs.evolve(account, email=42)


def test_evolve_keeps_original() -> None:
    account = Account(id=ADA, email="ada@example.com")

    changed = attrs.evolve(account, email="new@example.com")

    assert changed.email == "new@example.com"
    assert account.email == "ada@example.com"


def test_evolve_rejects_empty_key() -> None:
    note = Note(id="n1")

    with pytest.raises(MissingKey):
        attrs.evolve(note, id="")


def test_class_attribute_is_column_reference() -> None:
    reference = Account.email

    assert isinstance(reference, ColumnRef)
    assert reference.column.name == "email"
    assert reference.model is Account


def test_renamed_column_reference_path() -> None:
    reference = Document.owner

    assert reference.path.segments == ("owner name",)


def test_index_is_bound_to_model() -> None:
    assert Account.by_email.model is Account
    assert Account.by_email.name == "by_email"


# Abstract bases and mixins.


def test_mixins_share_columns() -> None:
    names = [c.name for c in spec_of(Document).columns]

    assert set(names) == {"created", "owner", "id", "title"}
    assert len(names) == 4


def test_mixin_index_is_inherited() -> None:
    index = Document.by_owner

    assert isinstance(index, GlobalSecondaryIndex)
    assert index.model is Document
    assert [i.name for i in spec_of(Document).indexes] == ["by_owner"]


def test_mixin_columns_hold_values() -> None:
    document = Document(id="d1", created=7, owner="ada", title="Notes")

    assert document.created == 7
    assert document.owner == "ada"
    assert dump_item(document)["owner name"] == {"S": "ada"}


def test_one_mixin_serves_two_models() -> None:
    note = Note(id="n1", created=3)

    assert note.created == 3
    assert Note.created.model is Note
    assert Document.created.model is Document


def test_abstract_model_has_no_table() -> None:
    with pytest.raises(InvalidModel):
        require_concrete(Timestamped)


def test_abstract_spec_is_abstract() -> None:
    spec = spec_of(Owned)

    assert spec.abstract
    assert spec.table_name is None


# Declaration errors.


def test_model_without_hash_key() -> None:
    with pytest.raises(InvalidModel, match="no hash key"):
        declare(id=column(types.String))


def test_model_with_two_hash_keys() -> None:
    with pytest.raises(InvalidModel, match="more than one hash key"):
        declare(
            first=column(types.String, hash_key=True),
            second=column(types.String, hash_key=True),
        )


def test_model_with_two_range_keys() -> None:
    with pytest.raises(InvalidModel, match="more than one range key"):
        declare(
            id=column(types.String, hash_key=True),
            first=column(types.Integer, range_key=True),
            second=column(types.Integer, range_key=True),
        )


def test_local_index_without_range_key() -> None:
    with pytest.raises(InvalidModel, match="range key"):
        declare(
            id=column(types.String, hash_key=True),
            rank=column(types.Integer),
            by_rank=LocalSecondaryIndex(range_key="rank"),
        )


def test_index_names_unknown_column() -> None:
    with pytest.raises(InvalidModel, match="unknown column 'emial'"):
        declare(
            id=column(types.String, hash_key=True),
            email=column(types.String),
            by_email=GlobalSecondaryIndex(hash_key="emial"),
        )


def test_index_projects_unknown_column() -> None:
    with pytest.raises(InvalidModel, match="projects unknown column 'nope'"):
        declare(
            id=column(types.String, hash_key=True),
            email=column(types.String),
            by_email=GlobalSecondaryIndex(hash_key="email", projection=["nope"]),
        )


def test_boolean_hash_key() -> None:
    with pytest.raises(InvalidModel, match="must be S, N or B") as raised:
        declare(flag=column(types.Boolean, hash_key=True))

    assert "flag" in str(raised.value)


def test_boolean_range_key() -> None:
    with pytest.raises(InvalidModel, match="must be S, N or B"):
        declare(
            id=column(types.String, hash_key=True),
            flag=column(types.Boolean, range_key=True),
        )


def test_boolean_index_key() -> None:
    with pytest.raises(InvalidModel, match="must be S, N or B"):
        declare(
            id=column(types.String, hash_key=True),
            flag=column(types.Boolean),
            by_flag=GlobalSecondaryIndex(hash_key="flag"),
        )


def test_provisioned_billing_without_units() -> None:
    with pytest.raises(InvalidModel, match="read_units and write_units"):
        model(
            type("Thing", (), {"id": column(types.String, hash_key=True)}),
            table_name="things",
            billing="provisioned",
        )


def test_provisioned_index_without_units() -> None:
    namespace = {
        "id": column(types.String, hash_key=True),
        "email": column(types.String),
        "by_email": GlobalSecondaryIndex(hash_key="email"),
    }

    with pytest.raises(InvalidModel, match="by_email"):
        model(
            type("Thing", (), namespace),
            table_name="things",
            billing="provisioned",
            read_units=1,
            write_units=1,
        )


def test_two_columns_share_dynamo_name() -> None:
    with pytest.raises(InvalidModel, match="share the DynamoDB name"):
        declare(
            id=column(types.String, hash_key=True),
            first=column(types.String, dynamo_name="x"),
            x=column(types.String),
        )


def test_table_name_too_short() -> None:
    with pytest.raises(InvalidModel, match="3 to 255"):
        declare(table_name="ab", id=column(types.String, hash_key=True))


def test_index_name_too_short() -> None:
    with pytest.raises(InvalidModel):
        declare(
            id=column(types.String, hash_key=True),
            email=column(types.String),
            ix=GlobalSecondaryIndex(hash_key="email"),
        )


def test_table_name_with_space() -> None:
    with pytest.raises(InvalidModel):
        declare(table_name="bad name!", id=column(types.String, hash_key=True))


def test_default_table_name_not_ascii() -> None:
    with pytest.raises(InvalidModel):
        model(type("Café", (), {"id": column(types.String, hash_key=True)}))


def test_key_name_too_long() -> None:
    with pytest.raises(InvalidModel):
        declare(id=column(types.String, hash_key=True, dynamo_name="k" * 256))


def test_index_units_on_demand() -> None:
    with pytest.raises(InvalidModel):
        declare(
            id=column(types.String, hash_key=True),
            email=column(types.String),
            by_email=GlobalSecondaryIndex(hash_key="email", read_units=5, write_units=5),
        )


def test_default_table_name_is_class_name() -> None:
    Plain = model(type("Plain", (), {"id": column(types.String, hash_key=True)}))

    assert spec_of(Plain).table_name == "Plain"


def test_column_named_self() -> None:
    with pytest.raises(InvalidModel):
        declare(id=column(types.String, hash_key=True), self=column(types.String))


def test_column_name_not_nfkc() -> None:
    ligature = "\ufb01"

    with pytest.raises(InvalidModel, match="dynamo_name="):
        declare(id=column(types.String, hash_key=True), **{ligature: column(types.String)})


# Errors in records.


def test_misspelled_keyword() -> None:
    with pytest.raises(UnknownColumn) as raised:
        Account(id=ADA, emial="ada@example.com")

    assert raised.value.model == "Account"
    assert raised.value.column == "emial"
    assert "Account" in str(raised.value)
    assert "'emial'" in str(raised.value)


def test_misspelled_keyword_lists_columns() -> None:
    with pytest.raises(UnknownColumn) as raised:
        Account(id=ADA, emial="ada@example.com")

    assert "email" in str(raised.value)


def test_wrong_type_names_model_column_value() -> None:
    with pytest.raises(InvalidValue) as raised:
        Account(id=ADA, email=1234567)

    message = str(raised.value)
    assert "Account" in message
    assert "email" in message
    assert "1234567" in message
    assert raised.value.value == 1234567


def test_float_for_number_is_invalid() -> None:
    with pytest.raises(InvalidValue) as raised:
        Account(id=ADA, balance=1.5)

    assert "balance" in str(raised.value)
    assert "1.5" in str(raised.value)


def test_missing_hash_key() -> None:
    with pytest.raises(MissingKey) as raised:
        Account(email="ada@example.com")

    assert raised.value.column == "id"
    assert "Account" in str(raised.value)


def test_empty_string_key() -> None:
    with pytest.raises(MissingKey) as raised:
        Note(id="")

    assert raised.value.column == "id"
    assert "Note" in str(raised.value)


def test_none_key() -> None:
    with pytest.raises(MissingKey):
        Note(id=None)


def test_empty_bytes_key() -> None:
    Blob = declare(id=column(types.Binary, hash_key=True))

    with pytest.raises(MissingKey):
        Blob(id=b"")


def test_positional_arguments_rejected() -> None:
    with pytest.raises(TypeError):
        Note("n1")


# Generated models.


@given(
    strategies.models().flatmap(lambda m: st.tuples(strategies.records(m), strategies.records(m)))
)
def test_generated_records_compare_by_value(pair: tuple[Any, Any]) -> None:
    first, second = pair
    copy = attrs.evolve(first)

    assert copy == first
    assert hash(copy) == hash(first)
    assert (first == second) == (dump_item(first) == dump_item(second))


@given(strategies.models().flatmap(strategies.records))
def test_generated_records_round_trip(record: Any) -> None:
    spec = spec_of(record)
    # An absent set attribute loads as an empty frozenset, never as None.
    expected = attrs.evolve(
        record,
        **{
            c.name: frozenset()
            for c in spec.columns
            if isinstance(c.type, types.Set) and getattr(record, c.name) is None
        },
    )

    loaded = load_item(type(record), dump_item(record))

    assert loaded == expected


@given(strategies.models())
def test_generated_models_are_slotted(model_cls: Any) -> None:
    spec = spec_of(model_cls)

    assert not spec.abstract
    assert "__dict__" not in model_cls.__dict__
    assert all(isinstance(getattr(model_cls, c.name), ColumnRef) for c in spec.columns)
