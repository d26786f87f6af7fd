"""docs/addon_api.md, the OpenAPI document and the API's routes and commands are in step, and the commands carry
the names of the integration's services."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from ocpp_core_app.api import build_api
from ocpp_core_app.api.commands import COMMANDS
from ocpp_core_app.api.openapi import OPENAPI
from ocpp_core_app.api.server import PREFIX
from ocpp_core_app.journal import EventJournal

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "addon_api.md").read_text()
SERVICES = yaml.safe_load((ROOT / "custom_components" / "ocpp_core" / "services.yaml").read_text())
# the integration's services that are no charger command (the tag book and the transactions have endpoints)
NOT_COMMANDS = {
    "get_transactions", "add_tag", "update_tag", "remove_tag", "list_tags", "set_tariff", "clear_tariff", "get_tariffs",
}  # fmt: skip
# the commands of the central system's own (the integration offers them as entities, not services)
OWN_COMMANDS = {"set_current_limit", "clear_current_limit", "pause_charging", "resume_charging"}


def _routes() -> set[tuple[str, str]]:
    app = build_api(object(), "x" * 16, journal=EventJournal(object()))
    found = set()
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        path = route.resource.canonical if route.resource is not None else ""
        found.add((route.method, path.removeprefix(PREFIX)))
    return found


def test_every_route_is_in_the_openapi_document_and_the_docs() -> None:
    routes = _routes()
    paths = OPENAPI["paths"].items()
    documented = {(method.upper(), path) for path, item in paths for method in item if method != "parameters"}
    assert routes == documented
    headings = set(re.findall(r"^## (GET|POST|PUT|DELETE) /api/v1(\S*)", DOC, re.MULTILINE))
    assert {(m, re.sub(r"\{(\w+)\}", "{}", p)) for m, p in routes if p != "/openapi.json"} == {
        (m, re.sub(r"\{(\w+)\}", "{}", p)) for m, p in headings
    }
    for section in DOC.split("\n## ")[1:]:
        if section.startswith(("GET", "POST", "PUT", "DELETE")):
            assert "curl" in section or "websocat" in section, section.splitlines()[0]


def test_every_command_is_documented_and_named_as_a_service() -> None:
    table = set(re.findall(r"^\| `(\w+)` \|", DOC, re.MULTILINE))
    assert table == set(COMMANDS)
    assert set(COMMANDS) - OWN_COMMANDS <= set(SERVICES)
    # every charger service is a command; one added later without its command is listed as "Not mapped yet"
    _, listed, rest = DOC.partition("Not mapped yet")
    not_yet = set(re.findall(r"`(\w+)`", rest.split("Until then", 1)[0])) if listed else set()
    assert not_yet == set(SERVICES) - NOT_COMMANDS - set(COMMANDS)
    enum = OPENAPI["paths"]["/chargers/{charger_id}/commands/{name}"]["parameters"][1]["schema"]["enum"]
    assert enum == sorted(COMMANDS)
