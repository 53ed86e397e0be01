"""Auto-seat: the pure solver core (no database, no Django).

`solve(problem)` returns a `Plan`: where each movable guest goes, a score and
warnings in the planner's words. `violations(problem, plan)` checks a plan
against every hard rule; the services run it on every plan before it is shown
or applied, and the tests run it on randomised instances.

Rules (the contract):

* Hard, never broken by a plan:
  - capacity: a table's guests (fixed occupants + placed guests) never exceed it;
  - keep apart: two guests of a keep-apart pair never share a table;
  - keep together (the planner's own groups): all the group's movable members
    sit at one table (the table of its fixed members, if it has any), or the
    whole group stays unseated;
  - fixed guests (pinned, or everyone already seated in "seat the unseated"
    mode) never move: they are not in the plan at all.
* When a keep-together group cannot be hard — it is larger than the largest
  table, or its fixed members already sit at different tables — it is **split
  with a warning** naming it, and treated like a household (soft) instead:
  refusing would leave the planner with no plan at all for one awkward group.
* Soft, scored (weights below): seat as many guests as possible (first by far),
  keep households at one table, seat guests at tables whose preferences they
  match (kids' table ← children), keep non-matching guests off such tables,
  fill tables evenly, and (when re-optimising) leave guests where they were.
* Guests that cannot be seated at all (no seats left, or no table their keep-apart
  pairs allow) stay unseated with a warning; the plan never breaks a hard rule
  to seat them.

How: a greedy plan (keep-together groups with their households, then households,
largest first) is improved by a short local search (moving and swapping
household blocks between tables, never breaking a hard rule), and handed to
OR-Tools CP-SAT as a complete hint; CP-SAT then improves it until the time limit.
Guests with no rule of their own are modelled as counts per (household, traits)
class, so the model stays small. A feasible plan exists from the first
millisecond; the figures are in bench/README.md (`bench/autoseat.py`).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

# Weights of the soft rules, in order of importance. Seating a guest outweighs
# everything else together, so a plan never leaves a guest unseated for a nicer score.
W_SEATED = 10_000
W_HOUSEHOLD_SPLIT = 200  # per extra table a household (or soft group) spreads over
W_PREFERENCE = 20  # per guest at a table whose preference they match
W_MISMATCH = 10  # per guest at a table with preferences they do not match
W_UNEVEN = 2  # per seat a table's load differs from its fair share
W_STAY = 1  # per guest left at the table they had (re-optimising only)

DEFAULT_SECONDS = 5.0
# Share of the time limit spent improving the greedy start by local search before CP-SAT.
LOCAL_SEARCH_SHARE = 0.4


@dataclass(frozen=True)
class TableSpec:
    id: int
    capacity: int
    name: str = ""
    # Who the table is meant for: keys such as "age:child" or "tag:Dancers" (see guest traits).
    prefers: frozenset[str] = frozenset()
    # Seats taken by people outside the problem (fixed guests of the problem are counted by
    # the solver itself: see `taken`).
    occupied: int = 0


@dataclass(frozen=True)
class GuestSpec:
    id: int
    household: int
    name: str = ""
    traits: frozenset[str] = frozenset()
    # The table the guest is fixed at (pinned/kept): they are an occupant, not a variable.
    fixed_table: int | None = None
    # Where the guest sits now (re-optimising: a small reward for not moving them).
    current_table: int | None = None


@dataclass(frozen=True)
class Group:
    """A planner's keep-together group."""

    id: int
    name: str
    members: frozenset[int]


@dataclass
class Problem:
    tables: list[TableSpec]
    guests: list[GuestSpec]
    groups: list[Group] = field(default_factory=list)
    apart: list[tuple[int, int]] = field(default_factory=list)

    def movable(self) -> list[GuestSpec]:
        return [g for g in self.guests if g.fixed_table is None]

    def fixed(self) -> list[GuestSpec]:
        return [g for g in self.guests if g.fixed_table is not None]

    def taken(self) -> dict[int, int]:
        """table id -> seats no plan can give away (outside occupants and fixed guests)."""
        result = {t.id: t.occupied for t in self.tables}
        for g in self.fixed():
            if g.fixed_table in result:
                result[g.fixed_table] += 1
        return result


