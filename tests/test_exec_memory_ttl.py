"""MemoryExecutor time to live: expired items stay readable until delete_expired_items runs."""

from __future__ import annotations

from typing import Any

import pytest

from bloopfp.executors.memory import MemoryExecutor

NOW = 1_700_000_000
FIVE_YEARS = 5 * 365 * 24 * 60 * 60

TABLE = {
    "TableName": "sessions",
    "KeySchema": [
        {"AttributeName": "user", "KeyType": "HASH"},
        {"AttributeName": "started", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "user", "AttributeType": "S"},
        {"AttributeName": "started", "AttributeType": "N"},
        {"AttributeName": "device", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by_device",
            "KeySchema": [{"AttributeName": "device", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(clock: Clock) -> MemoryExecutor:
    executor = MemoryExecutor(clock=clock)
    executor.call("CreateTable", TABLE)
    return executor


def enable_ttl(db: MemoryExecutor, table: str = "sessions") -> None:
    specification = {"Enabled": True, "AttributeName": "expires"}
    db.call("UpdateTimeToLive", {"TableName": table, "TimeToLiveSpecification": specification})


def session(started: int, **attributes: Any) -> dict[str, Any]:
    return {"user": {"S": "ann"}, "started": {"N": str(started)}, **attributes}


def put(db: MemoryExecutor, item: dict[str, Any], table: str = "sessions") -> None:
    db.call("PutItem", {"TableName": table, "Item": item})


def get(db: MemoryExecutor, started: int) -> dict[str, Any] | None:
    key = {"user": {"S": "ann"}, "started": {"N": str(started)}}
    response = db.call("GetItem", {"TableName": "sessions", "Key": key})
    item: dict[str, Any] | None = response.get("Item")
    return item


def stored_starts(db: MemoryExecutor) -> list[int]:
    response = db.call("Scan", {"TableName": "sessions"})
    return sorted(int(item["started"]["N"]) for item in response["Items"])


def device_count(db: MemoryExecutor, device: str) -> int:
    request = {
        "TableName": "sessions",
        "IndexName": "by_device",
        "KeyConditionExpression": "device = :d",
        "ExpressionAttributeValues": {":d": {"S": device}},
        "Select": "COUNT",
    }
    return int(db.call("Query", request)["Count"])


def test_expired_item_readable_before_sweep(db: MemoryExecutor, clock: Clock) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": str(NOW + 60)}))
    clock.now = NOW + 3600

    assert get(db, 1) is not None
    assert stored_starts(db) == [1]


def test_expired_item_gone_after_sweep(db: MemoryExecutor, clock: Clock) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": str(NOW + 60)}))
    clock.now = NOW + 3600

    assert db.delete_expired_items() == 1
    assert get(db, 1) is None
    assert stored_starts(db) == []


def test_sweep_keeps_unexpired_items(db: MemoryExecutor) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": str(NOW - 1)}))
    put(db, session(2, expires={"N": str(NOW)}))
    put(db, session(3, expires={"N": str(NOW + 1)}))

    assert db.delete_expired_items() == 2
    assert stored_starts(db) == [3]


def test_sweep_follows_the_clock(db: MemoryExecutor, clock: Clock) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": str(NOW + 100)}))

    assert db.delete_expired_items() == 0
    clock.now = NOW + 99.5
    assert db.delete_expired_items() == 0
    clock.now = NOW + 100
    assert db.delete_expired_items() == 1


def test_fractional_expiry_seconds(db: MemoryExecutor, clock: Clock) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": f"{NOW}.5"}))

    assert db.delete_expired_items() == 0
    clock.now = NOW + 0.5
    assert db.delete_expired_items() == 1


@pytest.mark.parametrize(
    "value",
    [
        {"S": str(NOW - 10)},
        {"NS": [str(NOW - 10)]},
        {"L": [{"N": str(NOW - 10)}]},
        {"M": {"expires": {"N": str(NOW - 10)}}},
        {"BOOL": True},
        {"NULL": True},
    ],
    ids=["string", "number-set", "list", "map", "bool", "null"],
)
def test_non_number_ttl_never_expires(db: MemoryExecutor, value: dict[str, Any]) -> None:
    enable_ttl(db)
    put(db, session(1, expires=value))

    assert db.delete_expired_items() == 0
    assert get(db, 1) is not None


def test_item_without_ttl_never_expires(db: MemoryExecutor, clock: Clock) -> None:
    enable_ttl(db)
    put(db, session(1, other={"N": str(NOW - 10)}))
    clock.now = NOW + 10 * FIVE_YEARS

    assert db.delete_expired_items() == 0
    assert stored_starts(db) == [1]


def test_ttl_disabled_never_expires(db: MemoryExecutor) -> None:
    put(db, session(1, expires={"N": str(NOW - 10)}))

    assert db.delete_expired_items() == 0
    assert stored_starts(db) == [1]


def test_ttl_disabled_again_stops_expiry(db: MemoryExecutor) -> None:
    enable_ttl(db)
    disable = {"Enabled": False, "AttributeName": "expires"}
    db.call("UpdateTimeToLive", {"TableName": "sessions", "TimeToLiveSpecification": disable})
    put(db, session(1, expires={"N": str(NOW - 10)}))

    assert db.delete_expired_items() == 0
    assert stored_starts(db) == [1]


def test_ttl_on_other_attribute_ignored(db: MemoryExecutor) -> None:
    enable_ttl(db)
    put(db, session(1, expiry={"N": str(NOW - 10)}))

    assert db.delete_expired_items() == 0


def test_expiry_over_five_years_ago_ignored(db: MemoryExecutor) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": str(NOW - FIVE_YEARS - 2 * 86_400)}))
    put(db, session(2, expires={"N": str(NOW - FIVE_YEARS + 86_400)}))
    put(db, session(3, expires={"N": "0"}))

    assert db.delete_expired_items() == 1
    assert stored_starts(db) == [1, 3]


def test_sweep_removes_index_entries(db: MemoryExecutor) -> None:
    enable_ttl(db)
    put(db, session(1, device={"S": "phone"}, expires={"N": str(NOW - 10)}))
    put(db, session(2, device={"S": "phone"}))
    assert device_count(db, "phone") == 2

    assert db.delete_expired_items() == 1
    assert device_count(db, "phone") == 1
    description = db.call("DescribeTable", {"TableName": "sessions"})["Table"]
    assert description["ItemCount"] == 1
    assert description["GlobalSecondaryIndexes"][0]["ItemCount"] == 1


def test_sweep_one_table(db: MemoryExecutor) -> None:
    db.call("CreateTable", {**TABLE, "TableName": "archive"})
    enable_ttl(db)
    enable_ttl(db, "archive")
    put(db, session(1, expires={"N": str(NOW - 10)}))
    put(db, session(1, expires={"N": str(NOW - 10)}), table="archive")

    assert db.delete_expired_items("archive") == 1
    assert stored_starts(db) == [1]
    assert db.delete_expired_items() == 1


def test_sweep_missing_table_rejected(db: MemoryExecutor) -> None:
    with pytest.raises(ValueError, match="no table named 'missing'"):
        db.delete_expired_items("missing")


def test_updated_expiry_is_honoured(db: MemoryExecutor) -> None:
    enable_ttl(db)
    put(db, session(1, expires={"N": str(NOW - 10)}))
    update = {
        "TableName": "sessions",
        "Key": {"user": {"S": "ann"}, "started": {"N": "1"}},
        "UpdateExpression": "SET expires = :later",
        "ExpressionAttributeValues": {":later": {"N": str(NOW + 3600)}},
    }
    db.call("UpdateItem", update)

    assert db.delete_expired_items() == 0
    assert get(db, 1) is not None


def test_creation_time_reads_clock(clock: Clock) -> None:
    clock.now = 1_234_567_890.0
    executor = MemoryExecutor(clock=clock)

    description = executor.call("CreateTable", TABLE)["TableDescription"]

    assert description["CreationDateTime"].timestamp() == 1_234_567_890.0
