"""What the central system learns from a 2.0.1 / 2.1 station's answers to its own calls.

Recorded at the call layer (ChargerSession.call → V201Adapter.record_answer →
RECORDERS), so a typed command (V201Commands) and the same action sent raw
(send_call) update the state alike.  Each recorder gets (state, station id, the
request as sent, the answer as received), both camelCase.  What follows the answers:

- reservations (ReserveNow / CancelReservation), kept per EVSE:
  Reservation.connector_id is the EVSE id, 0 = any EVSE of the station;
- the local authorization list version (SendLocalList / GetLocalListVersion);
- device-model values (GetVariables, SetVariables Accepted / RebootRequired);
- charging profiles the station accepted or cleared (as if it had reported them,
  source CSO), display messages set or cleared, monitors set or cleared;
- the log upload asked for (GetLog: request id and file name);
- a refused remote start (RequestStartTransaction): its token is no longer expected.

Report requests are noted before they are sent (`before_call`, via
V201Adapter.before_call): the first NotifyReport may arrive before the answer is
handed back; a refused request is forgotten again.  Every other action changes
nothing here: its effects arrive as the station's own messages (TransactionEvent,
StatusNotification, FirmwareStatusNotification …).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model.device_model import ACTUAL, variable_key
from ..model.events import Event, EventType
from ..model.station import Reservation
from ..model.station_v2 import StationV2
from ..rpc.endpoint import Payload
from ..rpc.timeutil import parse_timestamp
from ..state.call_answers import Recorder, cancel_reservation, send_local_list
from ..state.central_state import CentralState
from ..state.device_model_reports import monitor_key

_SET_ACCEPTED = ("Accepted", "RebootRequired")
# what ClearChargingProfile never removes: limits set by others than the central system
_NOT_OURS = "ChargingStationExternalConstraints"
_MAX_ID_TOKEN_LENGTH = 36  # IdTokenType.idToken (longer: the schema check refuses the request)


def before_call(state: CentralState, station_id: str, action: str, request: Payload) -> None:
    """Note what a report we ask for is, so NotifyReport knows how to apply it; and the token of a
    remote start, which its TransactionEvent may use (see Authorization.expect_remote_start; TagRefused when
    it would be refused)."""
    if action == "GetBaseReport":
        state.v2_reports.note_report_request(station_id, int(request["requestId"]), str(request["reportBase"]))
    elif action == "GetReport":
        state.v2_reports.note_report_request(station_id, int(request["requestId"]), "Report")
    elif action == "RequestStartTransaction" and (token := _token(request.get("idToken"))) is not None:
        evse_id = request.get("evseId")  # TagRefused, and nothing sent, when its start would be refused
        where = evse_id if isinstance(evse_id, int) else None
        state.authorization.check_remote_start(station_id, token, where, _MAX_ID_TOKEN_LENGTH)


def _token(value: Any) -> str | None:
    """The token of an IdTokenType."""
    if isinstance(value, dict) and isinstance(value.get("idToken"), str):
        return str(value["idToken"])
    return None


def _results(answer: Payload, key: str) -> Iterable[dict[str, Any]]:
    found = answer.get(key)
    return (item for item in found if isinstance(item, dict)) if isinstance(found, list) else ()


def _v2(state: CentralState, station_id: str) -> StationV2 | None:
    station = state.stations.get(station_id)
    return station.v2 if station is not None else None


def _changed(state: CentralState, event: Event) -> None:
    state.store.save_soon()
    state.events.emit(event)


# ---- reservations and the local list -------------------------------------------------


def _reserve_now(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") == "Accepted":
        reservation = Reservation(
            int(request["id"]),
            int(request.get("evseId") or 0),
            _token(request["idToken"]) or "",
            parse_timestamp(request["expiryDateTime"]),
            _token(request.get("groupIdToken")),
        )
        state.reservations.set(station_id, reservation)


def _get_local_list_version(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    version = answer.get("versionNumber")
    if isinstance(version, int) and -1 <= version <= 2_147_483_647 and not isinstance(version, bool):
        state.reports.set_local_list_version(station_id, version)


# ---- device model --------------------------------------------------------------------


def _report(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    """GetBaseReport / GetReport: a refused request sends no report, its note goes."""
    v2 = _v2(state, station_id)
    if answer.get("status") != "Accepted" and v2 is not None:
        v2.report_requests.pop(int(request["requestId"]), None)


def _get_variables(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    values = [
        (result["component"], result["variable"], result["attributeValue"], result.get("attributeType") or ACTUAL)
        for result in _results(answer, "getVariableResult")
        if result.get("attributeStatus") == "Accepted" and isinstance(result.get("attributeValue"), str)
    ]
    if values:
        state.v2_reports.set_variable_values(station_id, values)


def _set_variables(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    """The values the station took, matched to the request by component, variable and attribute type."""
    asked = {
        (variable_key(entry["component"], entry["variable"]), entry.get("attributeType") or ACTUAL): entry
        for entry in request.get("setVariableData") or ()
    }
    values = []
    for result in _results(answer, "setVariableResult"):
        if result.get("attributeStatus") not in _SET_ACCEPTED:
            continue
        kind = result.get("attributeType") or ACTUAL
        entry = asked.get((variable_key(result.get("component") or {}, result.get("variable") or {}), kind))
        if entry is not None:
            values.append((entry["component"], entry["variable"], str(entry["attributeValue"]), kind))
    if values:
        state.v2_reports.set_variable_values(station_id, values)


# ---- monitors ------------------------------------------------------------------------


def _monitors_event(state: CentralState, station_id: str, v2: StationV2) -> None:
    data = {"request_id": None, "monitors": len(v2.monitors)}
    _changed(state, Event(EventType.MONITORING_REPORT, station_id, data=data))


def _set_variable_monitoring(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    """Accepted monitors are kept as NotifyMonitoringReport would list them (value from the request)."""
    v2 = state.v2_reports.station_v2(station_id)
    changed = False
    for result in _results(answer, "setMonitoringResult"):
        if result.get("status") != "Accepted" or not isinstance(result.get("id"), int):
            continue
        component, variable = result.get("component") or {}, result.get("variable") or {}
        key = "/".join(str(part) for part in monitor_key(component, variable))
        monitor: dict[str, Any] = {k: result[k] for k in ("id", "type", "severity") if k in result}
        for entry in request.get("setMonitoringData") or ():
            same_variable = variable_key(entry["component"], entry["variable"]) == variable_key(component, variable)
            if same_variable and entry["type"] == result.get("type") and entry.get("id") in (None, result["id"]):
                monitor.update(value=entry["value"], transaction=bool(entry.get("transaction", False)))
                break
        _drop_monitors(v2, {result["id"]})  # a monitor set again with its id replaces itself
        kept = v2.monitors.setdefault(key, {"component": component, "variable": variable, "monitors": []})
        kept["monitors"].append(monitor)
        changed = True
    if changed:
        _monitors_event(state, station_id, v2)


def _clear_variable_monitoring(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    cleared = {
        result["id"]
        for result in _results(answer, "clearMonitoringResult")
        if result.get("status") == "Accepted" and isinstance(result.get("id"), int)
    }
    v2 = _v2(state, station_id)
    if cleared and v2 is not None and _drop_monitors(v2, cleared):
        _monitors_event(state, station_id, v2)


def _drop_monitors(v2: StationV2, ids: set[int]) -> bool:
    """Remove the monitors with these ids (and variables left without any); True when one was there."""
    dropped = False
    for key, kept in list(v2.monitors.items()):
        before = list(kept.get("monitors") or ())
        monitors = [m for m in before if m.get("id") not in ids]
        if len(monitors) != len(before):
            dropped = True
            if monitors:
                kept["monitors"] = monitors
            else:
                del v2.monitors[key]
    return dropped


# ---- charging profiles ---------------------------------------------------------------


def _profiles_event(state: CentralState, station_id: str, v2: StationV2, evse_id: int) -> None:
    kept = v2.charging_profiles.get(evse_id, {})
    data = {"request_id": None, "source": "CSO", "evse_id": evse_id, "profiles": len(kept)}
    _changed(state, Event(EventType.CHARGING_PROFILES, station_id, data=data))


def _set_charging_profile(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    """An accepted profile is installed: it replaces one with its id, or with its purpose and stack level."""
    if answer.get("status") != "Accepted":
        return
    v2 = state.v2_reports.station_v2(station_id)
    evse_id, profile = int(request["evseId"]), request["chargingProfile"]
    for profiles in v2.charging_profiles.values():
        profiles.pop(profile["id"], None)
    kept = v2.charging_profiles.setdefault(evse_id, {})
    same_slot = (profile["chargingProfilePurpose"], profile["stackLevel"])
    for profile_id, known in list(kept.items()):
        other = known.get("profile") or {}
        if (other.get("chargingProfilePurpose"), other.get("stackLevel")) == same_slot:
            del kept[profile_id]
    kept[profile["id"]] = {"source": "CSO", "profile": profile}
    _profiles_event(state, station_id, v2, evse_id)


def _clear_charging_profile(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    v2 = _v2(state, station_id)
    if answer.get("status") != "Accepted" or v2 is None:
        return
    profile_id = request.get("chargingProfileId")
    criteria = request.get("chargingProfileCriteria") or {}
    for evse_id, profiles in v2.charging_profiles.items():
        if "evseId" in criteria and criteria["evseId"] != evse_id:
            continue
        gone = [
            pid
            for pid, known in profiles.items()
            if known.get("source", "CSO") == "CSO" and _clears(known.get("profile") or {}, profile_id, criteria)
        ]
        for pid in gone:
            del profiles[pid]
        if gone:
            _profiles_event(state, station_id, v2, evse_id)


def _clears(profile: dict[str, Any], profile_id: object, criteria: dict[str, Any]) -> bool:
    if profile_id is not None:
        return bool(profile.get("id") == profile_id)
    if profile.get("chargingProfilePurpose") == _NOT_OURS:
        return False
    return all(criteria[key] == profile.get(key) for key in ("chargingProfilePurpose", "stackLevel") if key in criteria)


# ---- display messages and diagnostics ------------------------------------------------


def _set_display_message(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    message = request.get("message")
    if answer.get("status") == "Accepted" and isinstance(message, dict) and isinstance(message.get("id"), int):
        state.v2_reports.record_display_messages(station_id, -1, [message])


def _clear_display_message(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    v2 = _v2(state, station_id)
    if answer.get("status") == "Accepted" and v2 is not None:
        v2.display_messages.pop(int(request["id"]), None)
        state.v2_reports.record_display_messages(station_id, -1, [])


def _get_log(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    if answer.get("status") in ("Accepted", "AcceptedCanceled"):
        state.reports.record_log_status(station_id, None, int(request["requestId"]), answer.get("filename"))


def _request_start_transaction(state: CentralState, station_id: str, request: Payload, answer: Payload) -> None:
    token = _token(request.get("idToken"))
    if answer.get("status") != "Accepted" and token is not None:
        state.authorization.remote_start_refused(station_id, token)


RECORDERS: dict[str, Recorder] = {
    "ReserveNow": _reserve_now,
    "CancelReservation": cancel_reservation,
    "SendLocalList": send_local_list("versionNumber"),
    "GetLocalListVersion": _get_local_list_version,
    "GetBaseReport": _report,
    "GetReport": _report,
    "GetVariables": _get_variables,
    "SetVariables": _set_variables,
    "SetVariableMonitoring": _set_variable_monitoring,
    "ClearVariableMonitoring": _clear_variable_monitoring,
    "SetChargingProfile": _set_charging_profile,
    "ClearChargingProfile": _clear_charging_profile,
    "SetDisplayMessage": _set_display_message,
    "ClearDisplayMessage": _clear_display_message,
    "GetLog": _get_log,
    "RequestStartTransaction": _request_start_transaction,
}