@dataclass
class Plan:
    # guest id -> table id, or None for "stays unseated", for every movable guest.
    placement: dict[int, int | None]
    score: int = 0
    status: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    details: dict[str, int] = field(default_factory=dict)

    @property
    def seated(self) -> int:
        return sum(1 for t in self.placement.values() if t is not None)

    @property
    def unseated(self) -> list[int]:
        return [g for g, t in self.placement.items() if t is None]


class ProblemError(ValueError):
    """The input itself is inconsistent (e.g. a fixed guest at an unknown table)."""


def _matches(guest: GuestSpec, table: TableSpec) -> bool:
    return bool(guest.traits & table.prefers)


def _fit(guests: list[GuestSpec], table: TableSpec) -> int:
    """How well `guests` suit `table`'s preferences: matches minus mismatches (0 for an open table)."""
    if not table.prefers:
        return 0
    return sum(1 if _matches(g, table) else -1 for g in guests)


def _hard_groups(problem: Problem, by_id: dict[int, GuestSpec]) -> tuple[list[Group], list[Group], list[str]]:
    """The planner's groups split into those kept together (hard) and those only scored (soft)."""
    biggest = max((t.capacity for t in problem.tables), default=0)
    hard, soft, warnings = [], [], []
    for group in problem.groups:
        members = [by_id[m] for m in group.members if m in by_id]
        fixed_at = {g.fixed_table for g in members if g.fixed_table is not None}
        if len(members) < 2:
            continue
        if len(members) > biggest:
            warnings.append(
                f"“{group.name}” has {len(members)} guests, more than the largest table seats "
                f"({biggest}): it is split across tables."
            )
            soft.append(group)
        elif len(fixed_at) > 1:
            warnings.append(f"“{group.name}” has pinned guests at different tables: it stays split.")
            soft.append(group)
        else:
            hard.append(group)
    return hard, soft, warnings


def _greedy(
    problem: Problem, hard: list[Group], apart: dict[int, set[int]], by_id: dict[int, GuestSpec]
) -> dict[int, int | None]:
    """A quick feasible plan, used as the solver's start. Each keep-together group goes first,
    with the rest of its members' households when they fit at one table too; then households,
    largest first; a household that fits nowhere whole is seated member by member. Each unit
    goes to the allowed table that suits it best (preferences, then the fullest that fits)."""
    taken = problem.taken()
    free = {t.id: t.capacity - taken[t.id] for t in problem.tables}
    tables = {t.id: t for t in problem.tables}
    at: dict[int, set[int]] = defaultdict(set)  # table -> guests there (fixed and placed)
    for g in problem.fixed():
        at[g.fixed_table].add(g.id)
    placement: dict[int, int | None] = {g.id: None for g in problem.movable()}
    done: set[int] = set()
    hard_members = {m for gr in hard for m in gr.members}
    households: dict[int, list[GuestSpec]] = defaultdict(list)
    for g in problem.movable():
        households[g.household].append(g)

    def allowed(tid: int, guests: list[GuestSpec]) -> bool:
        return all(not (apart.get(g.id, set()) & at[tid]) for g in guests)

    def place(unit: list[GuestSpec], candidates: list[int]) -> bool:
        whole = [tid for tid in candidates if free[tid] >= len(unit) and allowed(tid, unit)]
        if not whole:
            return False
        best = max(whole, key=lambda tid: (_fit(unit, tables[tid]), -free[tid]))
        for g in unit:
            placement[g.id] = best
            at[best].add(g.id)
            done.add(g.id)
        free[best] -= len(unit)
        return True

    for group in sorted(hard, key=lambda gr: -len(gr.members)):
        core = [by_id[m] for m in group.members if m in by_id and by_id[m].fixed_table is None and m not in done]
        if not core:
            continue
        pinned_to = {by_id[m].fixed_table for m in group.members if m in by_id and by_id[m].fixed_table is not None}
        candidates = [tid for tid in free if not pinned_to or tid in pinned_to]
        family = [
            g for h in {c.household for c in core} for g in households[h]
            if g.id not in done and g.id not in hard_members
        ]
        if not (family and place(core + family, candidates)):
            place(core, candidates)  # seated whole or not at all
    for unit in sorted(households.values(), key=len, reverse=True):
        unit = [g for g in unit if g.id not in done and g.id not in hard_members]
        if not unit or place(unit, list(free)):
            continue
        for g in unit:  # fits nowhere whole: member by member
            place([g], list(free))
    return placement


