"""A flow's step runs as a Prefect task in a flow run, and as its plain function without one."""

from __future__ import annotations

import logging

from prefect import flow
from prefect.cache_policies import NO_CACHE

from arshjul.tasks.step import Step, run_directly, step, step_logger, without_a_server

CALLS: list[str] = []


@step("Räkna", "räkna-{n}")
def count(n: int) -> int:
    """A step that records that it ran and what it saw."""
    CALLS.append(f"count {n} utan server={without_a_server()}")
    return n + 1


@flow(name="Provflöde")
def sample_flow(n: int = 1) -> int:
    return count(count(n))


def test_a_step_is_a_named_task_that_is_never_cached() -> None:
    assert isinstance(count, Step)
    assert count.task.name == "Räkna"
    assert count.task.task_run_name == "räkna-{n}"
    assert count.task.cache_policy is NO_CACHE  # the database is the truth, not a cache


def test_a_flow_run_directly_calls_each_step_as_a_plain_function() -> None:
    CALLS.clear()
    assert run_directly(sample_flow, n=1) == 3
    assert CALLS == ["count 1 utan server=True", "count 2 utan server=True"]
    # Outside run_directly the flag is off again: a later flow run talks to Prefect.
    assert not without_a_server()


def test_the_logger_without_a_run_is_the_packages() -> None:
    CALLS.clear()

    @flow(name="Loggflöde")
    def logs() -> str:
        return step_logger().name

    assert run_directly(logs) == "arshjul"
    assert isinstance(logging.getLogger("arshjul"), logging.Logger)
