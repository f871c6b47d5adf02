"""Table rules: CreateTable validation, missing tables and time to live."""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import (
    Case,
    Fails,
    Request,
    Returns,
    S,
    Satisfies,
    get,
    index,
    parametrize,
    put,
    run_case,
    table,
    update,
)

CREATE_TABLE = "CreateTable - Amazon DynamoDB"
DESCRIBE_TABLE = "DescribeTable - Amazon DynamoDB"
DELETE_TABLE = "DeleteTable - Amazon DynamoDB"
LSI = "Local secondary indexes"
ERRORS = "Error handling with DynamoDB"
UPDATE_TTL = "UpdateTimeToLive - Amazon DynamoDB"
DESCRIBE_TTL = "DescribeTimeToLive - Amazon DynamoDB"

HASH = {"AttributeName": "pk", "KeyType": "HASH"}
RANGE = {"AttributeName": "sk", "KeyType": "RANGE"}
PK = {"AttributeName": "pk", "AttributeType": "S"}
SK = {"AttributeName": "sk", "AttributeType": "S"}
THROUGHPUT = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
MISSING = "tbl_missing"


def create(**params: Any) -> Request:
    """Return a CreateTable request for tbl_main, on demand unless `params` sets BillingMode."""
    request = {
        "TableName": "tbl_main",
        "KeySchema": [HASH],
        "AttributeDefinitions": [PK],
        "BillingMode": "PAY_PER_REQUEST",
        **params,
    }
    return ("CreateTable", {name: value for name, value in request.items() if value is not None})


def invalid_create(case_id: str, source: str = CREATE_TABLE, **params: Any) -> Case:
    return Case(case_id, source, create(**params), Fails("ValidationException"))


def not_found(case_id: str, source: str, request: Request) -> Case:
    return Case(case_id, source, request, Fails("ResourceNotFoundException"))


def check_schema(description: dict[str, Any]) -> None:
    """Assert that a table description has the composite key (pk S, sk S)."""
    definitions = sorted(description["AttributeDefinitions"], key=lambda d: d["AttributeName"])
    assert description["KeySchema"] == [HASH, RANGE]
    assert definitions == [PK, SK]
    assert description["TableName"].startswith("tbl_main")


def check_throughput(description: dict[str, Any]) -> None:
    throughput = description["ProvisionedThroughput"]
    assert throughput["ReadCapacityUnits"] == 1
    assert throughput["WriteCapacityUnits"] == 1


LSI_ON_SK2 = index("by_sk2", "pk", "sk2")
SK2 = {"AttributeName": "sk2", "AttributeType": "S"}
TTL_ON = {"AttributeName": "expires", "Enabled": True}