def _improve(
    problem: Problem, placement: dict[int, int | None], hard: list[Group], apart: dict[int, set[int]],
    by_id: dict[int, GuestSpec], deadline: float, seed: int = 0,
) -> dict[int, int | None]:
    """Local search on a feasible plan: move or swap "units" (the guests of one household at one
    table; a hard group is one unit) between tables while the score improves. Every step keeps
    every hard rule (capacity, keep apart; groups move whole), so the result is feasible too.
    Gives CP-SAT a much better start: on tight instances (every seat taken) its own neighbourhoods
    rarely find the coordinated swaps that reunite a household."""
    rng = random.Random(seed)
    tables = {t.id: t for t in problem.tables}
    where = dict(placement)
    taken = problem.taken()
    load: dict[int, int] = defaultdict(int)
    at: dict[int, set[int]] = defaultdict(set)
    for g in problem.fixed():
        at[g.fixed_table].add(g.id)
    for gid, tid in where.items():
        if tid is not None:
            load[tid] += 1
            at[tid].add(gid)
    group_of: dict[int, int] = {}
    anchored: set[int] = set()  # members of a group with a fixed member: they stay with it
    for index, group in enumerate(hard):
        members = {m for m in group.members if m in by_id}
        for m in members:
            group_of[m] = index
        if any(by_id[m].fixed_table is not None for m in members):
            anchored |= members
    household_tables: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for g in problem.guests:
        tid = g.fixed_table if g.fixed_table is not None else where.get(g.id)
        if tid is not None:
            household_tables[g.household][tid] += 1

    def units() -> list[tuple[int, ...]]:
        """Movable guests grouped by (hard group or household, table)."""
        found: dict[tuple, list[int]] = defaultdict(list)
        for gid, tid in where.items():
            if tid is None or gid in anchored:
                continue
            key = ("g", group_of[gid]) if gid in group_of else ("h", by_id[gid].household, tid)
            found[key].append(gid)
        return [tuple(v) for v in found.values()]

    def gain(unit: tuple[int, ...], source: int, target: int) -> int:
        """Score change of moving `unit` from `source` to `target` (splits and preferences)."""
        delta = 0
        per_household: dict[int, int] = defaultdict(int)
        for gid in unit:
            g = by_id[gid]
            per_household[g.household] += 1
            for tid, sign in ((source, -1), (target, 1)):
                t = tables[tid]
                if t.prefers:
                    delta += sign * (W_PREFERENCE if _matches(g, t) else -W_MISMATCH)
                if g.current_table == tid:
                    delta += sign * W_STAY
        for household, count in per_household.items():
            counts = household_tables[household]
            before = sum(1 for c in counts.values() if c > 0)
            after = before - (counts[source] == count) + (counts[target] == 0)
            delta -= W_HOUSEHOLD_SPLIT * (after - before)
        return delta

    def allowed(unit: tuple[int, ...], target: int, leaving: tuple[int, ...] = ()) -> bool:
        others = at[target] - set(leaving)
        return all(not (apart.get(gid, set()) & others) for gid in unit)

    def apply(unit: tuple[int, ...], source: int, target: int) -> None:
        for gid in unit:
            where[gid] = target
            at[source].discard(gid)
            at[target].add(gid)
            household_tables[by_id[gid].household][source] -= 1
            household_tables[by_id[gid].household][target] += 1
        load[source] -= len(unit)
        load[target] += len(unit)

    ids = list(tables)
    while time.monotonic() < deadline:
        improved = False
        pool = units()
        rng.shuffle(pool)
        by_table: dict[int, list[tuple[int, ...]]] = defaultdict(list)
        for unit in pool:
            by_table[where[unit[0]]].append(unit)
        for unit in pool:
            if time.monotonic() >= deadline:
                break
            source = where[unit[0]]
            if source is None or any(where[g] != source for g in unit):
                continue
            # Only units of split households (or at a table meant for others) can gain.
            household = by_id[unit[0]].household
            split = sum(1 for c in household_tables[household].values() if c > 0) > 1
            if not split and not tables[source].prefers:
                continue
            for target in rng.sample(ids, len(ids)):
                if target == source:
                    continue
                room = tables[target].capacity - taken[target] - load[target]
                if room >= len(unit) and allowed(unit, target) and gain(unit, source, target) > 0:
                    apply(unit, source, target)
                    improved = True
                    break
                # Swap with a unit at the target that fits where this one leaves.
                for other in by_table.get(target, []):
                    if any(where[g] != target for g in other) or other == unit:
                        continue
                    if by_id[other[0]].household == household:
                        continue  # swapping a household with itself changes nothing
                    fits_there = room + len(other) >= len(unit)
                    fits_back = tables[source].capacity - taken[source] - load[source] + len(unit) >= len(other)
                    if not (fits_there and fits_back):
                        continue
                    if not (allowed(unit, target, other) and allowed(other, source, unit)):
                        continue
                    if gain(unit, source, target) + gain(other, target, source) > 0:
                        apply(unit, source, target)
                        apply(other, target, source)
                        improved = True
                        break
                if improved:
                    break
            if improved:
                break
        if not improved:
            break
    return where


