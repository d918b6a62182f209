"""``python -m bench [--quick] [--only figure,linkage] [--out PATH]``.

Runs the selected sections of :mod:`bench.registry` in one process, prints
their tables and writes them, with the date and the machine, to RESULTS.md
(rewritten after each section, so an interrupted run keeps what it measured).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .common import load_average, machine_info
from .registry import SECTIONS, section

DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"
OUT_DIR = Path(__file__).resolve().parent / "out"  # gitignored


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run in under a minute"
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default: all of {', '.join(SECTIONS)})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="Markdown report (default: bench/RESULTS.md for a run of every section, "
        "bench/out/RESULTS-<sections>.md for a run of some, so the full report is not overwritten)",
    )
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    if args.out is None:
        every = args.only == list(SECTIONS)
        args.out = DEFAULT_OUT if every else OUT_DIR / f"RESULTS-{'-'.join(args.only)}.md"
        args.out.parent.mkdir(exist_ok=True)
    unknown = [name for name in args.only if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def report(info: dict, args, done: list) -> str:
    """RESULTS.md: machine, run mode, then every section's tables."""
    lines = ["# Benchmark results", ""]
    lines += [f"- **{key}**: {value}" for key, value in info.items()]
    mode = "quick (smoke sizes, not representative)" if args.quick else "full"
    lines += [
        f"- **Run**: `python -m bench{' --quick' if args.quick else ''} --only {','.join(args.only)}` ({mode})",
        "",
    ]
    for name, seconds, tables in done:
        lines += [f"## {name} ({seconds:.0f} s)", ""] + [table.to_markdown() for table in tables]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    info = machine_info()
    print("\n".join(f"{key}: {value}" for key, value in info.items()), end="\n\n", flush=True)
    done = []
    for name in args.only:
        print(f"## {name}", flush=True)
        start = time.perf_counter()
        tables = section(name)(quick=args.quick)
        done.append((name, time.perf_counter() - start, tables))
        for table in tables:
            print(table.to_markdown(), flush=True)
        info["Load at end"] = load_average()
        args.out.write_text(report(info, args, done))
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
