"""The submission lifecycle as plain functions: open, collect, remind, escalate.

No Prefect here: the tasks in :mod:`arshjul.tasks` wrap these, and tests and
benchmarks call them directly.
"""