def solve(problem: Problem, *, seconds: float = DEFAULT_SECONDS, workers: int = 2, seed: int = 0) -> Plan:
    """The best plan found within `seconds`. Never breaks a hard rule (see the module docstring).

    Raises ProblemError for inconsistent input (unknown tables or guests, fixed
    guests already over a table's capacity).
    """
    started = time.monotonic()
    tables = {t.id: t for t in problem.tables}
    by_id = {g.id: g for g in problem.guests}
    if len(by_id) != len(problem.guests):
        raise ProblemError("A guest appears twice.")
    for g in problem.fixed():
        if g.fixed_table not in tables:
            raise ProblemError(f"{g.name or g.id} is kept at a table that is not on this plan.")
    taken = problem.taken()
    for t in problem.tables:
        if taken[t.id] > t.capacity:
            raise ProblemError(f"{t.name or t.id} already has more guests than seats.")
    movable = problem.movable()
    if not movable:
        return Plan(placement={}, status="nothing to seat", seconds=0.0)
    if not problem.tables:
        return Plan(
            placement={g.id: None for g in movable}, status="no tables",
            warnings=["There are no tables at this event: add tables first."],
        )

    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in problem.apart:
        if a in by_id and b in by_id and a != b:
            apart[a].add(b)
            apart[b].add(a)
    hard, soft, warnings = _hard_groups(problem, by_id)
    for a, b in problem.apart:
        ga, gb = by_id.get(a), by_id.get(b)
        if ga and gb and ga.fixed_table is not None and ga.fixed_table == gb.fixed_table:
            warnings.append(f"{ga.name} and {gb.name} are both pinned at one table although kept apart.")

    hint = _greedy(problem, hard, apart, by_id)
    hint = _improve(problem, hint, hard, apart, by_id, started + seconds * LOCAL_SEARCH_SHARE, seed)
    # Imported here, not at the top: OR-Tools brings pandas and numpy (0.4 s of CPU), and every
    # process that loads the URLs (each daphne, the task worker, every manage.py command) imports
    # this module; only a solve needs them.
    from ortools.sat.python import cp_model

    hinted: list[tuple[cp_model.IntVar, int]] = []
    model = cp_model.CpModel()
    fixed_at: dict[int, set[int]] = defaultdict(set)
    for g in problem.fixed():
        fixed_at[g.fixed_table].add(g.id)

    # Guests with a rule of their own (a keep-apart pair, a group) are modelled one by one;
    # the others are interchangeable within their household, traits and current table, so a
    # "class" of them gets one count per table. Far fewer, stronger variables: the solver
    # then moves whole households between tables instead of guest by guest.
    in_rules = set(apart) | {m for gr in (*hard, *soft) for m in gr.members}
    individuals = [g for g in movable if g.id in in_rules]
    classes: dict[tuple, list[GuestSpec]] = defaultdict(list)
    for g in movable:
        if g.id not in in_rules:
            classes[(g.household, tuple(sorted(g.traits)), g.current_table)].append(g)
    class_list = list(classes.values())

    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for g in individuals:
        for t in problem.tables:
            # Keep-apart with a fixed guest rules a table out for good: no variable at all.
            if apart[g.id] & fixed_at[t.id]:
                continue
            x[g.id, t.id] = model.new_bool_var(f"x{g.id}_{t.id}")
    n: dict[tuple[int, int], cp_model.IntVar] = {}
    for c, members in enumerate(class_list):
        for t in problem.tables:
            n[c, t.id] = model.new_int_var(0, min(len(members), t.capacity), f"n{c}_{t.id}")
            hinted.append((n[c, t.id], sum(1 for g in members if hint[g.id] == t.id)))
    seated_terms = []
    for g in individuals:
        options = [x[g.id, t.id] for t in problem.tables if (g.id, t.id) in x]
        if options:
            model.add(sum(options) <= 1)
            seated_terms.extend(options)
    for c, members in enumerate(class_list):
        model.add(sum(n[c, t.id] for t in problem.tables) <= len(members))
        seated_terms.extend(n[c, t.id] for t in problem.tables)
    load = {}
    for t in problem.tables:
        here = [x[g.id, t.id] for g in individuals if (g.id, t.id) in x]
        here += [n[c, t.id] for c in range(len(class_list))]
        load[t.id] = sum(here) if here else 0
        if here:
            model.add(sum(here) <= t.capacity - taken[t.id])
    for a, others in apart.items():
        for b in others:
            if a < b and by_id[a].fixed_table is None and by_id[b].fixed_table is None:
                for t in problem.tables:
                    if (a, t.id) in x and (b, t.id) in x:
                        model.add(x[a, t.id] + x[b, t.id] <= 1)

    for group in hard:
        members = [by_id[m] for m in group.members if m in by_id]
        pinned_table = next((g.fixed_table for g in members if g.fixed_table is not None), None)
        moving = [g for g in members if g.fixed_table is None]
        if not moving:
            continue
        y = {t.id: model.new_bool_var(f"y{group.id}_{t.id}") for t in problem.tables}
        hinted.extend((y[t.id], int(hint[moving[0].id] == t.id)) for t in problem.tables)
        model.add(sum(y.values()) <= 1)
        for t in problem.tables:
            if pinned_table is not None and t.id != pinned_table:
                model.add(y[t.id] == 0)
            for g in moving:
                if (g.id, t.id) in x:
                    model.add(x[g.id, t.id] == y[t.id])
                else:
                    model.add(y[t.id] == 0)

    # Soft: households (and groups that could not be hard) at as few tables as possible.
    class_of = {g.id: c for c, members in enumerate(class_list) for g in members}
    hard_members = {m for gr in hard for m in gr.members}
    clusters: list[list[GuestSpec]] = []
    households: dict[int, list[GuestSpec]] = defaultdict(list)
    for g in problem.guests:
        households[g.household].append(g)
    clusters.extend(households.values())
    clusters.extend([by_id[m] for m in gr.members if m in by_id] for gr in soft)
    split_terms = []
    for members in clusters:
        if len(members) < 2 or all(g.id in hard_members for g in members):
            continue
        if all(g.fixed_table is not None for g in members):
            continue
        member_classes = {class_of[g.id] for g in members if g.id in class_of}
        used = []
        for t in problem.tables:
            if any(g.fixed_table == t.id for g in members):
                used.append(1)
                continue
            here = [x[g.id, t.id] for g in members if (g.id, t.id) in x]
            if not here and not member_classes:
                continue
            z = model.new_bool_var("")
            for var in here:
                model.add(z >= var)
            for c in member_classes:
                model.add(n[c, t.id] <= len(class_list[c]) * z)
            hinted.append((z, int(any(hint.get(g.id) == t.id for g in members))))
            used.append(z)
        if len(used) > 1:
            split_terms.append(sum(used) - 1)

    pref_terms = []
    mismatch_terms = []
    stay_terms = []
    for (gid, tid), var in x.items():
        g, t = by_id[gid], tables[tid]
        if t.prefers:
            (pref_terms if _matches(g, t) else mismatch_terms).append(var)
        if g.current_table == tid:
            stay_terms.append(var)
    for (c, tid), var in n.items():
        g, t = class_list[c][0], tables[tid]
        if t.prefers:
            (pref_terms if _matches(g, t) else mismatch_terms).append(var)
        if g.current_table == tid:
            stay_terms.append(var)

    total_capacity = sum(t.capacity for t in problem.tables)
    total_people = len(problem.guests)
    uneven_terms = []
    for t in problem.tables:
        fair = round(t.capacity * min(total_people, total_capacity) / total_capacity)
        if isinstance(load[t.id], int):
            uneven_terms.append(abs(load[t.id] + taken[t.id] - fair))
            continue
        dev = model.new_int_var(0, t.capacity, "")
        hinted.append((dev, abs(sum(1 for v in hint.values() if v == t.id) + taken[t.id] - fair)))
        model.add(dev >= load[t.id] + taken[t.id] - fair)
        model.add(dev >= fair - load[t.id] - taken[t.id])
        uneven_terms.append(dev)

    model.maximize(
        W_SEATED * sum(seated_terms)
        + W_PREFERENCE * sum(pref_terms)
        - W_MISMATCH * sum(mismatch_terms)
        - W_HOUSEHOLD_SPLIT * sum(split_terms)
        - W_UNEVEN * sum(uneven_terms)
        + W_STAY * sum(stay_terms)
    )

    # A complete hint (every variable) is a solution CP-SAT starts from at once.
    for (gid, tid), var in x.items():
        model.add_hint(var, hint[gid] == tid)
    for var, value in hinted:
        model.add_hint(var, value)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds - (time.monotonic() - started))
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    # Without this, presolve may transform the model so the greedy hint no longer applies.
    solver.parameters.keep_all_feasible_solutions_in_presolve = True

    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placement: dict[int, int | None] = {
            g.id: next((t.id for t in problem.tables if (g.id, t.id) in x and solver.value(x[g.id, t.id])), None)
            for g in individuals
        }
        for c, members in enumerate(class_list):
            queue = iter(members)
            for t in problem.tables:
                for _ in range(solver.value(n[c, t.id])):
                    placement[next(queue).id] = t.id
            for g in queue:
                placement[g.id] = None
        label = "optimal" if status == cp_model.OPTIMAL else "best found in the time limit"
    else:
        # No solution in time (a loaded machine, or a hint CP-SAT had to repair): the greedy
        # start, with whoever it placed against a hard rule left unseated.
        placement, label = _within_hard_rules(problem, hint, hard, by_id), "greedy"
    plan = Plan(placement=placement, status=label, warnings=warnings)
    plan.details = score_details(problem, plan)
    plan.score = plan.details["score"]
    unseated = [by_id[g] for g in plan.unseated]
    if unseated:
        names = ", ".join(g.name or str(g.id) for g in unseated[:5])
        more = f" and {len(unseated) - 5} more" if len(unseated) > 5 else ""
        plan.warnings.append(
            f"{len(unseated)} guest{'s' if len(unseated) != 1 else ''} could not be seated "
            f"(not enough seats, or kept apart from everyone with room): {names}{more}."
        )
    plan.seconds = round(time.monotonic() - started, 3)
    return plan


