"""`run_then_exit`: the process leaves with the command's status, after its exit handlers and threads."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_SCRIPT = textwrap.dedent("""
    import atexit, sys, threading, time
    from pathlib import Path
    from flows.process import run_then_exit

    marks = Path(sys.argv[1])
    def command():
        atexit.register(lambda: (marks / "exit-handler").write_text("ran"))
        def late(): time.sleep(0.2); (marks / "thread").write_text("done")
        threading.Thread(target=late).start()          # not a daemon: a normal exit waits for it
        print("buffered output", end="")               # no newline: still in the buffer
        outcome = sys.argv[2]
        if outcome == "raise":
            raise RuntimeError("boom")
        if outcome != "return":
            sys.exit(int(outcome) if outcome.isdigit() else outcome)
    run_then_exit(command)
""")


def _run(tmp_path: Path, outcome: str) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, str(script), str(tmp_path), outcome], capture_output=True, text=True,
                          cwd=root, env={"PYTHONPATH": str(root), "PATH": ""}, timeout=60)


@pytest.mark.parametrize(("outcome", "status"), [("return", 0), ("0", 0), ("3", 3), ("a message", 1)])
def test_the_status_is_the_commands_and_handlers_threads_and_output_all_finish(tmp_path, outcome, status):
    done = _run(tmp_path, outcome)
    assert done.returncode == status
    assert done.stdout == "buffered output"
    assert (tmp_path / "exit-handler").read_text() == "ran"
    assert (tmp_path / "thread").read_text() == "done"
    assert ("a message" in done.stderr) == (outcome == "a message")


def test_an_escaping_exception_leaves_the_normal_way(tmp_path):
    done = _run(tmp_path, "raise")
    assert done.returncode == 1
    assert "RuntimeError: boom" in done.stderr
    assert (tmp_path / "exit-handler").read_text() == "ran"
