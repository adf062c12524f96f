"""The packages point one way (pipelines > audiences > vault > anonymizer > core) and no modules import
each other in a loop: import-linter's contracts in pyproject.toml, checked here as in `make lint`."""

import subprocess
import sys
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache", "--no-logo"], check=False, cwd=PROJECT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]
    assert "2 kept, 0 broken" in out.stdout


def test_every_package_is_under_a_contract():
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    packages = set(config["tool"]["setuptools"]["packages"]["find"]["include"])
    linter = config["tool"]["importlinter"]
    assert {f"{p}*" for p in linter["root_packages"]} == packages
    (layers,) = [c for c in linter["contracts"] if c["type"] == "layers"]
    assert layers["layers"][-1] == "core", "core is the bottom: it imports no other package"


def test_no_import_is_excused_from_the_contracts():
    linter = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert [c["name"] for c in linter["contracts"] if c.get("ignore_imports")] == []
