"""MemoryExecutor's sorted partitions, checked against a brute-force model of Query and Scan.

MemoryExecutor keeps the entries of a table and of each index in partitions sorted by range key,
and finds the ends of a Query page with bisect. The property tested here: after random puts,
overwrites and deletes, reading every page of a request returns what filtering and sorting all
stored items returns.

- A Query on the table, a global or a local secondary index, in either direction, with any Limit
  and any sort key condition, returns exactly the matching entries in key order. Strings order
  by their UTF-8 bytes, numbers by value, and equal index keys by the table's key.
- The pages of all segments of a parallel Scan return each entry of the table or index once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bloopfp.executors.memory import MemoryExecutor

TABLE = {
    "TableName": "entries",
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "gsi_pk", "AttributeType": "S"},
        {"AttributeName": "lsi_sk", "AttributeType": "N"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by_gsi_pk",
            "KeySchema": [
                {"AttributeName": "gsi_pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "by_lsi_sk",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "lsi_sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}

# A table's primary key as (pk, sk). Items and entries are identified by it in every comparison.
TableKey = tuple[str, str]


@dataclass(frozen=True)
class Source:
    """A table or index to read: its key attribute names and the hash key values items use."""

    index: str | None
    hash_name: str
    range_name: str
    range_type: str
    hash_values: tuple[str, ...]


TABLE_SOURCE = Source(None, "pk", "sk", "S", ("x", "y"))
GSI_SOURCE = Source("by_gsi_pk", "gsi_pk", "sk", "S", ("g1", "g2"))
LSI_SOURCE = Source("by_lsi_sk", "pk", "lsi_sk", "N", ("x", "y"))
SOURCES = (TABLE_SOURCE, GSI_SOURCE, LSI_SOURCE)

# Characters of one to four UTF-8 bytes, so that byte order and code point order are both
# exercised, and "ab" and "a" make prefixes for begins_with and for equal leading bytes.
RANGE_PIECES = ("a", "b", "ab", "z", "\x7f", "\u00e9", "\U0001f600")
range_strings = st.lists(st.sampled_from(RANGE_PIECES), min_size=1, max_size=3).map("".join)
range_numbers = st.integers(min_value=0, max_value=4)

OPERATORS = ("=", "<", "<=", ">", ">=", "BETWEEN", "begins_with", None)


@dataclass(frozen=True)
class Row:
    """One PutItem: a table key and optional index key attributes (None leaves one out)."""

    pk: str
    sk: str
    gsi_pk: str | None
    lsi_sk: int | None

    @property
    def key(self) -> TableKey:
        return (self.pk, self.sk)

    def item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"pk": {"S": self.pk}, "sk": {"S": self.sk}}
        if self.gsi_pk is not None:
            item["gsi_pk"] = {"S": self.gsi_pk}
        if self.lsi_sk is not None:
            item["lsi_sk"] = {"N": str(self.lsi_sk)}
        return item


rows = st.builds(
    Row,
    pk=st.sampled_from(TABLE_SOURCE.hash_values),
    sk=range_strings,
    gsi_pk=st.none() | st.sampled_from(GSI_SOURCE.hash_values),
    lsi_sk=st.none() | range_numbers,
)


@dataclass(frozen=True)
class QueryCase:
    """One Query: the source, the hash key value, an optional sort key condition and paging."""

    source: Source
    hash_value: str
    operator: str | None
    low: Any
    high: Any
    forward: bool
    limit: int


@st.composite
def query_cases(draw: st.DrawFn) -> QueryCase:
    """Draw a Query whose sort key condition fits the type of the source's range key."""
    source = draw(st.sampled_from(SOURCES))
    hash_value = draw(st.sampled_from(source.hash_values))
    if source.range_type == "S":
        operator = draw(st.sampled_from(OPERATORS))
        bounds = range_strings
    else:
        operator = draw(st.sampled_from([op for op in OPERATORS if op != "begins_with"]))
        bounds = range_numbers
    low, high = draw(bounds), draw(bounds)
    if operator == "BETWEEN" and sort_value(low) > sort_value(high):
        low, high = high, low
    forward = draw(st.booleans())
    limit = draw(st.integers(min_value=1, max_value=4))
    return QueryCase(source, hash_value, operator, low, high, forward, limit)


def sort_value(value: str | int) -> bytes | int:
    """Return the order DynamoDB gives a range key value: UTF-8 bytes of a string, or a number."""
    return value.encode("utf-8") if isinstance(value, str) else value


def range_value(row: Row, source: Source) -> str | int | None:
    return row.sk if source.range_name == "sk" else row.lsi_sk


def hash_value(row: Row, source: Source) -> str | None:
    return row.pk if source.hash_name == "pk" else row.gsi_pk


def in_source(row: Row, source: Source) -> bool:
    """Return whether a stored row has an entry in the source: indexes are sparse."""
    return hash_value(row, source) is not None and range_value(row, source) is not None


def satisfies(case: QueryCase, value: str | int) -> bool:
    """Return whether a range key value meets the case's sort key condition."""
    if case.operator is None:
        return True
    if case.operator == "begins_with":
        assert isinstance(value, str)
        return value.startswith(case.low)
    subject, low, high = sort_value(value), sort_value(case.low), sort_value(case.high)
    comparisons = {
        "=": subject == low,
        "<": subject < low,
        "<=": subject <= low,
        ">": subject > low,
        ">=": subject >= low,
        "BETWEEN": low <= subject <= high,
    }
    return comparisons[case.operator]


