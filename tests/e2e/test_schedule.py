"""The schedule against a real Prefect server: register, read the cron back, trigger, see a version."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(predicate, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture()
def prefect_server(tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "server-state"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_API_URL": api}
    prefect = Path(sys.executable).with_name("prefect")
    server = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        def healthy():
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        _wait(healthy, 120, "the Prefect server")
        yield api
    finally:
        _stop(server)


def test_served_deployment_keeps_its_cron_and_a_triggered_run_publishes(prefect_server, tmp_path, seeds_dir):
    api = prefect_server
    home = tmp_path / "home"
    env = {**os.environ, "PREFECT_API_URL": api, "PREFECT_RUNNER_POLL_FREQUENCY": "2",
           "PREFECT_HOME": str(tmp_path / "client-state")}
    served = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--cron", "0 6 * * *",
                               "--source", str(seeds_dir), "--home", str(home)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        def deployment():
            response = httpx.get(f"{api}/deployments/name/refresh/kvp-refresh", timeout=5)
            return response.json() if response.status_code == 200 else None
        found = _wait(deployment, 180, "the deployment")
        crons = [s["schedule"]["cron"] for s in found["schedules"]]
        assert crons == ["0 6 * * *"]
        def created():  # the server's SQLite can be busy while the runner registers: retry
            response = httpx.post(f"{api}/deployments/{found['id']}/create_flow_run", json={}, timeout=10)
            created.last = f"{response.status_code} {response.text[:300]}"
            return response.json() if response.status_code in (200, 201) else None
        created.last = ""
        try:
            run = _wait(created, 60, "a flow run to be created", interval=2)
        except AssertionError as error:
            raise AssertionError(f"{error}; last answer: {created.last}") from None

        def finished():
            state = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=5).json()["state"]["type"]
            return state if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None
        assert _wait(finished, 300, "the triggered run", interval=2) == "COMPLETED"
        catalog = json.loads((home / "published" / "catalog.json").read_text())
        assert catalog["latest"] == "1.0.0"
    finally:
        _stop(served)
