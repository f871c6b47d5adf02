"""Run the batch benchmarks and write docs/benchmarks.md.

    .venv/bin/python -m benchmarks [--items 1000] [--repeats 3] [--query-items 100000] [--no-write]

1. Starts moto_server on a free port of 127.0.0.1 and stops it afterwards.
2. Saves and loads `--items` items through one boto3 client in four variants. The first is
   bloopfp's save_many and load_many (BatchWriteItem and BatchGetItem), and the second is the
   same batches written by hand with the boto3 low-level client. The others make one PutItem or
   GetItem call per item, through bloopfp and through the client. Each variant runs `--repeats`
   times and is checked after every run. The report gives the call counts, the median times and
   their ratios.
3. Iterates a Query over `--query-items` items on MemoryExecutor under tracemalloc and prints
   the peak memory of the iteration, next to the peak of `.all()`, which keeps every record.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.batches import machine, measure_memory, measure_round_trips, moto_server
from benchmarks.report import format_report, write_section


def positive_int(text: str) -> int:
    """Parse a command-line count that must be at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a count of at least 1, got {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--items", type=positive_int, default=1000, help="items saved and loaded on moto"
    )
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=3,
        help="number of timed runs of each round-trip variant (the report gives the median)",
    )
    parser.add_argument(
        "--query-items", type=positive_int, default=100_000, help="items in the queried partition"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print the results without writing the docs page"
    )
    options = parser.parse_args()

    started = time.perf_counter()
    with moto_server() as endpoint:
        round_trips = measure_round_trips(endpoint, options.items, options.repeats)
    memory = measure_memory(options.query_items)
    elapsed = time.perf_counter() - started

    report = format_report(machine(), round_trips, memory, elapsed)
    print(report)
    if not options.no_write:
        page = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
        write_section(page, "Batches", report)
        print(f"wrote the Batches section of {page}")


if __name__ == "__main__":
    main()
