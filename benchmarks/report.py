"""Formatting of benchmark results as Markdown, and writing them into a section of a page."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from pathlib import Path

from benchmarks.batches import Memory, RoundTrips, Timing

# Summary of each variant's code in benchmarks.batches, by work and variant name.
CODE = {
    ("save", "bloopfp batch"): "`engine.save_many(items)`",
    ("save", "boto3 batch"): "`client.batch_write_item`, 25 items a call, "
    "resending UnprocessedItems",
    ("save", "bloopfp per item"): "`engine.save(item)` for each item",
    ("save", "boto3 per item"): "`client.put_item` for each item",
    ("load", "bloopfp batch"): "`engine.load_many(Item, items)`",
    ("load", "boto3 batch"): "`client.batch_get_item`, 100 keys a call, "
    "resending UnprocessedKeys, then TypeDeserializer",
    ("load", "bloopfp per item"): "`engine.load(Item, ...)` for each item",
    ("load", "boto3 per item"): "`client.get_item` for each item, then TypeDeserializer",
}

# Median time of a Timing, by the name the ratio table gives it.
MEASURES: dict[str, Callable[[Timing], float]] = {
    "wall": operator.attrgetter("seconds"),
    "client CPU": operator.attrgetter("cpu_seconds"),
}

# Rows of the ratio table: numerator variant, denominator variant and measure.
RATIOS = [
    ("bloopfp batch", "boto3 batch", "wall"),
    ("bloopfp batch", "boto3 batch", "client CPU"),
    ("bloopfp per item", "boto3 per item", "wall"),
    ("bloopfp per item", "boto3 per item", "client CPU"),
    ("bloopfp per item", "bloopfp batch", "wall"),
    ("boto3 per item", "boto3 batch", "wall"),
]


def _calls(timing: Timing) -> str:
    """Format the calls of the runs, or of each run when the runs made different calls."""
    distinct = []
    for run in timing.runs:
        text = ", ".join(f"{count} {name}" for name, count in sorted(run.calls.items()))
        if text not in distinct:
            distinct.append(text)
    return " / ".join(distinct)


def _seconds(timing: Timing) -> str:
    times = [run.seconds for run in timing.runs]
    return f"{timing.seconds:.2f} ({min(times):.2f} to {max(times):.2f})"


def _ratio_row(trips: RoundTrips, numerator: str, denominator: str, measure: str) -> str:
    """Format the row of the ratio numerator / denominator of `measure`, for save and load."""
    time_of = MEASURES[measure]
    cells = []
    for work in ("save", "load"):
        top = time_of(trips.timing(work, numerator))
        bottom = time_of(trips.timing(work, denominator))
        cells.append(f"{top / bottom:.2f}x" if bottom else "n/a")
    return f"| {numerator} / {denominator}, {measure} | {cells[0]} | {cells[1]} |"


def _mib(size: int) -> str:
    return f"{size / 2**20:.2f} MiB"


def format_report(
    machine: dict[str, str], trips: RoundTrips, memory: Memory, elapsed: float
) -> str:
    """Return the Markdown body of the Batches section."""
    lines = [
        f"Measured on {datetime.date.today().isoformat()} by `python -m benchmarks` "
        f"(the whole run took {elapsed:.1f} s).",
        "",
        f"Machine: {machine['nproc']} CPUs (`nproc`), {machine['cpu']}, {machine['python']}, "
        f"{machine['platform']}.",
        "",
    ]
    lines += _round_trip_lines(trips)
    lines += [""]
    lines += _memory_lines(memory)
    return "\n".join(lines)


def _round_trip_lines(trips: RoundTrips) -> list[str]:
    lines = [
        f"### Round trips for {trips.items} items (moto_server on 127.0.0.1, one boto3 client)",
        "",
        f"Each variant saved and then loaded the same {trips.items} items "
        f"{trips.repeats} times, taking turns with the other variants, and wrote its own hash "
        "keys. The boto3 variants are written by hand with the low-level client, without "
        "bloopfp. Wall seconds are the median of the runs, with the fastest and slowest run "
        "in brackets. Client CPU seconds are the median CPU time of the benchmark process, "
        "which excludes moto_server's process and so varies less with the load of the "
        "machine. Calls are counted on the client (botocore's own retries are off). After "
        "every run, outside the timing, the benchmark checks that exactly the expected items "
        "were stored or loaded.",
        "",
        "| work | variant | code | calls | wall seconds | client CPU seconds |",
        "|---|---|---|---|---|---|",
    ]
    for timing in trips.timings:
        lines.append(
            f"| {timing.work} | {timing.variant} | {CODE[timing.work, timing.variant]} | "
            f"{_calls(timing)} | {_seconds(timing)} | {timing.cpu_seconds:.3f} |"
        )

    lines += ["", "| ratio of median times | save | load |", "|---|---|---|"]
    lines += [_ratio_row(trips, *ratio) for ratio in RATIOS]
    lines += [
        "",
        "bloopfp / boto3 is bloopfp's overhead over the same calls written by hand (1.00x "
        "means none). Per item / batch is the cost of one call per item against batches of 25 "
        "writes or 100 reads. bloopfp loads build Item records with int numbers, and the boto3 "
        "loads build dicts with Decimal numbers. All variants go through the same local moto "
        "server, so the numbers show the cost of round trips and client-side work on one "
        "machine, not DynamoDB's latency.",
    ]
    return lines


def _memory_lines(memory: Memory) -> list[str]:
    lines = [
        f"### Memory while iterating a Query of {memory.items} items (MemoryExecutor)",
        "",
        f"Page size {memory.page_size}; peak of memory allocated after the iteration started, "
        "measured with tracemalloc (the stored table is excluded).",
        "",
        "| records iterated | peak so far |",
        "|---|---|",
    ]
    lines += [f"| {seen} | {_mib(peak)} |" for seen, peak in memory.checkpoints]
    lines += [
        "",
        f"Iterating all {memory.items} records took {memory.seconds:.1f} s under tracemalloc "
        f"with a peak of {_mib(memory.iterate_peak)}; `.all()`, which keeps every record in a "
        f"list, peaked at {_mib(memory.all_peak)}.",
    ]
    return lines


def write_section(page: Path, title: str, body: str) -> None:
    """Replace the `## title` section of a Markdown page with `body`, creating what is missing."""
    heading = f"## {title}"
    text = page.read_text() if page.exists() else "# Benchmarks\n"
    lines = text.rstrip("\n").split("\n")
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = [heading, "", body, ""]
    else:
        lines += ["", heading, "", body]
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("\n".join(lines).rstrip("\n") + "\n")
