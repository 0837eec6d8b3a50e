"""The command line as a user runs it (a subprocess, so Prefect starts as it does for users)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

KVP = [sys.executable, "-m", "flows.cli"]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*KVP, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def test_help_lists_every_option():
    result = _run("refresh", "--help")
    assert result.returncode == 0
    for option in ("--source", "--home", "--accept-changes", "--batch-size"):
        assert option in result.stdout


def test_bad_option_is_one_clear_error_not_a_traceback():
    result = _run("refresh", "--batch-size", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "batch-size" in result.stderr


def test_evaluate_prints_scores(seeds_gold):
    result = _run("evaluate", str(seeds_gold))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("claims")
    assert "F1" in result.stdout
