"""schemathesis against the served OpenAPI description, on a real server.

`positive_data_acceptance` is left out: the query language has a grammar (quotes,
parentheses, fields) that a JSON schema cannot state, so some schema-valid queries are
rightly answered with a 400 and a message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.servers import build_index, running_server


def test_the_api_keeps_its_openapi_promises(tmp_path: Path) -> None:
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if schemathesis is None:
        pytest.skip("schemathesis is not installed (it is in the test extra)")
    build_index(SEEDS, tmp_path / "index")
    with running_server(tmp_path / "index") as base:
        result = subprocess.run(
            [schemathesis, "run", f"{base}/api/openapi.json", "--max-examples", "150",
             "--seed", "1", "--exclude-checks", "positive_data_acceptance",
             "--request-timeout", "10"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its cache goes there
    assert result.returncode == 0, result.stdout[-4000:]
