"""What outlives a restart of the central system, the bounded transaction history, and reservation expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, Event, EventType, MemoryPersistence
from custom_components.ocpp_core.csms.rpc.timeutil import utcnow
from sim.charger16 import connect

from .support.helpers import wait_for


async def test_state_survives_restart(central_config: CentralSystemConfig) -> None:
    persistence = MemoryPersistence()
    first = CentralSystem(central_config, persistence)
    await first.start()
    cp, task, ws = await connect(f"ws://127.0.0.1:{first.port}", "keep", connectors=2)
    await cp.boot()
    await wait_for(lambda: first.stations["keep"].configuration_time is not None)
    commands = first.v16("keep")
    assert await commands.change_configuration("HeartbeatInterval", "120") == {"status": "Accepted"}
    await commands.get_configuration(["NoSuchKey"])
    ended_id = await cp.start_transaction(1, "TAG-1")
    await cp.send_meter_values(1, seconds=360)
    await cp.stop_transaction(1)
    await cp.start_transaction(2, "TAG-2")  # still open at the restart
    reservation_id = first.next_reservation_id()
    expiry = utcnow() + timedelta(hours=1)
    assert await commands.reserve_now(1, expiry, "TAG-R", reservation_id) == {"status": "Accepted"}
    assert await commands.send_local_list(3, "Full", [{"idTag": "A", "idTagInfo": {"status": "Accepted"}}]) == {
        "status": "Accepted"
    }
    await cp.send_security_event("FirmwareUpdated", "1.1.0")
    await cp.send_firmware_status("Installed")
    await cp.sign_certificate()
    before = first.stations["keep"]
    transactions_before = first.transactions()
    await ws.close()
    await first.stop()
    task.cancel()

    second = CentralSystem(central_config, persistence)
    await second.start()
    station = second.stations["keep"]
    # transactions: the ended one in the history, the open one on its connector
    assert second.transactions() == transactions_before
    assert [(t["transaction_id"], t["open"]) for t in transactions_before] == [
        (str(ended_id), False),
        (str(ended_id + 1), True),
    ]
    assert transactions_before[0]["energy_wh"] == 1100.0
    # reservation ids go on; the reservation itself is still there
    assert second.next_reservation_id() == reservation_id + 1
    reservation = station.connectors[1].reservation
    assert reservation is not None and (reservation.reservation_id, reservation.id_tag) == (reservation_id, "TAG-R")
    assert reservation.expiry_date == expiry.replace(microsecond=expiry.microsecond // 1000 * 1000)  # as sent
    # the configuration as read and changed, and what it means
    assert station.configuration == before.configuration
    assert station.configuration["HeartbeatInterval"] == {"value": "120", "readonly": False}
    assert station.unknown_keys == ["NoSuchKey"]
    assert station.number_of_connectors == 2 and station.charge_profile_max_stack_level == 8
    assert station.supported_feature_profiles == before.supported_feature_profiles
    assert station.configuration_time == before.configuration_time
    # registration, local list, reports
    assert station.registration_status == "Accepted"
    assert station.local_list_version == 3
    assert list(station.security_events) == list(before.security_events)
    assert list(station.security_events)[-1]["type"] == "FirmwareUpdated"
    assert (station.firmware_status, station.firmware_status_time) == ("Installed", before.firmware_status_time)
    assert station.certificate_signing_request == before.certificate_signing_request is not None
    await second.stop()


async def test_history_bounded_newest_last_and_filtered(central_config: CentralSystemConfig) -> None:
    central_config.history_size = 3
    central = CentralSystem(central_config, MemoryPersistence())
    await central.start()
    state = central.state
    t0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    for i in range(5):  # cp-a: five one-hour sessions, a day apart
        start = t0 + timedelta(days=i)
        await state.transactions.start("cp-a", 1, f"a{i}", "TAG", 1000.0 * i, start)
        await state.transactions.stop("cp-a", f"a{i}", 1000.0 * i + 500, start + timedelta(hours=1), "Local")
    await state.transactions.start("cp-b", 2, "b0", None, 0.0, t0 + timedelta(days=3, hours=12))  # open

    everything = central.transactions()
    assert [t["transaction_id"] for t in everything] == ["a2", "a3", "b0", "a4"]  # only 3 ended kept; by start
    assert [t["open"] for t in everything] == [False, False, True, False]
    assert everything[0]["energy_wh"] == 500.0 and everything[0]["meter_stop_wh"] == 2500.0
    assert [t["transaction_id"] for t in central.transactions("cp-a")] == ["a2", "a3", "a4"]
    assert [t["transaction_id"] for t in central.transactions("cp-b")] == ["b0"]
    assert central.transactions("nobody") == []
    # overlap with [since, until]: a3 runs 08:00-09:00 on day 3
    day3 = t0 + timedelta(days=3)
    assert [t["transaction_id"] for t in central.transactions("cp-a", day3 + timedelta(minutes=30))] == ["a3", "a4"]
    assert [t["transaction_id"] for t in central.transactions("cp-a", day3 + timedelta(hours=2))] == ["a4"]
    assert [t["transaction_id"] for t in central.transactions(until=day3 + timedelta(minutes=59))] == ["a2", "a3"]
    # an open transaction overlaps every later window; naive bounds are UTC
    naive = (day3 + timedelta(days=30)).replace(tzinfo=None)
    assert [t["transaction_id"] for t in central.transactions(since=naive)] == ["b0"]
    # and only the bounded history is persisted
    await central.stop()
    saved = central.state.store.snapshot()
    assert [record["transaction_id"] for record in saved["history"]] == ["a2", "a3", "a4"]


async def test_reservation_expires_on_time(central: CentralSystem, url: str) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    cp, task, ws = await connect(url, "exp", connectors=2)
    await cp.boot()
    reservation_id = central.next_reservation_id()
    expiry = utcnow() + timedelta(milliseconds=300)
    assert await central.v16("exp").reserve_now(2, expiry, "TAG", reservation_id) == {"status": "Accepted"}
    connector = central.stations["exp"].connectors[2]
    assert connector.reservation is not None
    await wait_for(lambda: any(e.type is EventType.RESERVATION and e.data["reason"] == "expired" for e in events), 3)
    assert utcnow() >= expiry
    assert connector.reservation is None and central.stations["exp"].reservations(include_expired=True) == []
    assert central.state.store.snapshot()["stations"]["exp"]["reservations"] == []
    assert "exp" not in central.state.reservations.deadlines
    await ws.close()
    task.cancel()


async def test_expired_reservation_hidden_when_read_and_cleared_by_next_message(
    central: CentralSystem, url: str
) -> None:
    events: list[Event] = []
    central.events.subscribe(events.append)
    cp, task, ws = await connect(url, "exp2")
    await cp.boot()
    expiry = utcnow() + timedelta(milliseconds=200)
    assert await central.v16("exp2").reserve_now(1, expiry, "TAG", central.next_reservation_id()) == {
        "status": "Accepted"
    }
    central.state.reservations._expiry_timers.pop("exp2").cancel()  # as if the timer had not fired yet
    connector = central.stations["exp2"].connectors[1]
    await wait_for(lambda: connector.reservation is None, 3)  # never shown once expired
    assert central.stations["exp2"].reservations(include_expired=True) != []  # still stored …
    assert not [e for e in events if e.type is EventType.RESERVATION and e.data["reason"] == "expired"]
    await cp.heartbeat()  # … until any message of that station arrives
    assert central.stations["exp2"].reservations(include_expired=True) == []
    assert [e.data["reason"] for e in events if e.type is EventType.RESERVATION] == ["reserved", "expired"]
    await ws.close()
    task.cancel()


async def test_reservation_ended_by_the_charger(central: CentralSystem, url: str) -> None:
    cp, task, ws = await connect(url, "exp3")
    await cp.boot()
    expiry = utcnow() + timedelta(hours=1)
    assert await central.v16("exp3").reserve_now(1, expiry, "TAG", 71) == {"status": "Accepted"}
    connector = central.stations["exp3"].connectors[1]
    await wait_for(lambda: connector.status == "Reserved")
    await cp.send_status(1, "Preparing")  # the holder plugs in: still reserved
    assert connector.reservation is not None
    await cp.send_status(1, "Reserved")
    await cp.send_status(1, "Available")  # the charger let it go
    assert connector.reservation is None
    await ws.close()
    task.cancel()


async def test_expired_reservation_not_restored(central_config: CentralSystemConfig) -> None:
    expired = (utcnow() - timedelta(minutes=1)).isoformat()
    valid = (utcnow() + timedelta(minutes=10)).isoformat()
    persistence = MemoryPersistence(
        {
            "version": 1,
            "next_transaction_id": 1,
            "stations": {
                "old": {
                    "connectors": [1, 2],
                    "reservations": [
                        {"reservation_id": 1, "connector_id": 1, "id_tag": "A", "expiry_date": expired},
                        {"reservation_id": 2, "connector_id": 2, "id_tag": "B", "expiry_date": valid},
                    ],
                }
            },
        }
    )
    central = CentralSystem(central_config, persistence)
    await central.start()
    station = central.stations["old"]
    assert station.connectors[1].reservation is None
    reservation = station.connectors[2].reservation
    assert reservation is not None and reservation.id_tag == "B"
    assert central.state.reservations.deadlines["old"] == reservation.expiry_date
    # an old store without the counter starts at 1; ids held by a reservation are skipped
    assert [central.next_reservation_id() for _ in range(3)] == [1, 3, 4]
    await central.stop()
