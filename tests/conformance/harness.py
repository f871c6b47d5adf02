"""Conformance cases as data, and the runner that replays them on one backend.

A case names the documentation page that states its rule, lists the setup requests, sends one
request and states what DynamoDB documents: an error code, or a fragment of the response. The
runner gives every table of a case a name unique to the run, so cases share one server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
from botocore.exceptions import ClientError

BACKENDS = ("memory", "moto", "dynalite")

Request = tuple[str, dict[str, Any]]


class Executor(Protocol):
    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]: ...


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""A fragment value meaning that the response must not contain this member."""


@dataclass(frozen=True)
class Fails:
    """The request raises a ClientError with `code`.

    `reasons` lists the expected CancellationReasons codes in request order, and `item` is the
    item that the error must carry (ReturnValuesOnConditionCheckFailure=ALL_OLD).
    `reason_items` lists the Item expected in each cancellation reason, None where it has none.
    """

    code: str
    reasons: tuple[str, ...] | None = None
    item: dict[str, Any] | None = None
    reason_items: tuple[dict[str, Any] | None, ...] | None = None


@dataclass(frozen=True)
class Returns:
    """The request succeeds and its response contains `fragment`.

    Each top-level member of `fragment` must equal the response's member, and ABSENT means the
    member must be missing. Lists reached through a path in `unordered` are compared as
    multisets, because DynamoDB does not order Scan or BatchGetItem results.
    """

    fragment: dict[str, Any]
    unordered: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Satisfies:
    """The request succeeds and `check(call, response)` passes, where `call` sends more requests."""

    check: Callable[[Callable[[str, dict[str, Any]], dict[str, Any]], dict[str, Any]], None]


Expectation = Fails | Returns | Satisfies


@dataclass(frozen=True)
class Case:
    """One documented rule checked by one request.

    `departures` maps a backend name to one sentence naming how that backend departs from the
    documented behaviour. The runner marks those runs as strict xfail. `then` lists follow-up
    requests with their expectations, run after the request.
    """

    id: str
    source: str
    request: Request
    expected: Expectation
    setup: Sequence[Request] = ()
    then: Sequence[tuple[str, dict[str, Any], Expectation]] = ()
    departures: Mapping[str, str] = field(default_factory=dict)


def parametrize(
    cases: Sequence[Case], departures: Mapping[str, Mapping[str, str]] | None = None
) -> pytest.MarkDecorator:
    """Build the (case, backend) parameters of a module, with strict xfail for departures.

    `departures` maps a case id to {backend: reason}, in addition to each case's own field.
    """
    ids = [case.id for case in cases]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    assert not duplicates, f"duplicate case ids: {duplicates}"
    extra = dict(departures or {})
    unknown_ids = sorted(set(extra) - set(ids))
    assert not unknown_ids, f"departures name unknown cases: {unknown_ids}"
    params = []
    for case in cases:
        reasons = {**case.departures, **extra.get(case.id, {})}
        unknown = set(reasons) - set(BACKENDS)
        assert not unknown, f"{case.id}: unknown backends in departures: {unknown}"
        for backend in BACKENDS:
            marks = []
            if backend in reasons:
                marks.append(pytest.mark.xfail(strict=True, reason=reasons[backend]))
            params.append(pytest.param(case, backend, id=f"{case.id}[{backend}]", marks=marks))
    return pytest.mark.parametrize(("case", "backend"), params)


# Builders for the requests that most cases share.


