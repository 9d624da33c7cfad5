"""pyproject.toml is the one source of dependencies; environment.yml mirrors it for conda users."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO

#: conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {"python-duckdb": "duckdb", "python-igraph": "igraph"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower(), spec.replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pypi = dict(_split(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {}
    for item in env["dependencies"]:
        if isinstance(item, dict):  # a pip: section
            conda.update(_split(r) for r in item.get("pip", []))
            continue
        name, spec = _split(item)
        if name != "python":
            conda[CONDA_TO_PYPI.get(name, name)] = spec
    assert conda == pypi
    assert "conda-forge" in env["channels"]
    python = next(i for i in env["dependencies"] if isinstance(i, str) and i.startswith("python>"))
    assert python.replace("python", "") == project["requires-python"]
