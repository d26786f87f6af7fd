"""`python -m csms` (the add-on's entry point): the command line's tag policy reaches the live server."""

from __future__ import annotations

import pytest

from custom_components.ocpp_core.csms.__main__ import build_central, parse_args
from sim import charger16


@pytest.mark.parametrize(("flags", "answer"), [([], "Accepted"), (["--refuse-unknown-tags"], "Invalid")])
async def test_unknown_tags_accepted_unless_refused(flags: list[str], answer: str) -> None:
    central = build_central(parse_args(["--host", "127.0.0.1", "--port", "0", *flags]))
    await central.start()
    try:
        cp, task, ws = await charger16.connect(f"ws://127.0.0.1:{central.port}", "cli-1")
        await cp.boot()
        reply = await cp.authorize("NEVER-SEEN")
        assert reply.id_tag_info["status"] == answer
        await ws.close()
        task.cancel()
    finally:
        await central.stop()


def test_the_help_says_where_tags_are_managed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Id tags are managed by Home Assistant" in text
    assert "--refuse-unknown-tags" in text


def test_the_station_cap_is_a_flag() -> None:
    assert build_central(parse_args([])).config.max_stations == 100
    assert build_central(parse_args(["--max-stations", "5000"])).config.max_stations == 5000
