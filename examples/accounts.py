"""The Account story: declare, bind, save, query, load, fail a condition, and delete.

Runs on the in-memory executor by default. With BLOOPFP_ENDPOINT=http://127.0.0.1:PORT it runs
the same plan through boto3 against that DynamoDB-compatible endpoint (a moto server, DynamoDB
Local), with dummy credentials unless AWS credentials are set.

    make demo
    BLOOPFP_ENDPOINT=http://127.0.0.1:5000 make demo
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable
from typing import Any

from bloopfp import Engine, GlobalSecondaryIndex, Request, column, errors, executors, model
from bloopfp.executors import Executor
from bloopfp.types import UUID, String


@model(table_name="accounts")
class Account:
    id: uuid.UUID = column(UUID, hash_key=True)
    name: str | None = column(String, default=None)
    email: str | None = column(String, default=None)
    by_email = GlobalSecondaryIndex(projection="keys", hash_key="email")


def account_id(email: str) -> uuid.UUID:
    """Derive a stable id from an e-mail address, so that every run prints the same results."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{email}")


def story(engine: Engine, say: Callable[[str], None] = print) -> list[Any]:
    """Run the Account story and return each step's result, for comparing executors."""
    results: list[Any] = []

    def show(label: str, value: Any) -> None:
        say(f"   = {label}: {value}")
        results.append(value)

    say("1. bind Account: create the table and its e-mail index when missing")
    engine.bind(Account, wait_delay=0.1)

    say("2. save three accounts")
    people = [("Ada", "ada@example.com"), ("Grace", "grace@example.com"), ("Edsger", None)]
    for name, email in people:
        engine.save(Account(id=account_id(email or name), name=name, email=email))

    say("3. query the e-mail index (keys only), then load the whole record by id")
    found = engine.query(Account.by_email, key=Account.email == "grace@example.com").one()
    show("index entry", found)
    full = engine.load(Account, id=found.id)
    show("loaded", full)

    say("4. rename Grace: only the changed column is sent")
    renamed = Account(id=full.id, name="Grace Hopper", email=full.email)
    engine.save(renamed, old=full)
    show("after rename", engine.load(Account, id=full.id))

    say("5. a conditional save that must fail: Ada's name is not 'Countess'")
    ada = engine.load(Account, id=account_id("ada@example.com"))
    try:
        engine.save(
            Account(id=ada.id, name="Ada", email=None), condition=Account.name == "Countess"
        )
    except errors.ConditionFailed as error:
        show("rejected", f"{type(error).__name__}: {error}")

    say("6. delete Edsger, then loading him raises NotFound")
    engine.delete(Account, id=account_id("Edsger"))
    try:
        engine.load(Account, id=account_id("Edsger"))
    except errors.NotFound as error:
        show("missing", f"{type(error).__name__}: {error}")

    say("7. scan what is left, ordered by name for a stable printout")
    remaining = sorted(engine.scan(Account).all(), key=lambda account: account.name or "")
    show("remaining", [account.name for account in remaining])
    return results


def compact(request: Request) -> str:
    """Format a request on one line: the operation and its params as JSON."""
    text = json.dumps(request.params, default=_json_default, separators=(",", ":"))
    if len(text) > 400:
        text = text[:397] + "..."
    return f"   > {request.operation} {text}"


def _json_default(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return str(value)


def make_executor(endpoint: str | None) -> Executor:
    if not endpoint:
        return executors.MemoryExecutor()
    return executors.BotoExecutor.connect(
        endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        max_attempts=1,
    )


def main() -> int:
    endpoint = os.environ.get("BLOOPFP_ENDPOINT")
    executor = make_executor(endpoint)
    print(f"bloopfp demo on {type(executor).__name__}" + (f" at {endpoint}" if endpoint else ""))
    engine = Engine(executor, observe=lambda request: print(compact(request)))
    try:
        story(engine)
    except errors.BloopfpError as error:
        print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
