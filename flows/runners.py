"""Choosing where a refresh's tasks run: threads in this process (default) or a Dask cluster."""

from __future__ import annotations

import os

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

TASK_RUNNERS = ("threads", "dask")


def task_runner(name: str = "threads", dask_address: str | None = None, workers: int | None = None) -> TaskRunner:
    """`threads`: a thread pool here, one batch per core at a time. `dask`: a local cluster of worker processes, or the cluster
    at `dask_address` (tcp://host:8786), which is how a refresh reaches beyond one machine."""
    if name == "threads":
        # Prefect's default pool is unbounded: every batch would run at once and hold its
        # intermediate frames together. Polars already uses every core inside one batch.
        return ThreadPoolTaskRunner(max_workers=workers or max(2, os.cpu_count() or 1))
    if name == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        n_workers = workers or max(1, min(4, os.cpu_count() or 1))
        return DaskTaskRunner(cluster_kwargs={"n_workers": n_workers, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    raise ValueError(f"unknown task runner {name!r}; choose one of {', '.join(TASK_RUNNERS)}")
