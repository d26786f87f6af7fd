"""The add-on's image: its Dockerfile and s6 scripts linted, and what the image is built from.

No Docker daemon here, so the image is not built: hadolint and shellcheck (pinned in
requirements/tools.txt, their wheels bring the binaries) read the files, and the tests read
what the Dockerfile copies and runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from .addon_files import ADDON, ROOT, SERVICE


def _tool(name: str) -> str:
    """A linter from the venv that runs the tests (requirements/tools.txt), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install requirements/tools.txt")
    return found


def _dockerfile() -> str:
    """The Dockerfile's instructions, one a line: comments dropped, continued lines joined."""
    lines = (ADDON / "Dockerfile").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return re.sub(r"\s*\\\n\s*", " ", text)


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [_tool("hadolint"), "--no-color", "Dockerfile"], cwd=ADDON, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", ["run", "finish"])
def test_shellcheck_finds_nothing(script: str) -> None:
    result = subprocess.run(
        [_tool("shellcheck"), "--severity=style", "--external-sources", script],
        cwd=SERVICE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", ["run", "finish"])
def test_the_s6_scripts_run_under_bashio_and_are_executable_in_git(script: str) -> None:
    """COPY keeps a file's mode: a script git holds as 100644 would not start in the image."""
    path = SERVICE / script
    assert path.read_text(encoding="utf-8").startswith("#!/command/with-contenv bashio\n")
    listed = subprocess.run(
        ["git", "ls-files", "--stage", "--", str(path.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert listed.startswith("100755 "), listed or f"{path} is not in git"


def test_the_s6_service_is_a_longrun_in_the_user_bundle() -> None:
    s6 = SERVICE.parent
    assert (SERVICE / "type").read_text(encoding="utf-8").strip() == "longrun"
    assert (SERVICE / "dependencies.d" / "base").is_file()  # after s6-overlay's own setup
    assert (s6 / "user" / "contents.d" / SERVICE.name).is_file()  # started at all


def test_the_base_image_is_pinned_and_named_in_the_dockerfile() -> None:
    """Since Supervisor 2026.04 no BUILD_FROM is passed (and build.yaml is not read): the Dockerfile names it."""
    froms = re.findall(r"^FROM\s+(\S+)", _dockerfile(), re.MULTILINE)
    assert len(froms) == 1
    assert re.fullmatch(r"ghcr\.io/home-assistant/base-python:3\.\d+-alpine3\.\d+", froms[0])
    assert "BUILD_FROM" not in _dockerfile()
    assert not (ADDON / "build.yaml").exists() and not (ADDON / "build.json").exists()


def test_the_image_starts_with_s6_and_checks_its_health() -> None:
    dockerfile = _dockerfile()
    # s6-overlay's /init is the base image's entrypoint: nothing may replace it
    assert not re.search(r"^(CMD|ENTRYPOINT)\b", dockerfile, re.MULTILINE)
    health = re.search(r"^HEALTHCHECK\s.*?\sCMD\s+(.+)$", dockerfile, re.MULTILINE)
    assert health is not None
    assert health.group(1).strip() == '["python3", "-m", "ocpp_core_app", "--health"]'
    assert 'io.hass.type="app"' in dockerfile


def test_the_image_installs_the_pinned_requirements_and_the_app() -> None:
    dockerfile = _dockerfile()
    assert "pip3 install --no-cache-dir -r /app/requirements.txt" in dockerfile
    copies = dict(re.findall(r"^COPY\s+(\S+)\s+(\S+)$", dockerfile, re.MULTILINE))
    assert copies == {
        "requirements.txt": "/app/requirements.txt",
        "csms": "/app/csms",
        "ocpp_core_app": "/app/ocpp_core_app",
        "rootfs": "/",
    }
    # python3 -m ocpp_core_app finds both packages, in the run script and in backup_pre (docker exec) alike
    assert re.search(r"^ENV PYTHONPATH=/app\b", dockerfile, re.MULTILINE)
    assert re.search(r"^WORKDIR /app$", dockerfile, re.MULTILINE)


@pytest.mark.parametrize("source", ["requirements.txt", "csms", "rootfs", "ocpp_core_app"])
def test_what_the_dockerfile_copies_is_in_the_build_context(source: str) -> None:
    if source == "ocpp_core_app" and not (ADDON / source).exists():
        pytest.skip("addon/ocpp_core_app (the application) is written on another branch")
    assert (ADDON / source).exists()


def test_icon_and_logo_are_what_the_store_shows() -> None:
    """The add-on docs: PNG; the icon square, 128x128; the logo about 250x100."""
    with Image.open(ADDON / "icon.png") as icon:
        assert (icon.format, icon.size) == ("PNG", (128, 128))
    with Image.open(ADDON / "logo.png") as logo:
        assert logo.format == "PNG"
        assert logo.height == 100 and 250 <= logo.width <= 400
