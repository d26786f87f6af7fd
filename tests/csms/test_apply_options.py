"""CentralSystem.apply_options: the runtime options in force at once, and which of them changed."""

from __future__ import annotations

from custom_components.ocpp_core.csms import CentralSystem, CentralSystemConfig, CentralSystemOptions


def test_options_are_put_in_force_and_the_changed_ones_named() -> None:
    central = CentralSystem(CentralSystemConfig(host="127.0.0.1", port=0, history_size=5))
    assert central.apply_options(CentralSystemOptions(history_size=5)) == frozenset()

    options = CentralSystemOptions(
        heartbeat_interval=60,
        lenient=False,
        limit_interval=3.0,
        max_message_rate=100.0,
        history_size=2,
        meter_interval=30,
        accept_unknown_tags=False,
        refuse_concurrent_tags=True,
        remote_only_tags=("HA",),
    )
    changed = central.apply_options(options)
    assert changed == {
        "heartbeat_interval", "lenient", "limit_interval", "max_message_rate", "history_size", "meter_interval",
        "accept_unknown_tags", "refuse_concurrent_tags", "remote_only_tags",
    }  # fmt: skip
    config = central.config
    assert (config.heartbeat_interval, config.lenient, config.limit_interval) == (60, False, 3.0)
    assert (config.max_message_rate, config.max_message_burst) == (100.0, 400)  # the burst follows the rate
    assert config.history_size == 2
    assert central.meter_intervals.default == 30
    policy = central.state.authorization.policy
    assert (policy.accept_unknown, policy.refuse_concurrent) == (False, True)
    assert central.state.authorization.decide("cp", "ha").status == "Invalid"  # remote-start only: not presented
    assert central.options == options
    assert central.apply_options(options) == frozenset()
