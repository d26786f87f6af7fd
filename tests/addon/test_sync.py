"""addon/csms and addon/requirements.txt are generated (scripts/sync_addon.py) and in step; the HA side never
imports the copy, and the repository's linters skip it."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scripts import sync_addon

from .addon_files import ADDON, ROOT


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository of its own: the central system, its requirements and the add-on's generated files."""
    shutil.copytree(
        ROOT / sync_addon.SOURCE, tmp_path / sync_addon.SOURCE, ignore=shutil.ignore_patterns("__pycache__", ".*")
    )
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    assert sync_addon.write(tmp_path) > 0
    assert sync_addon.differences(tmp_path) == []
    return tmp_path


def test_the_repository_is_in_step() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/sync_addon.py", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_copy_is_the_central_system_byte_for_byte(repo: Path) -> None:
    source, copy = repo / sync_addon.SOURCE, repo / sync_addon.COPY
    originals = {p.relative_to(source) for p in source.rglob("*.py")}
    assert originals and originals == {p.relative_to(copy) for p in copy.rglob("*.py")}
    assert all((source / p).read_bytes() == (copy / p).read_bytes() for p in originals)
    assert not list(copy.rglob("ruff.toml"))  # their paths to pyproject.toml fit only the original


def test_an_edit_of_the_original_is_caught_and_synced(repo: Path) -> None:
    edited = repo / sync_addon.SOURCE / "v16" / "handlers.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert sync_addon.differences(repo) == ["addon/csms/v16/handlers.py: out of date"]
    sync_addon.write(repo)
    assert sync_addon.differences(repo) == []
    assert (repo / "addon/csms/v16/handlers.py").read_bytes() == edited.read_bytes()


def test_a_new_and_a_removed_module_are_caught_and_synced(repo: Path) -> None:
    (repo / sync_addon.SOURCE / "v21" / "new_module.py").write_text('"""New."""\n', encoding="utf-8")
    (repo / sync_addon.SOURCE / "rpc" / "timeutil.py").unlink()
    assert sorted(sync_addon.differences(repo)) == [
        "addon/csms/rpc/timeutil.py: not in custom_components/ocpp_core/csms",
        "addon/csms/v21/new_module.py: missing",
    ]
    sync_addon.write(repo)
    assert sync_addon.differences(repo) == []
    assert not (repo / "addon/csms/rpc/timeutil.py").exists()


def test_an_edit_of_the_copy_is_caught(repo: Path) -> None:
    (repo / "addon/csms/model/station.py").write_text("# edited in the copy\n", encoding="utf-8")
    (repo / "addon/csms/stray.py").write_text("", encoding="utf-8")
    assert sorted(sync_addon.differences(repo)) == [
        "addon/csms/model/station.py: out of date",
        "addon/csms/stray.py: not in custom_components/ocpp_core/csms",
    ]


def test_bytecode_and_caches_are_no_difference(repo: Path) -> None:
    for folder in (repo / "addon/csms", repo / sync_addon.SOURCE):
        (folder / "__pycache__").mkdir()
        (folder / "__pycache__/model.cpython-313.pyc").write_bytes(b"\0")
        (folder / ".ruff_cache").mkdir()
        (folder / ".ruff_cache/CACHEDIR.TAG").write_bytes(b"x")
    assert sync_addon.differences(repo) == []
    sync_addon.write(repo)
    assert (repo / "addon/csms/.ruff_cache/CACHEDIR.TAG").read_bytes() == b"x"  # left alone


def test_the_requirements_are_the_central_systems_pins_and_the_apps(repo: Path) -> None:
    lines = (repo / "addon/requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in (ROOT / "requirements/core.txt").read_text(encoding="utf-8").splitlines() if "==" in line]
    app = [line for line in (ROOT / "requirements/addon.txt").read_text(encoding="utf-8").splitlines() if "==" in line]
    assert lines[0].startswith("# Generated") and lines[1:] == pins + app
    (repo / "requirements/core.txt").write_text("ocpp==9.9.9\n", encoding="utf-8")
    assert sync_addon.differences(repo) == ["addon/requirements.txt: out of date"]


def test_the_apps_own_requirements_come_with_the_central_systems(repo: Path) -> None:
    (repo / "requirements/addon.txt").write_text("-r core.txt\n# the store\naiosqlite==0.21.0\n", encoding="utf-8")
    sync_addon.write(repo)
    lines = (repo / "addon/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "aiosqlite==0.21.0" and "ocpp==2.1.0" in lines and len(lines) == len(set(lines))


def test_a_failed_check_says_what_to_run(tmp_path: Path, repo: Path) -> None:
    (repo / "addon/requirements.txt").unlink()
    script = repo / "scripts" / "sync_addon.py"
    script.parent.mkdir()
    shutil.copy(ROOT / "scripts" / "sync_addon.py", script)
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "run scripts/sync_addon.py" in result.stderr and "addon/requirements.txt: missing" in result.stderr


def test_the_copy_imports_as_the_top_level_package_csms() -> None:
    """As in the image (/app on PYTHONPATH): every module imports, and nothing comes from the integration."""
    code = (
        "import importlib, pkgutil, sys, csms\n"
        "assert csms.__file__.startswith(sys.argv[1]), csms.__file__\n"
        "for module in pkgutil.walk_packages(csms.__path__, 'csms.'):\n"
        "    if module.name != 'csms.__main__':\n"
        "        importlib.import_module(module.name)\n"
        "assert not [name for name in sys.modules if name.startswith('custom_components')]\n"
        "print(len([name for name in sys.modules if name.startswith('csms')]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(ADDON / "csms")],
        cwd=ADDON,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ADDON)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 40  # every module of the central system


def test_nothing_outside_the_add_on_imports_it() -> None:
    """Home Assistant loads custom_components/ocpp_core/csms; the copy is the add-on image's alone."""
    offenders = []
    for folder in ("custom_components", "sim", "bench", "scripts", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom) and node.level == 0
                    else []
                )
                offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0] == "addon"]
    assert offenders == []


def test_ruff_and_mypy_skip_the_copy() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "addon/csms" in config["tool"]["ruff"]["extend-exclude"]
    # mypy reads the original (the app imports it under TYPE_CHECKING), never the copy
    assert not any(
        path in ("addon", "addon/csms") or path.startswith("addon/csms/") for path in config["tool"]["mypy"]["files"]
    )
    assert (ADDON / "csms" / "README.md").read_text(encoding="utf-8").startswith("# Generated")