CASES = [
    # Attribute definitions must describe exactly the key attributes of the table and indexes.
    invalid_create("key-attribute-not-defined", AttributeDefinitions=[SK], KeySchema=[HASH]),
    invalid_create("unused-attribute-definition", AttributeDefinitions=[PK, SK]),
    invalid_create(
        "attribute-type-not-scalar",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
    ),
    invalid_create(
        "two-hash-keys",
        KeySchema=[HASH, {"AttributeName": "sk", "KeyType": "HASH"}],
        AttributeDefinitions=[PK, SK],
    ),
    invalid_create("range-key-first", KeySchema=[RANGE, HASH], AttributeDefinitions=[PK, SK]),
    invalid_create(
        "index-key-not-defined",
        GlobalSecondaryIndexes=[index("by_other", "other_key")],
    ),
    # Local secondary indexes need a composite table key and share its partition key.
    invalid_create(
        "lsi-without-table-range-key",
        LSI,
        AttributeDefinitions=[PK, SK2],
        LocalSecondaryIndexes=[LSI_ON_SK2],
    ),
    invalid_create(
        "lsi-other-partition-key",
        LSI,
        KeySchema=[HASH, RANGE],
        AttributeDefinitions=[PK, SK, SK2],
        LocalSecondaryIndexes=[index("by_sk2", "sk2", "sk")],
    ),
    invalid_create(
        "lsi-without-range-key",
        LSI,
        KeySchema=[HASH, RANGE],
        AttributeDefinitions=[PK, SK],
        LocalSecondaryIndexes=[index("by_pk", "pk")],
    ),
    invalid_create(
        "duplicate-index-names",
        KeySchema=[HASH, RANGE],
        AttributeDefinitions=[PK, SK, SK2],
        GlobalSecondaryIndexes=[index("same", "sk2"), index("same", "sk")],
    ),
    # Billing mode and provisioned throughput.
    invalid_create("provisioned-without-throughput", BillingMode="PROVISIONED"),
    invalid_create("default-billing-without-throughput", BillingMode=None),
    invalid_create("on-demand-with-throughput", ProvisionedThroughput=THROUGHPUT),
    invalid_create(
        "on-demand-index-with-throughput",
        AttributeDefinitions=[PK, SK],
        GlobalSecondaryIndexes=[{**index("by_sk", "sk"), "ProvisionedThroughput": THROUGHPUT}],
    ),
    invalid_create(
        "provisioned-index-without-throughput",
        BillingMode="PROVISIONED",
        ProvisionedThroughput=THROUGHPUT,
        AttributeDefinitions=[PK, SK],
        GlobalSecondaryIndexes=[index("by_sk", "sk")],
    ),
    Case(
        "provisioned-with-throughput",
        CREATE_TABLE,
        create(BillingMode="PROVISIONED", ProvisionedThroughput=THROUGHPUT),
        Satisfies(lambda call, response: check_throughput(response["TableDescription"])),
    ),
    Case(
        "create-describes-key-schema",
        CREATE_TABLE,
        create(KeySchema=[HASH, RANGE], AttributeDefinitions=[PK, SK]),
        Satisfies(lambda call, response: check_schema(response["TableDescription"])),
        then=[
            (
                "DescribeTable",
                {"TableName": "tbl_main"},
                Satisfies(lambda call, response: check_schema(response["Table"])),
            )
        ],
    ),
    Case(
        "duplicate-table",
        CREATE_TABLE,
        create(),
        Fails("ResourceInUseException"),
        (table(),),
    ),
    # Requests naming a table that does not exist.
    not_found("describe-missing-table", DESCRIBE_TABLE, ("DescribeTable", {"TableName": MISSING})),
    not_found("delete-missing-table", DELETE_TABLE, ("DeleteTable", {"TableName": MISSING})),
    not_found("put-missing-table", ERRORS, put({"pk": S("a")}, MISSING)),
    not_found("get-missing-table", ERRORS, get({"pk": S("a")}, MISSING)),
    not_found("update-missing-table", ERRORS, update({"pk": S("a")}, "REMOVE x", MISSING)),
    not_found(
        "delete-item-missing-table",
        ERRORS,
        ("DeleteItem", {"TableName": MISSING, "Key": {"pk": S("a")}}),
    ),
    not_found("scan-missing-table", ERRORS, ("Scan", {"TableName": MISSING})),
    not_found(
        "query-missing-table",
        ERRORS,
        (
            "Query",
            {
                "TableName": MISSING,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": S("a")},
            },
        ),
    ),
    not_found(
        "update-ttl-missing-table",
        UPDATE_TTL,
        ("UpdateTimeToLive", {"TableName": MISSING, "TimeToLiveSpecification": TTL_ON}),
    ),
    # Time to live.
    Case(
        "ttl-disabled-by-default",
        DESCRIBE_TTL,
        ("DescribeTimeToLive", {"TableName": "tbl_main"}),
        Returns({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}),
        (table(),),
    ),
    Case(
        "ttl-enable-returns-specification",
        UPDATE_TTL,
        ("UpdateTimeToLive", {"TableName": "tbl_main", "TimeToLiveSpecification": TTL_ON}),
        Returns({"TimeToLiveSpecification": TTL_ON}),
        (table(),),
        then=[
            (
                "DescribeTimeToLive",
                {"TableName": "tbl_main"},
                Returns(
                    {
                        "TimeToLiveDescription": {
                            "TimeToLiveStatus": "ENABLED",
                            "AttributeName": "expires",
                        }
                    }
                ),
            )
        ],
    ),
    Case(
        "ttl-enable-twice",
        UPDATE_TTL,
        ("UpdateTimeToLive", {"TableName": "tbl_main", "TimeToLiveSpecification": TTL_ON}),
        Fails("ValidationException"),
        (
            table(),
            ("UpdateTimeToLive", {"TableName": "tbl_main", "TimeToLiveSpecification": TTL_ON}),
        ),
    ),
]


DYNALITE_NO_TTL = "dynalite 4.0.0 does not implement UpdateTimeToLive."

DEPARTURES = {
    "attribute-type-not-scalar": {"moto": "moto accepts BOOL as a key attribute type."},
    "two-hash-keys": {"moto": "moto accepts a key schema with two HASH keys."},
    "range-key-first": {"moto": "moto accepts a key schema with the RANGE key first."},
    "lsi-without-table-range-key": {"moto": "moto accepts an LSI on a table without a sort key."},
    "lsi-other-partition-key": {"moto": "moto accepts an LSI with another partition key."},
    "lsi-without-range-key": {"moto": "moto accepts an LSI without a sort key."},
    "duplicate-index-names": {"moto": "moto accepts two indexes with the same name."},
    "on-demand-index-with-throughput": {
        "moto": "moto accepts GSI throughput on an on-demand table."
    },
    "provisioned-index-without-throughput": {
        "moto": "moto accepts a GSI without throughput on a provisioned table.",
        "dynalite": "dynalite accepts a GSI without throughput on a provisioned table.",
    },
    "update-ttl-missing-table": {
        "moto": "moto returns the code ResourceNotFound, not ResourceNotFoundException.",
        "dynalite": DYNALITE_NO_TTL,
    },
    "ttl-enable-returns-specification": {"dynalite": DYNALITE_NO_TTL},
    "ttl-enable-twice": {
        "moto": "moto accepts enabling time to live twice in a row.",
        "dynalite": DYNALITE_NO_TTL,
    },
}


@parametrize(CASES, DEPARTURES)
def test_table_rule(case: Case, backend: str, backend_executor: Any) -> None:
    run_case(case, backend_executor, server=backend != "memory")
