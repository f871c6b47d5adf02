"""Batch plans: split many keys or writes into BatchGetItem and BatchWriteItem calls.

Everything here is pure. A batch is planned as chunks of operation values (100 keys per
BatchGetItem, 25 requests per BatchWriteItem, the limits DynamoDB documents), and `follow_get`
and `follow_write` turn a response into the request for its UnprocessedKeys or UnprocessedItems.
The runtime sends the chunks and retries with backoff.

Each input is identified by its *token*, `(table, key)` with the key in DynamoDB's form, so that
what DynamoDB reports back is mapped to the caller's own records and keys.

Duplicates within one call: BatchGetItem and BatchWriteItem reject a request that names one item
twice. For reads, keys are de-duplicated and the item is returned to every position that asked
for it. For writes the rule is "last wins": of several writes to one item, only the last one
given is sent, unless the caller passes `duplicates="reject"`, which raises DuplicateKeys.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import attrs

from bloopfp.compiler import Request
from bloopfp.compiler.requests import key_token
from bloopfp.errors import DuplicateKeys, InvalidRequest
from bloopfp.items import dump_key
from bloopfp.models import require_concrete, spec_of
from bloopfp.operations import (
    BATCH_GET_MAX_KEYS,
    BATCH_WRITE_MAX_REQUESTS,
    BatchGetItem,
    BatchWriteItem,
    DeleteRequest,
    Key,
    PutRequest,
    key,
    key_of_record,
)
from bloopfp.updates import version_column

Token = tuple[str, tuple[tuple[str, str, Any], ...]]
Duplicates = Literal["last", "reject"]
Missing = Literal["raise", "skip", "none"]


def chunks_of(values: Iterable[Any], size: int) -> Iterator[tuple[Any, ...]]:
    """Yield consecutive tuples of `size` values, the last one possibly shorter."""
    iterator = iter(values)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def token_of(item_key: Key) -> Token:
    """Return the identity of the item under `item_key`: its table and DynamoDB key."""
    spec = require_concrete(item_key.model)
    assert spec.table_name is not None  # require_concrete checked it
    return key_token(spec.table_name, dump_key(item_key.model, item_key.as_dict()))


def as_key(model_cls: Any, value: Any) -> Key:
    """Return the key of a record of `model_cls` or of a mapping of key column values."""
    if isinstance(value, Mapping):
        return key(model_cls, value)
    if model_cls is not None and type(value) is not model_cls:
        raise InvalidRequest(
            f"expected a {spec_of(model_cls).name} record or a dict of its key columns, "
            f"got {value!r} ({type(value).__name__})"
        )
    return key_of_record(value)


# Reads.


@attrs.frozen
class GetPlan:
    """The chunks of a batch read, and each distinct key's token in the order first requested."""

    chunks: tuple[BatchGetItem, ...]
    tokens: tuple[Token, ...]


def plan_gets(keys: Iterable[Key], *, consistent: bool = False) -> GetPlan:
    """Split keys into BatchGetItem chunks of at most 100 distinct keys."""
    distinct: dict[Token, Key] = {}
    for item_key in keys:
        distinct.setdefault(token_of(item_key), item_key)
    chunks = tuple(
        BatchGetItem(keys=tuple(part), consistent=consistent)
        for part in chunks_of(distinct.values(), BATCH_GET_MAX_KEYS)
    )
    return GetPlan(chunks, tuple(distinct))


def follow_get(request: Request, response: Mapping[str, Any]) -> Request | None:
    """Return the BatchGetItem request for the response's UnprocessedKeys, or None."""
    unprocessed = {
        table: entry for table, entry in response.get("UnprocessedKeys", {}).items() if entry
    }
    if not unprocessed:
        return None
    return attrs.evolve(request, params={**request.params, "RequestItems": unprocessed})


def items_by_token(
    responses: Iterable[Mapping[str, Any]], key_names: Mapping[str, tuple[str, ...]]
) -> dict[Token, dict[str, Any]]:
    """Return every item of BatchGetItem responses by its token."""
    found: dict[Token, dict[str, Any]] = {}
    for response in responses:
        for table, items in response.get("Responses", {}).items():
            names = key_names[table]
            for item in items:
                found[key_token(table, {name: item[name] for name in names})] = item
    return found