def _within_hard_rules(
    problem: Problem, placement: dict[int, int | None], hard: list[Group], by_id: dict[int, GuestSpec],
) -> dict[int, int | None]:
    """`placement` with movable guests unseated until no hard rule is broken.

    A hard group keeps the table holding its pinned members (else most of its members);
    of two guests kept apart at one table, the second movable one leaves. Unseating
    never breaks a rule, so one pass over each kind of rule is enough.
    """
    placement = dict(placement)
    fixed = {g.id: g.fixed_table for g in problem.fixed()}

    def table_of(gid: int) -> int | None:
        return fixed[gid] if gid in fixed else placement.get(gid)

    for group in hard:
        members = [m for m in group.members if m in by_id]
        seated = [table_of(m) for m in members if table_of(m) is not None]
        if len(set(seated)) <= 1:
            continue
        pinned = [fixed[m] for m in members if fixed.get(m) is not None]
        keep = pinned[0] if pinned else max(set(seated), key=seated.count)
        for m in members:
            if m in placement and placement[m] not in (None, keep):
                placement[m] = None
    for a, b in problem.apart:
        if a != b and (a in placement or b in placement) and table_of(a) is not None and table_of(a) == table_of(b):
            placement[b if b in placement else a] = None
    return placement


def final_tables(problem: Problem, plan: Plan) -> dict[int, int | None]:
    """guest id -> table id for every guest of the problem (fixed ones where they are)."""
    result: dict[int, int | None] = {g.id: g.fixed_table for g in problem.fixed()}
    result.update(plan.placement)
    return result


