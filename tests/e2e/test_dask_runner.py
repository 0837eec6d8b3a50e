"""The refresh on Dask worker processes publishes exactly what the default thread runner publishes."""

from __future__ import annotations

import json

from flows.refresh import refresh
from flows.runners import task_runner


def _latest(home) -> dict:
    catalog = json.loads((home / "published" / "catalog.json").read_text())
    return next(v for v in catalog["versions"] if v["version"] == catalog["latest"])


def test_dask_publishes_the_same_data_fingerprint_as_threads(tmp_path, seeds_dir):
    on_threads, on_dask = tmp_path / "threads", tmp_path / "dask"
    threads = refresh(sources=[str(seeds_dir)], home=str(on_threads), batch_size=2)
    dask_flow = refresh.with_options(task_runner=task_runner("dask", workers=2))
    dask = dask_flow(sources=[str(seeds_dir)], home=str(on_dask), batch_size=2)   # three batches over two workers
    assert threads.outcome == dask.outcome == "published"
    assert (threads.n_claims, threads.n_comparisons) == (dask.n_claims, dask.n_comparisons)
    assert _latest(on_threads)["data_fingerprint"] == _latest(on_dask)["data_fingerprint"]
