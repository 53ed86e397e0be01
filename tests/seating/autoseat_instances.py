"""Auto-seat instances with a known perfect plan (tests and bench/autoseat.py share them)."""

from __future__ import annotations

import random

from seating.autoseat import Group, GuestSpec, Problem, TableSpec


def known_feasible(tables: int = 30, per_table: int = 10, seed: int = 7) -> Problem:
    """Households that exactly fill `tables` tables of `per_table` (300 guests by default), with
    kids for two kids' tables, pinned guests, keep-together groups and keep-apart pairs, all
    satisfied by the arrangement the instance was built from: a perfect plan exists."""
    rng = random.Random(seed)
    specs: list[GuestSpec] = []
    groups: list[Group] = []
    apart: list[tuple[int, int]] = []
    gid = hid = 0
    table_specs = []
    for t in range(tables):
        kids_table = t < 2
        table_specs.append(TableSpec(
            id=t + 1, capacity=per_table, name=f"Table {t + 1}",
            prefers=frozenset({"age:child"}) if kids_table else frozenset(),
        ))
        left, members = per_table, []
        while left:
            size = min(rng.choice([1, 2, 2, 3, 4]), left)
            for _ in range(size):
                traits = frozenset({"age:child" if kids_table else "age:adult"})
                pinned = t + 1 if gid % 50 == 0 else None
                specs.append(GuestSpec(id=gid, household=hid, name=f"G{gid}", traits=traits, fixed_table=pinned))
                members.append(gid)
                gid += 1
            hid += 1
            left -= size
        if t % 5 == 0:
            groups.append(Group(id=t, name=f"Friends {t}", members=frozenset(members[:: 3])))
    by_table = [specs[i * per_table:(i + 1) * per_table] for i in range(tables)]
    for t in range(0, tables - 1, 2):
        apart.append((by_table[t][0].id, by_table[t + 1][0].id))
    rng.shuffle(specs)
    return Problem(tables=table_specs, guests=specs, groups=groups, apart=apart)