def expected_query(stored: dict[TableKey, Row], case: QueryCase) -> list[TableKey]:
    """Return the table keys a Query reads, in order, by filtering and sorting every stored row."""
    source = case.source
    matching = []
    for row in stored.values():
        value = range_value(row, source)
        if not in_source(row, source) or hash_value(row, source) != case.hash_value:
            continue
        assert value is not None
        if satisfies(case, value):
            matching.append(row)

    def order(row: Row) -> tuple[Any, ...]:
        value = range_value(row, source)
        assert value is not None
        return (sort_value(value), sort_value(row.pk), sort_value(row.sk))

    matching.sort(key=order, reverse=not case.forward)
    return [row.key for row in matching]


def key_condition(case: QueryCase) -> dict[str, Any]:
    """Return the KeyConditionExpression and its placeholders for a case."""
    source = case.source
    names = {"#hash": source.hash_name}
    values: dict[str, Any] = {":hash": {"S": case.hash_value}}
    expression = "#hash = :hash"
    if case.operator is not None:
        names["#range"] = source.range_name
        values[":low"] = attribute_value(case.low)
        if case.operator == "BETWEEN":
            values[":high"] = attribute_value(case.high)
            expression += " AND #range BETWEEN :low AND :high"
        elif case.operator == "begins_with":
            expression += " AND begins_with(#range, :low)"
        else:
            expression += f" AND #range {case.operator} :low"
    return {
        "KeyConditionExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def attribute_value(value: str | int) -> dict[str, str]:
    return {"S": value} if isinstance(value, str) else {"N": str(value)}


def read_all_pages(
    executor: MemoryExecutor, operation: str, request: dict[str, Any], max_pages: int
) -> list[TableKey]:
    """Send a Query or Scan and its follow-up pages, returning the table keys of all items.

    Fails when more than `max_pages` pages come back, so paging that never advances fails the
    test instead of hanging it. The requests have no FilterExpression, so every entry a page
    evaluates is returned: Count must equal ScannedCount.
    """
    keys: list[TableKey] = []
    request = dict(request)
    for _ in range(max_pages):
        response = executor.call(operation, request)
        assert len(response["Items"]) <= request["Limit"]
        assert response["Count"] == response["ScannedCount"]
        keys += [(item["pk"]["S"], item["sk"]["S"]) for item in response["Items"]]
        if "LastEvaluatedKey" not in response:
            return keys
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    raise AssertionError(f"{operation} returned more than {max_pages} pages")


def store_rows(
    executor: MemoryExecutor, puts: list[Row], deletes: list[int]
) -> dict[TableKey, Row]:
    """Put every row (a later row with the same key overwrites), then delete some by position.

    Returns the rows left, by table key. Each number in `deletes` picks a stored key by its
    position in sorted order and is skipped when there is no key at that position.
    """
    executor.call("CreateTable", TABLE)
    stored: dict[TableKey, Row] = {}
    for row in puts:
        executor.call("PutItem", {"TableName": "entries", "Item": row.item()})
        stored[row.key] = row
    for position in deletes:
        keys = sorted(stored)
        if position >= len(keys):
            continue
        pk, sk = keys[position]
        key = {"pk": {"S": pk}, "sk": {"S": sk}}
        executor.call("DeleteItem", {"TableName": "entries", "Key": key})
        del stored[(pk, sk)]
    return stored


# At least five puts, so that most Queries span several pages in one partition.
puts_and_deletes = {
    "puts": st.lists(rows, min_size=5, max_size=25),
    "deletes": st.lists(st.integers(min_value=0, max_value=30), max_size=5),
}


@settings(max_examples=150)
@given(case=query_cases(), **puts_and_deletes)
def test_query_pages_match_model(case: QueryCase, puts: list[Row], deletes: list[int]) -> None:
    executor = MemoryExecutor()
    stored = store_rows(executor, puts, deletes)
    request: dict[str, Any] = {
        "TableName": "entries",
        **key_condition(case),
        "ScanIndexForward": case.forward,
        "Limit": case.limit,
    }
    if case.source.index is not None:
        request["IndexName"] = case.source.index

    read = read_all_pages(executor, "Query", request, max_pages=len(stored) + 1)

    assert read == expected_query(stored, case)


@settings(max_examples=150)
@given(
    source=st.sampled_from(SOURCES),
    total_segments=st.integers(min_value=1, max_value=4),
    limit=st.integers(min_value=1, max_value=4),
    **puts_and_deletes,
)
def test_scan_segments_read_each_entry_once(
    source: Source, total_segments: int, limit: int, puts: list[Row], deletes: list[int]
) -> None:
    executor = MemoryExecutor()
    stored = store_rows(executor, puts, deletes)
    read: list[TableKey] = []
    for segment in range(total_segments):
        request: dict[str, Any] = {
            "TableName": "entries",
            "Limit": limit,
            "Segment": segment,
            "TotalSegments": total_segments,
        }
        if source.index is not None:
            request["IndexName"] = source.index
        read += read_all_pages(executor, "Scan", request, max_pages=len(stored) + 1)

    expected = sorted(key for key, row in stored.items() if in_source(row, source))
    assert len(read) == len(set(read))
    assert sorted(read) == expected
