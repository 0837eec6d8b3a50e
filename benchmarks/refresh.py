"""Refresh benchmark: full, no-op and 1%-changed refreshes of a generated corpus of N documents.

    python -m benchmarks.refresh --documents 10000 --documents 100000

For each N a deterministic corpus is written as text files (about 4.7 KB each, from the seed
articles' sentences and the ontology's aliases), then three refreshes run into one home, each in
its own process (so that peak memory is its own): full (empty warehouse), no-op (nothing changed),
and changed (1% of files edited). Printed per run: wall time of the process, time per stage of the
flow, MB/s over the text ingested, the stage that dominates, and peak RSS of the process (the
largest child process is reported beside it: the temporary Prefect server a run starts with
--ephemeral, or a Dask worker with --task-runner dask).

By default the runs talk to one Prefect server started for the benchmark, as scheduled refreshes do
(`kvp serve`); `--ephemeral` lets each run start its own temporary server (about 10-20 s more each).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.corpus import change_some, write_corpus
from flows.process import run_then_exit


def run_case(source: str, home: str, batch_size: int, runner: str = "threads") -> dict:
    """One refresh in this process (its tasks on `runner`); what the benchmark reports about it."""
    from flows.settings import configure_environment
    from warehouse.home import Home

    kvp_home = Home.resolve(Path(home))
    configure_environment(kvp_home)
    from flows.refresh import refresh
    from flows.runners import task_runner

    started = time.perf_counter()
    summary = refresh.with_options(task_runner=task_runner(runner))(sources=[source], home=home, batch_size=batch_size)
    flow_seconds = time.perf_counter() - started
    return {
        "outcome": summary.outcome, "version": summary.version, "n_documents": summary.n_documents,
        "n_extracted": summary.n_extracted, "n_claims": summary.n_claims, "mb": summary.n_chars / 1e6,
        "flow_seconds": flow_seconds, "stage_seconds": summary.stage_seconds,
        "stage_peak_rss_mb": summary.stage_peak_rss_mb,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


@contextmanager
def prefect_server(state: Path) -> Iterator[str]:
    """A Prefect server on a free loopback port for the benchmark's runs; its API URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(state), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_UI_ENABLED": "false"}
    prefect = Path(sys.executable).with_name("prefect")
    state.mkdir(parents=True, exist_ok=True)
    log = open(state / "server.log", "wb")
    server = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            raise SystemExit("the Prefect server did not start within 120 s")
        yield api
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _spawn(source: Path, home: Path, batch_size: int, api: str | None, runner: str) -> dict:
    started = time.perf_counter()
    env = {**os.environ, **({"PREFECT_API_URL": api} if api else {})}
    done = subprocess.run([sys.executable, "-m", "benchmarks.refresh", "--case", str(source), str(home),
                           "--batch-size", str(batch_size), "--task-runner", runner], capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"refresh failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    return result


def _report(n: int, case: str, r: dict) -> None:
    stages = r["stage_seconds"]
    dominant = max(stages, key=stages.get) if stages else "-"
    print(f"{n:>8} {case:<9} {r['outcome']:<10} extracted {r['n_extracted']:>7}  wall {r['wall_seconds']:7.1f} s  "
          f"flow {r['flow_seconds']:7.1f} s  {r['mb'] / r['flow_seconds']:6.2f} MB/s  "
          f"dominant {dominant} ({stages.get(dominant, 0):.1f} s)  peak RSS {r['peak_rss_mb']:,.0f} MB "
          f"(+ largest child {r['children_peak_rss_mb']:,.0f} MB)")
    print("         stages: " + ", ".join(f"{k} {v:.1f} s ({r['mb'] / v:.1f} MB/s)" if v > 0.05 else f"{k} {v:.2f} s"
                                     for k, v in stages.items()))
    print("         peak RSS when each stage ended (MB): "
          + ", ".join(f"{k} {v:,.0f}" for k, v in r["stage_peak_rss_mb"].items()))
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, action="append", help="corpus size (repeatable; default 10000)")
    parser.add_argument("--batch-size", type=int, default=2000, help="documents per Prefect task")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpora and homes go (default: a temp dir)")
    parser.add_argument("--ephemeral", action="store_true", help="each run starts its own temporary Prefect server")
    parser.add_argument("--task-runner", choices=["threads", "dask"], default="threads",
                        help="where the flow's tasks run (dask: a local cluster of worker processes)")
    parser.add_argument("--case", nargs=2, metavar=("SOURCE", "HOME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:     # a refresh process, leaving as `kvp refresh` does
        run_then_exit(lambda: print(json.dumps(run_case(args.case[0], args.case[1], args.batch_size,
                                                        args.task_runner))))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kvp-bench-"))
    with (_no_server() if args.ephemeral else prefect_server(workdir / "prefect-server")) as api:
        _benchmark(workdir, args.documents or [10_000], args.batch_size, api, args.task_runner)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _no_server() -> Iterator[None]:
    yield None


def _benchmark(workdir: Path, sizes: list[int], batch_size: int, api: str | None, runner: str) -> None:
    results = {}
    for n in sizes:
        corpus, home = workdir / f"corpus-{n}", workdir / f"home-{n}"
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
        written = write_corpus(corpus, n)
        print(f"corpus of {n} documents, {written / 1e6:.1f} MB, in {corpus}")
        for case in ("full", "no-op", "changed"):
            if case == "changed":
                change_some(corpus, 0.01)
            results[(n, case)] = _spawn(corpus, home, batch_size, api, runner)
            _report(n, case, results[(n, case)])
        full, changed = results[(n, "full")], results[(n, "changed")]
        print(f"         changed/full wall: {changed['wall_seconds'] / full['wall_seconds']:.1%}")
    sizes = sorted({n for n, _ in results})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        ratio = results[(large, "full")]["flow_seconds"] / results[(small, "full")]["flow_seconds"]
        print(f"full refresh flow time x{ratio:.1f} for x{large / small:.0f} documents")


if __name__ == "__main__":
    main()
