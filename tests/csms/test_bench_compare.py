"""bench.compare loads another revision's central system: its csms/ is extracted where `python -m csms` finds it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench import compare


def test_extract_csms_writes_the_revisions_package(tmp_path: Path) -> None:
    commit = compare.extract_csms("HEAD", tmp_path)
    head = subprocess.run(
        ["git", "-C", str(compare.run.ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert commit == head
    package = tmp_path / compare.CSMS_PATH
    assert (package / "__main__.py").is_file()
    assert (package / "central.py").read_bytes() == subprocess.run(
        ["git", "-C", str(compare.run.ROOT), "show", f"HEAD:{compare.CSMS_PATH}/central.py"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip


def test_unknown_revision_is_refused(tmp_path: Path) -> None:
    with pytest.raises(subprocess.CalledProcessError):
        compare.extract_csms("no-such-revision-xyz", tmp_path)


def test_options() -> None:
    opts = compare.parse_args(["584c1aa", "--rounds", "3", "--ocpp", "2.0.1"])
    assert (opts.rev, opts.rounds, opts.ocpp) == ("584c1aa", 3, ["2.0.1"])
    with pytest.raises(SystemExit):
        compare.parse_args(["584c1aa", "--ocpp", "1.5"])