def table_key_names(models: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """Return the key attribute names of each model's table, by table name."""
    names: dict[str, tuple[str, ...]] = {}
    for model_cls in models:
        spec = require_concrete(model_cls)
        assert spec.table_name is not None  # require_concrete checked it
        names[spec.table_name] = tuple(c.key_name for c in spec.keys)
    return names


def request_tokens(request: Request, key_names: Mapping[str, tuple[str, ...]]) -> list[Token]:
    """Return the tokens of the items a BatchGetItem or BatchWriteItem request names.

    `key_names` gives the key attribute names of each table, to find the key of a put's item.
    """
    tokens: list[Token] = []
    for table, entry in request.params["RequestItems"].items():
        if request.operation == "BatchGetItem":
            tokens.extend(key_token(table, item_key) for item_key in entry["Keys"])
            continue
        for write in entry:
            if "DeleteRequest" in write:
                tokens.append(key_token(table, write["DeleteRequest"]["Key"]))
            else:
                item = write["PutRequest"]["Item"]
                tokens.append(key_token(table, {name: item[name] for name in key_names[table]}))
    return tokens


# Writes.


@attrs.frozen
class Write:
    """One write of a batch: the operation value, its item's token and the caller's input."""

    request: PutRequest | DeleteRequest
    token: Token
    source: Any = attrs.field(eq=False)


def model_of_write(write: Write) -> Any:
    """Return the model class of the item a write puts or deletes."""
    if isinstance(write.request, PutRequest):
        return type(write.request.record)
    return write.request.key.model


def put_write(record: Any) -> Write:
    version = version_column(record)
    if version is not None:
        raise InvalidRequest(
            f"{spec_of(record).name} has the version column {version.name!r}, and BatchWriteItem "
            "cannot check versions; save versioned records with engine.save or transact_write"
        )
    return Write(PutRequest(record), token_of(key_of_record(record)), record)


def delete_write(model_cls: Any, target: Any) -> Write:
    version = version_column(model_cls)
    if version is not None and not isinstance(target, Mapping):
        raise InvalidRequest(
            f"{spec_of(model_cls).name} has the version column {version.name!r}, and "
            "BatchWriteItem cannot check versions; delete versioned records with engine.delete "
            "or transact_write, or pass key dicts with model= to delete without a check"
        )
    item_key = as_key(model_cls, target)
    return Write(DeleteRequest(item_key), token_of(item_key), target)


def resolve_duplicates(writes: Iterable[Write], rule: Duplicates) -> list[Write]:
    """Keep one write per item: the last one given ("last"), or raise DuplicateKeys ("reject")."""
    last: dict[Token, int] = {}
    ordered = list(writes)
    for position, write in enumerate(ordered):
        last[write.token] = position
    if len(last) == len(ordered):
        return ordered
    if rule == "reject":
        repeated = [w for i, w in enumerate(ordered) if last[w.token] != i]
        raise DuplicateKeys(
            f"{len(repeated)} writes name an item that a later write in the same call also "
            "names; pass duplicates='last' to keep only the last write of each item",
            keys=tuple(_table_and_key(w) for w in repeated),
        )
    return [write for position, write in enumerate(ordered) if last[write.token] == position]


def _table_and_key(write: Write) -> tuple[str, Mapping[str, Any]]:
    table, parts = write.token
    return table, {name: {code: str(raw) if code == "N" else raw} for name, code, raw in parts}


def plan_writes(writes: Iterable[Write]) -> tuple[BatchWriteItem, ...]:
    """Split de-duplicated writes into BatchWriteItem chunks of at most 25 requests.

    The 16 MB request limit is not checked: 25 items of at most 400 KB each stay below it.
    """
    return tuple(
        BatchWriteItem(requests=tuple(write.request for write in part))
        for part in chunks_of(writes, BATCH_WRITE_MAX_REQUESTS)
    )


def follow_write(request: Request, response: Mapping[str, Any]) -> Request | None:
    """Return the BatchWriteItem request for the response's UnprocessedItems, or None."""
    unprocessed = {
        table: entries for table, entries in response.get("UnprocessedItems", {}).items() if entries
    }
    if not unprocessed:
        return None
    return attrs.evolve(request, params={**request.params, "RequestItems": unprocessed})
