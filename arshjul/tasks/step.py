"""A flow's step: a Prefect task in a flow run, a plain call when the flow runs without Prefect.

Each stage's flow is the one place its steps are put in order. The demo's quick
path, the tests and the benchmarks run that same flow body without Prefect
(:func:`run_directly`): every step is then called as the plain function it wraps,
so there is no second orchestration to drift from the first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, ParamSpec, TypeVar

from prefect import Flow, Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from arshjul.tasks.common import on_database

P = ParamSpec("P")
R = TypeVar("R")

_WITHOUT_PREFECT: ContextVar[bool] = ContextVar("arshjul_without_prefect", default=False)


class Step(Generic[P, R]):
    """A Prefect task that a flow run without Prefect calls as its plain function."""

    def __init__(self, prefect_task: Task[P, R]) -> None:
        self.task = prefect_task
        self.fn: Callable[P, R] = prefect_task.fn
        self.name = prefect_task.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if _WITHOUT_PREFECT.get():
            return self.fn(*args, **kwargs)
        return self.task(*args, **kwargs)


def step(name: str, run_name: str | None = None) -> Callable[[Callable[P, R]], Step[P, R]]:
    """Declare a step: a task named in Swedish, never cached (the database is the truth)."""

    def declare(fn: Callable[P, R]) -> Step[P, R]:
        return Step(task(name=name, task_run_name=run_name, cache_policy=NO_CACHE)(fn))

    return declare


@contextmanager
def without_prefect() -> Iterator[None]:
    """Steps called inside run as plain functions."""
    token = _WITHOUT_PREFECT.set(True)
    try:
        yield
    finally:
        _WITHOUT_PREFECT.reset(token)


def run_directly(flow: Flow[..., Any], *, engine: Engine | None = None, **parameters: Any) -> Any:
    """A flow's body with every step a plain call: no server, no task runs.

    ``engine``: the database to act on, when it is not ARSHJUL_DATABASE_URL's.
    """
    with without_prefect(), on_database(engine):
        return flow.fn(**parameters)


def without_a_server() -> bool:
    """Is this flow running without Prefect (no artifacts to publish, no run to name)?"""
    return _WITHOUT_PREFECT.get()


def step_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The run's logger in a flow run (its lines show in the UI), else the package's."""
    if _WITHOUT_PREFECT.get():
        return logging.getLogger("arshjul")
    return get_run_logger()
