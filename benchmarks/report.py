"""Formatting of benchmark results as Markdown, and writing them into a section of a page."""

from __future__ import annotations

import datetime
from pathlib import Path

from benchmarks.batches import Memory, RoundTrips, Timing


def _calls(timing: Timing) -> str:
    return ", ".join(f"{count} {name}" for name, count in sorted(timing.calls.items()))


def _mib(size: int) -> str:
    return f"{size / 2**20:.2f} MiB"


def format_report(
    machine: dict[str, str], trips: RoundTrips, memory: Memory, elapsed: float
) -> str:
    """Return the Markdown body of the Batches section."""
    rows = [
        ("save", "save_many", trips.save_many, "save per item (PutItem)", trips.put_each),
        ("load", "load_many", trips.load_many, "load per item (GetItem)", trips.get_each),
    ]
    lines = [
        f"Measured on {datetime.date.today().isoformat()} by `python -m benchmarks` "
        f"(the whole run took {elapsed:.1f} s).",
        "",
        f"Machine: {machine['nproc']} CPUs (`nproc`), {machine['cpu']}, {machine['python']}, "
        f"{machine['platform']}.",
        "",
        f"### Round trips for {trips.items} items (moto_server on 127.0.0.1, one BotoExecutor)",
        "",
        "| work | bloopfp | calls | seconds | one call per item | calls | seconds | time ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for work, name, batched, single_name, single in rows:
        ratio = single.seconds / batched.seconds if batched.seconds else float("inf")
        lines.append(
            f"| {work} | {name} | {_calls(batched)} | {batched.seconds:.2f} | {single_name} | "
            f"{_calls(single)} | {single.seconds:.2f} | {ratio:.1f}x |"
        )
    lines += [
        "",
        "The time ratio is the single-call time divided by the batch time. Both go through the "
        "same local moto server, so the numbers show the cost of round trips on one machine, "
        "not DynamoDB's latency.",
        "",
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
    return "\n".join(lines)


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
