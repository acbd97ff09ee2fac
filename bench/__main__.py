"""``python -m bench [page] [throughput] [scale] [utility] [--quick]``: run benchmarks, rewrite their sections
of ``bench/RESULTS.md`` and exit 1 when a figure misses its target."""
from __future__ import annotations

import argparse
import importlib
import sys

from bench.report import write

SECTIONS = {"page": "bench.page_weight", "throughput": "bench.throughput", "scale": "bench.scale",
            "utility": "bench.utility"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("sections", nargs="*", choices=[*SECTIONS, []], help="default: all")
    parser.add_argument("--quick", action="store_true",
                        help="smaller runs to try the benchmarks out; RESULTS.md is not written")
    args = parser.parse_args(argv)
    chosen = args.sections or list(SECTIONS)
    results = []
    for key in chosen:
        module = importlib.import_module(SECTIONS[key])
        print(f"== {key} ==", flush=True)
        section = module.run(quick=args.quick)
        section.command = "make bench" if not args.sections else f"python -m bench {key}"
        results.append(section)
        for table in section.tables:
            for row in table.rows:
                print(f"  {row.figure}: {row.measured} (target {row.target or '—'}; baseline {row.baseline or '—'};"
                      f" ratio {row.ratio or '—'})", flush=True)
        if not args.quick:
            write([section])  # each section lands as soon as it is measured
    missed = [s.key for s in results if not s.met]
    if missed:
        print("missed a target in: " + ", ".join(missed), file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