def score_details(problem: Problem, plan: Plan) -> dict[str, int]:
    """What the plan achieves on each soft rule (shown in the preview), and the total score."""
    where = final_tables(problem, plan)
    tables = {t.id: t for t in problem.tables}
    by_id = {g.id: g for g in problem.guests}
    households: dict[int, set[int]] = defaultdict(set)
    for g in problem.guests:
        if where.get(g.id) is not None:
            households[g.household].add(where[g.id])
    splits = sum(len(ts) - 1 for ts in households.values() if len(ts) > 1)
    matched = mismatched = stayed = 0
    for gid, tid in plan.placement.items():
        if tid is None:
            continue
        g, t = by_id[gid], tables[tid]
        if t.prefers:
            matched += _matches(g, t)
            mismatched += not _matches(g, t)
        stayed += g.current_table == tid
    seated = plan.seated
    score = (
        W_SEATED * seated + W_PREFERENCE * matched - W_MISMATCH * mismatched
        - W_HOUSEHOLD_SPLIT * splits + W_STAY * stayed
    )
    return {
        "seated": seated, "unseated": len(plan.placement) - seated, "households_split": splits,
        "preferences_met": matched, "preferences_missed": mismatched, "score": score,
    }


def violations(problem: Problem, plan: Plan) -> list[str]:
    """Every hard rule the plan breaks (empty for a valid plan)."""
    problems: list[str] = []
    tables = {t.id: t for t in problem.tables}
    by_id = {g.id: g for g in problem.guests}
    movable = {g.id for g in problem.movable()}
    if set(plan.placement) != movable:
        problems.append("The plan does not place exactly the movable guests.")
    for gid, tid in plan.placement.items():
        if tid is not None and tid not in tables:
            problems.append(f"Guest {gid} is placed at an unknown table {tid}.")
    where = final_tables(problem, plan)
    load: dict[int, int] = defaultdict(int)
    for tid in plan.placement.values():
        if tid is not None:
            load[tid] += 1
    taken = problem.taken()
    for t in problem.tables:
        if load[t.id] + taken[t.id] > t.capacity:
            problems.append(f"{t.name or t.id} is over capacity ({load[t.id] + taken[t.id]}/{t.capacity}).")
    for a, b in problem.apart:
        if a != b and (a in movable or b in movable):
            if where.get(a) is not None and where.get(a) == where.get(b):
                problems.append(f"Guests {a} and {b} are kept apart but share table {where[a]}.")
    hard, _, _ = _hard_groups(problem, by_id)
    for group in hard:
        places = {where.get(m) for m in group.members if m in by_id} - {None}
        if len(places) > 1:
            problems.append(f"“{group.name}” is split: {sorted(places, key=str)}.")
    return problems

