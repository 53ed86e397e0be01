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

The solver is OR-Tools CP-SAT with a time limit, started from a greedy plan
(a hint), so a good plan arrives well within the limit and a feasible one at once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

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
    """A quick feasible plan: groups, then households, then the rest, each to the roomiest
    allowed table (preferring matching tables). Used as the solver's starting hint."""
    taken = problem.taken()
    free = {t.id: t.capacity - taken[t.id] for t in problem.tables}
    at: dict[int, set[int]] = defaultdict(set)  # table -> guests there (fixed and placed)
    for g in problem.fixed():
        at[g.fixed_table].add(g.id)
    placement: dict[int, int | None] = {g.id: None for g in problem.movable()}
    done: set[int] = set()
    units: list[list[GuestSpec]] = []
    for group in sorted(hard, key=lambda gr: -len(gr.members)):
        unit = [by_id[m] for m in group.members if m in by_id and by_id[m].fixed_table is None and m not in done]
        done.update(g.id for g in unit)
        if unit:
            units.append(unit)
    households: dict[int, list[GuestSpec]] = defaultdict(list)
    for g in problem.movable():
        if g.id not in done:
            households[g.household].append(g)
    units.extend(sorted(households.values(), key=len, reverse=True))
    tables = {t.id: t for t in problem.tables}
    hard_units = len(units) - len(households)
    for index, unit in enumerate(units):
        ids = {g.id for g in unit}
        pinned_to = {
            by_id[m].fixed_table for gr in hard for m in gr.members
            if ids & gr.members and m in by_id and by_id[m].fixed_table is not None
        }

        def allowed(tid: int, guests: list[GuestSpec]) -> bool:
            return all(not (apart.get(g.id, set()) & at[tid]) for g in guests)

        candidates = [tid for tid in free if not pinned_to or tid in pinned_to]
        whole = [tid for tid in candidates if free[tid] >= len(unit) and allowed(tid, unit)]
        if whole:
            best = max(whole, key=lambda tid: (_fit(unit, tables[tid]), free[tid]))
            for g in unit:
                placement[g.id] = best
                at[best].add(g.id)
            free[best] -= len(unit)
            continue
        if index < hard_units:
            continue  # a hard group is seated whole or not at all
        for g in unit:  # a household that fits nowhere whole: seat its members one by one
            options = [tid for tid in candidates if free[tid] >= 1 and allowed(tid, [g])]
            if options:
                best = max(options, key=lambda tid: (_fit([g], tables[tid]), free[tid]))
                placement[g.id] = best
                at[best].add(g.id)
                free[best] -= 1
    return placement


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
    hinted: list[tuple[cp_model.IntVar, int]] = []
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    fixed_at: dict[int, set[int]] = defaultdict(set)
    for g in problem.fixed():
        fixed_at[g.fixed_table].add(g.id)
    for g in movable:
        for t in problem.tables:
            # Keep-apart with a fixed guest rules a table out for good: no variable at all.
            if apart[g.id] & fixed_at[t.id]:
                continue
            x[g.id, t.id] = model.new_bool_var(f"x{g.id}_{t.id}")
    seated = {}
    for g in movable:
        options = [x[g.id, t.id] for t in problem.tables if (g.id, t.id) in x]
        seated[g.id] = sum(options) if options else 0
        if options:
            model.add(sum(options) <= 1)
    load = {}
    for t in problem.tables:
        here = [x[g.id, t.id] for g in movable if (g.id, t.id) in x]
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
        used = []
        for t in problem.tables:
            if any(g.fixed_table == t.id for g in members):
                used.append(1)
                continue
            here = [x[g.id, t.id] for g in members if (g.id, t.id) in x]
            if not here:
                continue
            z = model.new_bool_var("")
            for var in here:
                model.add(z >= var)
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
        W_SEATED * sum(seated.values())
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
        placement = {
            g.id: next((t.id for t in problem.tables if (g.id, t.id) in x and solver.value(x[g.id, t.id])), None)
            for g in movable
        }
        label = "optimal" if status == cp_model.OPTIMAL else "best found in the time limit"
    else:
        # No solution in time (should not happen: the greedy hint is feasible). Fall back to it.
        placement, label = hint, "greedy"
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