def table(
    name: str = "tbl_main",
    hash_key: tuple[str, str] = ("pk", "S"),
    range_key: tuple[str, str] | None = None,
    *,
    gsis: Sequence[dict[str, Any]] = (),
    lsis: Sequence[dict[str, Any]] = (),
    extra_attributes: Sequence[tuple[str, str]] = (),
) -> Request:
    """Return an on-demand CreateTable request; index key attributes go in `extra_attributes`."""
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    definitions = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key is not None:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        definitions.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    for attribute, kind in extra_attributes:
        definitions.append({"AttributeName": attribute, "AttributeType": kind})
    params: dict[str, Any] = {
        "TableName": name,
        "KeySchema": schema,
        "AttributeDefinitions": definitions,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if gsis:
        params["GlobalSecondaryIndexes"] = list(gsis)
    if lsis:
        params["LocalSecondaryIndexes"] = list(lsis)
    return ("CreateTable", params)


def index(
    name: str,
    hash_key: str,
    range_key: str | None = None,
    projection: str = "ALL",
    non_key: Sequence[str] = (),
) -> dict[str, Any]:
    """Return a GlobalSecondaryIndexes or LocalSecondaryIndexes entry."""
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    projection_params: dict[str, Any] = {"ProjectionType": projection}
    if non_key:
        projection_params["NonKeyAttributes"] = list(non_key)
    return {"IndexName": name, "KeySchema": schema, "Projection": projection_params}


def put(item: dict[str, Any], name: str = "tbl_main") -> Request:
    return ("PutItem", {"TableName": name, "Item": item})


def get(key: dict[str, Any], name: str = "tbl_main", **params: Any) -> Request:
    return ("GetItem", {"TableName": name, "Key": key, **params})


def update(key: dict[str, Any], expression: str, name: str = "tbl_main", **params: Any) -> Request:
    return ("UpdateItem", {"TableName": name, "Key": key, "UpdateExpression": expression, **params})


def S(value: str) -> dict[str, Any]:
    return {"S": value}


def N(value: str | int) -> dict[str, Any]:
    return {"N": str(value)}


def B(value: bytes) -> dict[str, Any]:
    return {"B": value}


def SS(*values: str) -> dict[str, Any]:
    return {"SS": list(values)}


def NS(*values: str | int) -> dict[str, Any]:
    return {"NS": [str(value) for value in values]}


def L(*values: dict[str, Any]) -> dict[str, Any]:
    return {"L": list(values)}


def M(**members: dict[str, Any]) -> dict[str, Any]:
    return {"M": members}


# The runner.


def run_case(case: Case, executor: Executor, *, server: bool) -> None:
    """Send the case's requests to `executor` and assert its expectations.

    On a server the case's tables are deleted afterwards, because the server outlives the case.
    """
    names = _table_names(case)
    token = uuid.uuid4().hex[:8]
    mapping = {name: f"{name}-{token}" for name in names}

    def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        response = executor.call(operation, _rename(params, mapping))
        if operation == "CreateTable" and server:
            _wait_until_active(executor, response["TableDescription"]["TableName"])
        return response

    try:
        for operation, params in case.setup:
            call(operation, params)
        _check(case.id, call, case.request, _rename(case.expected, mapping))
        for operation, params, expected in case.then:
            _check(case.id, call, (operation, params), _rename(expected, mapping))
    finally:
        if server:
            for name in mapping.values():
                with contextlib.suppress(ClientError):
                    executor.call("DeleteTable", {"TableName": name})


def _check(
    case_id: str,
    call: Callable[[str, dict[str, Any]], dict[str, Any]],
    request: Request,
    expected: Expectation,
) -> None:
    operation, params = request
    if isinstance(expected, Fails):
        with pytest.raises(ClientError) as caught:
            call(operation, params)
        _check_error(caught.value, expected)
        return
    try:
        response = call(operation, params)
    except ClientError as error:
        pytest.fail(
            f"{case_id}: {operation} raised {error.response['Error']} instead of a response"
        )
    if isinstance(expected, Returns):
        _check_fragment(response, expected)
    else:
        expected.check(call, response)


def _check_error(error: ClientError, expected: Fails) -> None:
    response: dict[str, Any] = error.response  # type: ignore[assignment]
    assert response["Error"]["Code"] == expected.code, response["Error"]
    if expected.reasons is not None:
        reasons = [reason.get("Code") for reason in response.get("CancellationReasons", [])]
        assert reasons == list(expected.reasons), response.get("CancellationReasons")
    if expected.item is not None:
        assert normalise(response.get("Item")) == normalise(expected.item)
    if expected.reason_items is not None:
        items = [reason.get("Item") for reason in response.get("CancellationReasons", [])]
        assert normalise(items) == normalise(list(expected.reason_items))


def _check_fragment(response: dict[str, Any], expected: Returns) -> None:
    actual = normalise({k: v for k, v in response.items() if k != "ResponseMetadata"})
    wanted = normalise(expected.fragment)
    for path in expected.unordered:
        _sort_at(actual, path)
        _sort_at(wanted, path)
    for member, value in wanted.items():
        if value is ABSENT:
            assert member not in actual, f"{member} must be absent: {actual[member]!r}"
        else:
            assert member in actual, f"{member} is missing from the response {actual!r}"
            assert actual[member] == value, (
                f"{member} differs: expected {_shorten(value)}, received {_shorten(actual[member])}"
            )


def _shorten(value: Any, limit: int = 600) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def normalise(value: Any) -> Any:
    """Return `value` with set members sorted and binary values as bytes, for comparison."""
    if isinstance(value, Mapping):
        result = {}
        for key, member in value.items():
            if key in ("SS", "NS", "BS") and isinstance(member, list):
                result[key] = sorted(normalise(element) for element in member)
            else:
                result[key] = normalise(member)
        return result
    if isinstance(value, list | tuple):
        return [normalise(element) for element in value]
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def _sort_key(value: Any) -> str:
    def encode(member: Any) -> Any:
        if isinstance(member, bytes):
            return base64.b64encode(member).decode()
        raise TypeError(type(member))

    return json.dumps(value, sort_keys=True, default=encode)


def _sort_at(document: Any, path: tuple[str, ...]) -> None:
    for step in path[:-1]:
        if not isinstance(document, dict) or step not in document:
            return
        document = document[step]
    if isinstance(document, dict) and isinstance(document.get(path[-1]), list):
        document[path[-1]] = sorted(document[path[-1]], key=_sort_key)


def _table_names(case: Case) -> set[str]:
    names = set()
    for operation, params in [*case.setup, case.request]:
        if operation == "CreateTable":
            names.add(params["TableName"])
    return names


def _rename(value: Any, mapping: Mapping[str, str]) -> Any:
    """Replace every dict key or string equal to a case table name with the run's name."""
    if not mapping:
        return value
    if isinstance(value, Fails):
        return Fails(value.code, value.reasons, value.item, value.reason_items)
    if isinstance(value, Returns):
        return Returns(_rename(value.fragment, mapping), _rename(value.unordered, mapping))
    if isinstance(value, Satisfies):
        return value
    if isinstance(value, Mapping):
        return {mapping.get(k, k): _rename(v, mapping) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_rename(element, mapping) for element in value)
    if isinstance(value, str):
        return mapping.get(value, value)
    return value


def _wait_until_active(executor: Executor, name: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = executor.call("DescribeTable", {"TableName": name})["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {name} is still {status} after {timeout} s")
        time.sleep(0.01)
