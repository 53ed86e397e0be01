"""Benchmark: auto-seat (seating.autoseat, CP-SAT) on instances with a known perfect plan.

    .venv/bin/python bench/autoseat.py [--tables 30] [--per-table 10] [--seeds 3] [--seconds 5]

Pure solver, no database. For each seed prints the time to a plan, whether every
hard rule holds (`violations()`), how many guests are seated, households split,
table preferences met/missed — for the greedy starting plan alone and for the
CP-SAT plan, so the solver's gain over the greedy start is visible.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--per-table", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=None, help="solver time limit (default: the product's)")
    args = parser.parse_args()

    from seating import autoseat
    from tests.seating.autoseat_instances import known_feasible

    seconds = args.seconds or autoseat.DEFAULT_SECONDS
    print(f"{args.tables} tables x {args.per_table} seats, time limit {seconds} s")
    print(f"{'seed':>4} {'plan':>8} {'time s':>7} {'ok':>3} {'seated':>9} {'split':>5} {'pref +/-':>9} {'score':>9}")
    for seed in range(1, args.seeds + 1):
        problem = known_feasible(tables=args.tables, per_table=args.per_table, seed=seed)
        by_id = {g.id: g for g in problem.guests}
        hard, _, _ = autoseat._hard_groups(problem, by_id)
        apart: dict[int, set[int]] = defaultdict(set)
        for a, b in problem.apart:
            apart[a].add(b)
            apart[b].add(a)
        started = time.monotonic()
        greedy = autoseat.Plan(placement=autoseat._greedy(problem, hard, apart, by_id))
        greedy.seconds = time.monotonic() - started
        started = time.monotonic()
        plan = autoseat.solve(problem, seconds=seconds)
        plan.seconds = time.monotonic() - started
        movable = len(problem.movable())
        for label, result in (("greedy", greedy), ("cp-sat", plan)):
            d = autoseat.score_details(problem, result)
            ok = "yes" if not autoseat.violations(problem, result) else "NO"
            print(
                f"{seed:>4} {label:>8} {result.seconds:>7.2f} {ok:>3} {d['seated']:>4}/{movable:<4} "
                f"{d['households_split']:>5} {d['preferences_met']:>4}/{d['preferences_missed']:<4} {d['score']:>9}"
            )


if __name__ == "__main__":
    main()
