"""The seeded fault plan: reproducible, the same base plan in both modes, faults removable."""

from __future__ import annotations

from adapter.chaos.schedule import ALL_REPLICAS, Action, Link, Step, make_plan


def _base(steps: tuple[Step, ...]) -> list[tuple[float, str]]:
    """Moments and actions, broker black holes counted as the cuts they were drawn as."""
    return [
        (s.at_s, "cut" if s.action is Action.BLACKHOLE else s.action.value)
        for s in steps
        if s.link is not Link.POSTGRES
    ]


def test_a_seed_gives_one_plan() -> None:
    for mode in ("sqlite", "postgres-2"):
        first = make_plan(11, chaos_s=45, waves=8, mode=mode)
        second = make_plan(11, chaos_s=45, waves=8, mode=mode)
        assert first == second
        assert [s.replica for s in first.steps] == [s.replica for s in second.steps]


def test_the_postgres_mode_adds_to_the_same_base_plan() -> None:
    for seed in range(20):
        sqlite = make_plan(seed, chaos_s=45, waves=8)
        postgres = make_plan(seed, chaos_s=45, waves=8, mode="postgres-2")
        assert _base(sqlite.steps) == _base(postgres.steps)
        assert sqlite.windows(Link.POSTGRES) == []
        assert 1 <= len(postgres.windows(Link.POSTGRES)) <= 2
        assert all(s.replica == ALL_REPLICAS for s in sqlite.steps)


def test_kills_aim_at_one_replica_or_both_and_restart_the_same() -> None:
    targets: set[int] = set()
    for seed in range(30):
        plan = make_plan(seed, chaos_s=45, waves=8, mode="postgres-2")
        kills = [s for s in plan.steps if s.action is Action.KILL]
        targets |= {s.replica for s in kills}
    assert targets == {0, 1, ALL_REPLICAS}


def test_postgres_outages_are_resets_and_black_holes_that_end() -> None:
    labels: set[str] = set()
    for seed in range(30):
        plan = make_plan(seed, chaos_s=45, waves=8, mode="postgres-2")
        steps = [s for s in plan.steps if s.link is Link.POSTGRES]
        labels |= {s.label for s in steps}
        assert steps[-1].action is Action.RESTORE
        assert all(s.at_s < 45 for s in steps)
    assert labels == {"pg-reset", "pg-blackhole"}


def test_without_removes_a_kind_and_keeps_the_rest() -> None:
    full = make_plan(5, chaos_s=45, waves=8, mode="postgres-2")
    calm = make_plan(5, chaos_s=45, waves=8, mode="postgres-2", without=frozenset({"pg"}))
    assert calm.windows(Link.POSTGRES) == []
    assert [s for s in full.steps if s.link is not Link.POSTGRES] == list(calm.steps)
    no_kills = make_plan(5, chaos_s=45, waves=8, without=frozenset({"kill", "cut"}))
    assert not no_kills.count(Action.KILL)
    assert no_kills.windows(Link.BROKER) == []
