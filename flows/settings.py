"""Process settings that must be in place before Prefect or GX is imported."""

from __future__ import annotations

import os

from warehouse.home import Home


def configure_environment(home: Home, verbose: bool = False) -> None:
    """Keep Prefect's state inside the home, telemetry off, logs quiet unless asked."""
    home.create()
    os.environ["PREFECT_HOME"] = str(home.prefect)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ["PREFECT_LOGGING_LEVEL"] = "INFO" if verbose else os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING")
