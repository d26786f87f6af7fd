"""Repair issues per charger: how a limit refusal is quoted, and forgetting one charger's issues only."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.repairs.charger_issues import LIMIT_REJECTED, ChargerIssues, clear_charger_issues
from custom_components.ocpp_core.repairs.limits import describe_answer


def test_a_limit_answer_in_one_line() -> None:
    assert describe_answer(None) == "no answer"
    assert describe_answer({"error": "NotSupported", "description": " no profiles "}) == "NotSupported: no profiles"
    assert describe_answer({"error": "InternalError"}) == "InternalError"
    assert describe_answer({"status": "Rejected"}) == "Rejected"
    rejected = {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidSchedule", "additionalInfo": "too many"}}
    assert describe_answer(rejected) == "Rejected (InvalidSchedule: too many)"
    assert describe_answer({"status": "Rejected", "statusInfo": {"reasonCode": "NoEVSE"}}) == "Rejected (NoEVSE)"


async def test_clearing_a_charger_keeps_other_chargers_and_domains(hass: HomeAssistant) -> None:
    issues = ChargerIssues(hass, "entry", LIMIT_REJECTED)
    for station_id, evse_id in (("wb", None), ("wb", 1), ("wb_2", 0)):
        issues.raise_issue(station_id, "limit_rejected", {"charger": station_id}, evse_id)
    ir.async_create_issue(
        hass,
        "other_domain",
        "limit_rejected_entry_wb",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="whatever",
    )
    clear_charger_issues(hass, "entry", "wb")
    left = {key for key in ir.async_get(hass).issues}
    assert left == {(DOMAIN, "limit_rejected_entry_wb_2_0"), ("other_domain", "limit_rejected_entry_wb")}


async def test_the_repairs_package_is_a_valid_repairs_platform(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Home Assistant reads `<integration>.repairs` as the repairs platform when any integration's issue is fixed:
    ours must not be refused as invalid (it would be logged as an error)."""
    from homeassistant.components.repairs.issue_handler import async_process_repairs_platforms
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "repairs", {})
    await async_process_repairs_platforms(hass)
    assert DOMAIN in hass.data["repairs"]["platforms"]
