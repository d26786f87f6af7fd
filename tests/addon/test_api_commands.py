"""POST /chargers/{id}/commands/{name}: the command reaches the simulated charger and its answer comes back;
a refusal is a 502 with the answer, a CALLERROR a 502 with the error, offline a 503, no answer a 504."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from sim.core16 import ConfigKey
from tests.csms.support.helpers import BOOT, wait_for
from tests.csms.support.helpers_v201 import booted

from .addon_files import ADDON
from .api_client import charger16, running_api


def test_the_commands_never_branch_on_the_ocpp_version() -> None:
    """The command layer speaks to the version-neutral Charger only (csms/features/charger.py)."""
    for module in sorted((ADDON / "ocpp_core_app" / "api").glob("command*.py")):
        text = module.read_text()
        for version_branch in ("is_v2", ".v16(", ".v201(", "ocpp_version"):
            assert version_branch not in text, (module.name, version_branch)


async def test_remote_start_and_stop_on_a_16_charger() -> None:
    async with running_api() as api:
        cp, task, ws = await charger16(api, "CP1")
        status, body = await api.command("CP1", "start_transaction", {"connector_id": 2, "id_tag": "CARD7"})
        assert (status, body) == (200, {"answer": {"status": "Accepted"}})
        assert cp.remote_starts == [{"id_tag": "CARD7", "connector_id": 2}]
        await wait_for(lambda: api.central.stations["CP1"].connectors[2].transaction is not None)
        # the connector is busy now: the charger refuses a second start, and its answer is in the 502
        status, body = await api.command("CP1", "start_transaction", {"connector_id": 2, "id_tag": "CARD7"})
        assert (status, body["error"], body["answer"]) == (502, "refused", {"status": "Rejected"})
        status, body = await api.command("CP1", "stop_transaction", {"connector_id": 2})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        await wait_for(lambda: api.central.stations["CP1"].connectors[2].transaction is None)
        await ws.close()
        task.cancel()


async def test_16_configuration_trigger_reset_and_bad_fields() -> None:
    async with running_api() as api:
        _, task, ws = await charger16(api, "CP2")
        status, body = await api.command("CP2", "get_configuration", {"keys": ["HeartbeatInterval"]})
        assert status == 200
        assert [k["key"] for k in body["answer"]["configurationKey"]] == ["HeartbeatInterval"]
        status, body = await api.command("CP2", "change_configuration", {"key": "HeartbeatInterval", "value": 120})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("CP2", "trigger_message", {"requested_message": "Heartbeat"})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("CP2", "reset", {"type": "OnIdle"})
        assert (status, body["error"]) == (400, "unsupported_version")  # 2.x's only
        status, body = await api.command("CP2", "reset", {"type": "Later"})
        assert (status, body["message"]) == (400, "type: one of Soft, Immediate, Hard, OnIdle")
        status, body = await api.command("CP2", "stop_transaction", {"transaction_id": "tx-1"})
        assert (status, body["message"]) == (400, "transaction_id: an OCPP 1.6 transaction id is a number")
        status, body = await api.command("CP2", "reset", {"type": "Soft"})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("CP2", "send_call", {"action": "ClearCache", "payload": {}})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("CP2", "unlock_connector", {"connector_id": 1, "colour": "red"})
        assert (status, body["error"]) == (400, "bad_request")
        status, body = await api.command("CP2", "get_variables", {"variables": ["OCPPCommCtrlr/HeartbeatInterval"]})
        assert (status, body["error"]) == (400, "unsupported_version")
        status, body = await api.command("CP2", "teleport")
        assert (status, body["error"]) == (404, "unknown_command")
        status, body = await api.command("CP2", "set_current_limit", {"amps": 10})
        assert status == 200 and body["answer"]["amps"] == 10
        status, body = await api.request("GET", "/chargers/CP2")
        assert [limit["amps"] for limit in body["limits"]] == [10]
        assert (await api.command("CP2", "clear_current_limit"))[1] == {"answer": {"cleared": True}}
        await ws.close()
        task.cancel()


async def test_remote_start_on_a_201_station_and_variables() -> None:
    async with running_api() as api:
        station = await booted(api.central, api.ocpp_url, "ST1")
        status, body = await api.command("ST1", "start_transaction", {"connector_id": 1, "id_tag": "CARD9"})
        assert status == 200 and body["answer"]["status"] == "Accepted"
        assert body["answer"]["remoteStartId"] >= 1
        assert station.remote_starts and station.remote_starts[-1]["id_token"]["id_token"] == "CARD9"
        status, body = await api.command("ST1", "get_variables", {"variables": ["OCPPCommCtrlr/HeartbeatInterval"]})
        assert status == 200 and body["answer"]["getVariableResult"][0]["attributeStatus"] == "Accepted"
        status, body = await api.command("ST1", "set_variables", {"variables": {"OCPPCommCtrlr/HeartbeatInterval": 90}})
        assert (status, body["answer"]["setVariableResult"][0]["attributeStatus"]) == (200, "Accepted")
        await station.close()


async def test_offline_is_503() -> None:
    async with running_api() as api:
        _, task, ws = await charger16(api, "CP3")
        await ws.close()
        task.cancel()
        await wait_for(lambda: not api.central.is_connected("CP3"))
        status, body = await api.command("CP3", "start_transaction", {"id_tag": "CARD7"})
        assert (status, body["error"]) == (503, "offline")
        status, body = await api.command("nobody", "reset")
        assert (status, body["error"]) == (404, "unknown_charger")


async def test_callerror_is_502_and_no_answer_is_504() -> None:
    async with running_api(call_timeout=1.0) as api:
        ws = await websockets.connect(f"{api.ocpp_url}/RAW1", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
        await ws.send(json.dumps([2, "b1", "BootNotification", BOOT]))
        await wait_for(lambda: api.central.stations.get("RAW1") is not None and api.central.is_connected("RAW1"))

        async def answer_with_callerror() -> None:
            async for text in ws:
                frame = json.loads(text)
                if frame[0] == 2 and frame[2] == "Reset":
                    await ws.send(json.dumps([4, frame[1], "NotSupported", "no resets here", {}]))

        answering = asyncio.create_task(answer_with_callerror())
        status, body = await api.command("RAW1", "reset")
        assert (status, body["error"]) == (502, "call_error")
        assert body["answer"]["code"] == "NotSupported"
        # any other CALL goes unanswered
        status, body = await api.command("RAW1", "clear_cache")
        assert (status, body["error"]) == (504, "timeout")
        answering.cancel()
        await ws.close()


async def test_more_commands_on_a_16_charger() -> None:
    async with running_api() as api:
        _, task, ws = await charger16(api, "CP4")
        status, body = await api.command(
            "CP4", "reserve_now", {"connector_id": 1, "id_tag": "CARD1", "expiry_date": "2099-01-01T00:00:00Z"}
        )
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        reservation_id = body["answer"]["reservationId"]
        status, body = await api.command("CP4", "cancel_reservation", {"reservation_id": reservation_id})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("CP4", "get_local_list_version")
        assert status == 200 and "listVersion" in body["answer"]
        status, body = await api.command("CP4", "get_composite_schedule", {"connector_id": 1, "duration": 60})
        # the simulated charger has no schedule without a profile: its refusal, with its answer
        assert (status, body["error"], body["answer"]) == (502, "refused", {"status": "Rejected"})
        status, body = await api.command("CP4", "data_transfer", {"vendor_id": "com.example", "data": {"a": 1}})
        assert (status, body["answer"]) == (502, {"status": "UnknownVendorId"})
        await ws.close()
        task.cancel()


async def test_base_report_and_transaction_status_on_a_201_station() -> None:
    async with running_api() as api:
        station = await booted(api.central, api.ocpp_url, "ST2")
        status, body = await api.command("ST2", "get_base_report", {"report_base": "ConfigurationInventory"})
        assert (status, body["answer"]["status"]) == (200, "Accepted") and body["answer"]["requestId"] >= 1
        status, body = await api.command("ST2", "get_transaction_status")
        assert status == 200 and "messagesInQueue" in body["answer"]
        status, body = await api.command("ST2", "get_transaction_status", {"connector_id": 1})
        assert (status, body["error"]) == (409, "no_open_transaction")
        await station.close()


async def test_certificates_and_diagnostics_on_a_16_charger() -> None:
    async with running_api() as api:
        _, task, ws = await charger16(api, "CP5")
        body16 = {"certificate_type": "CentralSystemRootCertificate"}
        status, body = await api.command("CP5", "get_installed_certificate_ids", body16)
        # none installed: an answer, not a refusal
        assert (status, body) == (200, {"answer": {"status": "NotFound"}})
        status, body = await api.command("CP5", "get_diagnostics", {"location": "ftp://example.invalid/"})
        assert status == 200 and body["answer"]["fileName"].startswith("diagnostics-CP5-")
        status, body = await api.command(
            "CP5", "install_certificate", {"certificate_type": "ManufacturerRootCertificate"}
        )
        assert (status, body["message"]) == (400, "certificate: required")
        await ws.close()
        task.cancel()


async def test_local_list_and_display_message() -> None:
    async with running_api() as api:
        _, task, ws = await charger16(api, "CP6")
        entries = [{"idTag": "CARD1", "idTagInfo": {"status": "Accepted"}}]
        status, body = await api.command(
            "CP6", "send_local_list", {"list_version": 3, "local_authorization_list": entries}
        )
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        assert (await api.command("CP6", "get_local_list_version"))[1]["answer"]["listVersion"] == 3
        await ws.close()
        task.cancel()
        station = await booted(api.central, api.ocpp_url, "ST3")
        status, body = await api.command(
            "ST3", "send_local_list", {"list_version": 5, "local_authorization_list": entries}
        )
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("ST3", "set_display_message", {"message": "Welcome"})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        status, body = await api.command("ST3", "clear_display_message", {"message_id": body["answer"]["messageId"]})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        await station.close()


def _sent(charger: Any, action: str) -> dict[str, Any]:
    """The last CALL of `action` the simulated charger got, as it came over the wire."""
    payload: dict[str, Any] = [p for a, p in charger.requests if a == action][-1]
    return payload


async def test_update_firmware_and_get_log() -> None:
    async with running_api() as api:
        cp, task, ws = await charger16(api, "CP7")
        location = "https://example.invalid/fw.bin"
        status, body = await api.command("CP7", "update_firmware", {"location": location, "retries": 2})
        assert (status, body) == (200, {"answer": {}})  # 1.6's UpdateFirmware.conf is empty
        assert _sent(cp, "UpdateFirmware")["location"] == location and _sent(cp, "UpdateFirmware")["retries"] == 2
        # signed: SignedUpdateFirmware; the simulated charger refuses a certificate that is no PEM
        signed = {"location": location, "signing_certificate": "not a certificate", "signature": "c2ln"}
        status, body = await api.command("CP7", "update_firmware", {**signed, "request_id": 41})
        assert (status, body["error"], body["answer"]) == (
            502,
            "refused",
            {"status": "InvalidCertificate", "requestId": 41},
        )
        assert _sent(cp, "SignedUpdateFirmware")["firmware"]["signature"] == "c2ln"
        status, body = await api.command("CP7", "update_firmware", {"location": location, "request_id": 3})
        assert (status, body["error"], body["message"]) == (400, "field_requires", "request_id: only with signature")
        assert (body["field"], body["requires"]) == ("request_id", "signature")
        status, body = await api.command("CP7", "update_firmware", {"location": location, "retrieve_date": "soon"})
        assert (status, body["error"]) == (400, "bad_request")
        status, body = await api.command(
            "CP7", "get_log", {"log_type": "SecurityLog", "location": "ftp://example.invalid/", "request_id": 8}
        )
        assert (status, body["answer"]) == (
            200,
            {"status": "Accepted", "filename": "securitylog-CP7-8.log", "requestId": 8},
        )
        status, body = await api.command("CP7", "get_log", {"log_type": "EverythingLog", "location": "ftp://x/"})
        assert (status, body["error"]) == (400, "invalid_call")  # not a log type: never sent
        await ws.close()
        task.cancel()
        station = await booted(api.central, api.ocpp_url, "ST4")
        status, body = await api.command("ST4", "update_firmware", {"location": location})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        assert _sent(station, "UpdateFirmware")["requestId"] == body["answer"]["requestId"]
        assert _sent(station, "UpdateFirmware")["firmware"]["location"] == location
        status, body = await api.command("ST4", "get_log", {"log_type": "DiagnosticsLog", "location": "file:///tmp"})
        assert (status, body["error"], body["answer"]["status"]) == (502, "refused", "Rejected")
        status, body = await api.command("ST4", "get_log", {"log_type": "DiagnosticsLog", "location": "https://x/"})
        assert (status, body["answer"]["status"]) == (200, "Accepted") and body["answer"]["requestId"] >= 1
        await station.close()


async def test_set_charging_profile_whole_or_simple() -> None:
    async with running_api() as api:
        cp, task, ws = await charger16(api, "CP8")
        status, body = await api.command("CP8", "set_charging_profile", {"limit": 16})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        sent = body["answer"]["chargingProfile"]
        # TxDefaultProfile by default: for the whole charger (connector 0), 16 A from now on
        assert _sent(cp, "SetChargingProfile") == {"connectorId": 0, "csChargingProfiles": sent}
        assert sent["chargingProfilePurpose"] == "TxDefaultProfile"
        assert sent["chargingSchedule"]["chargingRateUnit"] == "A"
        assert sent["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == 16
        assert sent["chargingProfileId"] in cp.sim.charging_profiles
        # a whole profile goes as given (connector 1: not a whole-charger purpose)
        whole = {**sent, "chargingProfileId": 77, "chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 3}
        status, body = await api.command("CP8", "set_charging_profile", {"connector_id": 2, "charging_profile": whole})
        assert (status, body) == (200, {"answer": {"status": "Accepted"}})
        assert _sent(cp, "SetChargingProfile") == {"connectorId": 2, "csChargingProfiles": whole}
        status, body = await api.command("CP8", "set_charging_profile", {"limit": 16, "purpose": "TxProfile"})
        assert (status, body["error"]) == (409, "no_open_transaction")
        for wrong in ({}, {"limit": 6, "charging_profile": whole}, {"charging_profile": whole, "unit": "W"}):
            status, body = await api.command("CP8", "set_charging_profile", wrong)
            assert (status, body["error"]) == (400, "bad_request"), wrong
        status, body = await api.command("CP8", "set_charging_profile", {"limit": 6, "unit": "kW"})
        assert (status, body["message"]) == (400, "unit: one of A, W")
        await ws.close()
        task.cancel()
        station = await booted(api.central, api.ocpp_url, "ST5")
        status, body = await api.command(
            "ST5", "set_charging_profile", {"limit": 11000, "unit": "W", "purpose": "ChargePointMaxProfile"}
        )
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        sent = _sent(station, "SetChargingProfile")
        # 2.x: the EVSE id, its purpose's 2.x spelling, a list of schedules
        assert sent == {"evseId": 0, "chargingProfile": body["answer"]["chargingProfile"]}
        assert sent["chargingProfile"]["chargingProfilePurpose"] == "ChargingStationMaxProfile"
        assert sent["chargingProfile"]["chargingSchedule"][0]["chargingRateUnit"] == "W"
        await station.close()


async def test_set_charger_password_sent_stored_generated_removed() -> None:
    async with running_api() as api:
        cp, task, ws = await charger16(api, "CP9")
        new = "a-brand-new-password-99"
        # the simulated charger has no AuthorizationKey yet: it answers NotSupported, nothing is stored
        status, body = await api.command("CP9", "set_charger_password", {"password": new})
        assert (status, body["error"], body["answer"]) == (502, "refused", {"status": "NotSupported"})
        assert not api.central.credentials.has_password("CP9")
        cp.sim.configuration["AuthorizationKey"] = ConfigKey(None)
        status, body = await api.command("CP9", "set_charger_password", {"password": new})
        assert (status, body) == (200, {"answer": {"status": "Accepted"}})
        assert cp.sim.configuration["AuthorizationKey"].value == new.encode().hex()
        assert api.central.credentials.has_password("CP9")
        status, body = await api.command("CP9", "set_charger_password", {"password": "short"})
        assert (status, body["error"]) == (400, "bad_request") and "16" in body["message"]
        for wrong in ({}, {"generate": True, "password": new}, {"generate": True, "send_to_charger": False}):
            status, body = await api.command("CP9", "set_charger_password", wrong)
            assert (status, body["error"]) == (400, "bad_request"), wrong
        status, body = await api.command("CP9", "set_charger_password", {"generate": True})
        generated = body["answer"].pop("password")
        assert (status, body["answer"]) == (200, {"status": "Accepted"})
        assert len(generated) == 32 and generated.isalnum()
        assert cp.sim.configuration["AuthorizationKey"].value == generated.encode().hex()
        await ws.close()
        task.cancel()
        # stored only (the charger need not be connected), then removed
        await wait_for(lambda: not api.central.is_connected("CP9"))
        status, body = await api.command("CP9", "set_charger_password", {"password": new})
        assert (status, body["error"]) == (503, "offline")
        body16 = {"password": "typed-on-the-charger", "send_to_charger": False}
        assert await api.command("CP9", "set_charger_password", body16) == (200, {"answer": {"stored": True}})
        status, body = await api.command("CP9", "set_charger_password", {"send_to_charger": False})
        assert (status, body) == (200, {"answer": {"removed": True}})
        assert not api.central.credentials.has_password("CP9")
        station = await booted(api.central, api.ocpp_url, "ST6")
        status, body = await api.command("ST6", "set_charger_password", {"generate": True})
        assert (status, body["answer"]["status"]) == (200, "Accepted")
        assert station.sim.device_model.value("SecurityCtrlr", "BasicAuthPassword") == body["answer"]["password"]
        await station.close()
