"""Handlers of TransactWriteItems and TransactGetItems: all items succeed or none is applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bloopfp.executors.memory.database import Database
from bloopfp.executors.memory.errors import (
    RequestRejected,
    idempotent_mismatch,
    invalid,
    transaction_canceled,
)
from bloopfp.executors.memory.evaluate import project
from bloopfp.executors.memory.placeholders import Placeholders
from bloopfp.executors.memory.requests import optional_projection
from bloopfp.executors.memory.tables import KeyIdentity, check_key
from bloopfp.executors.memory.values import Item, check_item, clone
from bloopfp.executors.memory.writes import (
    Write,
    prepare_check,
    prepare_delete,
    prepare_put,
    prepare_update,
)

WRITE_KINDS = ("ConditionCheck", "Put", "Delete", "Update")
# DynamoDB remembers a ClientRequestToken for ten minutes.
TOKEN_SECONDS = 600


def transact_write_items(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check every item's condition, then apply all writes, or cancel without applying any."""
    token = params.get("ClientRequestToken")
    if token is not None:
        replay = _replay(database, token, params)
        if replay is not None:
            return replay

    writes = [_prepare(database, entry) for entry in params["TransactItems"]]
    _reject_repeated_items(writes)

    reasons: list[dict[str, Any]] = []
    news: list[Item | None] = []
    for write in writes:
        reason, new = _check_write(write)
        reasons.append(reason)
        news.append(new)
    if any(reason["Code"] != "None" for reason in reasons):
        raise transaction_canceled(reasons)

    for write, new in zip(writes, news, strict=True):
        write.store(new)

    response: dict[str, Any] = {}
    if token is not None:
        database.transaction_tokens[token] = (database.clock(), clone(dict(params)), response)
    return dict(response)


def _check_write(write: Write) -> tuple[dict[str, Any], Item | None]:
    """Check one write's condition, then the item it would store.

    Returns the cancellation reason ("None" when the write can go ahead) and the new item. The
    TransactionCanceledException page lists a new item that breaks a limit, such as the item
    size, as a reason to cancel, with the code ValidationError.
    """
    try:
        old = write.check_condition()
    except RequestRejected as rejection:
        reason = {"Code": "ConditionalCheckFailed", "Message": rejection.message}
        if "Item" in rejection.modeled:
            reason["Item"] = rejection.modeled["Item"]
        return reason, None
    try:
        new = write.compute(old)
    except RequestRejected as rejection:
        if rejection.code != "ValidationException":
            raise
        return {"Code": "ValidationError", "Message": rejection.message}, None
    return {"Code": "None"}, new


def _replay(database: Database, token: str, params: Mapping[str, Any]) -> dict[str, Any] | None:
    now = database.clock()
    database.transaction_tokens = {
        seen: entry
        for seen, entry in database.transaction_tokens.items()
        if now - entry[0] < TOKEN_SECONDS
    }
    entry = database.transaction_tokens.get(token)
    if entry is None:
        return None
    _, request, response = entry
    if request != dict(params):
        raise idempotent_mismatch()
    return dict(response)


def _prepare(database: Database, entry: Mapping[str, Any]) -> Write:
    kinds = [kind for kind in WRITE_KINDS if kind in entry]
    if len(kinds) != 1:
        raise invalid(
            "TransactItems can only contain one of Check, Put, Update or Delete; "
            f"found: {', '.join(kinds) or 'none'}"
        )
    kind = kinds[0]
    request = entry[kind]
    table = database.table(request["TableName"])
    placeholders = Placeholders(request)
    if kind == "Put":
        write = prepare_put(table, request, placeholders)
    elif kind == "Delete":
        write = prepare_delete(table, request, placeholders)
    elif kind == "Update":
        write, _ = prepare_update(table, request, placeholders)
    else:
        if "ConditionExpression" not in request:
            raise invalid("ConditionCheck requires a ConditionExpression")
        write = prepare_check(table, request, placeholders)
    placeholders.check_all_used()
    return write


def _reject_repeated_items(writes: list[Write]) -> None:
    seen: set[tuple[str, KeyIdentity]] = set()
    for write in writes:
        target = (write.table.name, write.identity)
        if target in seen:
            raise invalid("Transaction request cannot include multiple operations on one item")
        seen.add(target)


def transact_get_items(database: Database, params: Mapping[str, Any]) -> dict[str, Any]:
    """Read up to 100 items as one consistent snapshot."""
    plans = []
    seen: set[tuple[str, KeyIdentity]] = set()
    for entry in params["TransactItems"]:
        request = entry["Get"]
        table = database.table(request["TableName"])
        placeholders = Placeholders(request)
        projection = optional_projection(request, placeholders)
        placeholders.check_all_used()
        key = check_item(request["Key"])
        check_key(table, key)
        target = (table.name, table.identity(key))
        if target in seen:
            raise invalid("Transaction request cannot include multiple operations on one item")
        seen.add(target)
        plans.append((table, target[1], projection))

    responses: list[dict[str, Any]] = []
    for table, identity, projection in plans:
        item = table.items.get(identity)
        if item is None:
            responses.append({})
        elif projection is None:
            responses.append({"Item": clone(item)})
        else:
            responses.append({"Item": project(item, projection)})
    return {"Responses": responses}
