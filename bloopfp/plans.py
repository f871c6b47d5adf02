"""Plans: pure state machines for work that takes more than one request.

A plan says which request comes first and, given each response, which comes next. It performs no
IO; `bloopfp.runtime` drives it through an executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from bloopfp.compiler import Request


@attrs.frozen
class Paginate:
    """Follow LastEvaluatedKey from page to page of a Query or Scan."""

    first: Request

    def advance(self, request: Request, response: Mapping[str, Any]) -> Request | None:
        """Return the request for the next page, or None after the last page."""
        last_key = response.get("LastEvaluatedKey")
        if not last_key:
            return None
        params = {**request.params, "ExclusiveStartKey": last_key}
        return attrs.evolve(request, params=params)


def resume(request: Request, exclusive_start_key: Mapping[str, Any] | None) -> Request:
    """Return a Query or Scan request that starts after `exclusive_start_key`."""
    if exclusive_start_key is None:
        return request
    return attrs.evolve(
        request, params={**request.params, "ExclusiveStartKey": dict(exclusive_start_key)}
    )


def table_ready(description: Mapping[str, Any]) -> bool:
    """Whether a DescribeTable response shows the table and all its indexes ACTIVE."""
    table = description.get("Table", {})
    if table.get("TableStatus") != "ACTIVE":
        return False
    indexes = table.get("GlobalSecondaryIndexes", [])
    return all(index.get("IndexStatus") == "ACTIVE" for index in indexes)


def schema_problems(expected: Mapping[str, Any], description: Mapping[str, Any]) -> list[str]:
    """Compare a CreateTable request with an existing table and list what does not match.

    Only what the model relies on is compared: the key schema, the key attribute types, and that
    every declared index exists with the same key schema. Extra indexes on the table are fine.
    """
    table = description.get("Table", {})
    problems = []
    if expected["KeySchema"] != table.get("KeySchema"):
        problems.append(f"key schema is {table.get('KeySchema')}, expected {expected['KeySchema']}")
    types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions", [])}
    for definition in expected["AttributeDefinitions"]:
        name, kind = definition["AttributeName"], definition["AttributeType"]
        if types.get(name) != kind:
            problems.append(f"attribute {name!r} has type {types.get(name)}, expected {kind}")
    for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        existing = {i["IndexName"]: i for i in table.get(group, [])}
        for index in expected.get(group, []):
            found = existing.get(index["IndexName"])
            if found is None:
                problems.append(f"index {index['IndexName']!r} is missing")
            elif found.get("KeySchema") != index["KeySchema"]:
                problems.append(f"index {index['IndexName']!r} has key schema {found['KeySchema']}")
    return problems
