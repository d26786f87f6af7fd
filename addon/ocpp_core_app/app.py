"""Run the central system with the add-on's options on its store (SQLite or PostgreSQL), until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
from typing import Any

from .admin.central_options import REMOTE_START_TAG, CentralOptions, central_system_options
from .admin.services import AdminData
from .api import ApiServer
from .api_token import api_token
from .central_import import csms
from .discovery import announce
from .eventlog import LOGGED_TYPES, log_event
from .journal import EventJournal
from .options import AppOptions
from .payments.flow import PaymentFlow
from .store import RowStore, SqliteStore, StoreError
from .store.samples import MessageLog, SessionSamples
from .web import INGRESS, LOGIN, WebServer, WebState, install
from .web.accounts import AccountBook
from .web.ha_roles import HaRoles

_LOGGER = logging.getLogger("ocpp_core_app")

# the host the integration reaches the add-on by (the Supervisor's DNS name of the add-on's container)
DISCOVERY_HOST_ENV = "OCPP_CORE_DISCOVERY_HOST"
# the integration's default tag for the remote starts it asks (custom_components/ocpp_core/const.py)
HOME_ASSISTANT_TAG = "HomeAssistant"
REMOTE_ONLY_TAGS = (HOME_ASSISTANT_TAG,)


def central_config(options: AppOptions) -> Any:
    """The central system's config: where it listens, how chargers prove who they are, and the options it
    starts with (mapped in central_options, the one place)."""
    running = central_options(options)
    config = csms.CentralSystemConfig(
        port=options.ocpp_port,
        heartbeat_interval=running.heartbeat_interval,
        lenient=running.lenient,
        security_profile=options.security_profile,
        certfile=str(options.certfile) if options.certfile else None,
        keyfile=str(options.keyfile) if options.keyfile else None,
        cafile=str(options.cafile) if options.cafile else None,
        max_stations=options.max_stations,
    )
    config.set_message_rate(running.max_message_rate)
    return config


def configured_options(options: AppOptions) -> dict[str, Any]:
    """The add-on's configuration of the options the central system takes while running (by the integration's
    option names: admin/central_options.py; what the configuration does not have, csms's defaults)."""
    defaults = csms.CentralSystemOptions()
    return {
        "heartbeat_interval": options.heartbeat_interval,
        "strict_validation": options.strict,
        "history_size": defaults.history_size,
        "unknown_chargers": options.unknown_chargers,
        "limit_interval": options.limit_interval,
        "meter_interval": options.meter_interval,
        "max_message_rate": options.max_message_rate,
        "unknown_tags": options.unknown_tags,
        "refuse_concurrent_tags": defaults.refuse_concurrent_tags,
        REMOTE_START_TAG: None,  # (told by the integration: its default tag, set in its entry's options)
    }


def central_options(options: AppOptions) -> Any:
    """The add-on's options the central system takes while running (CentralSystem.apply_options).  Home
    Assistant's own tag (the integration's default_id_tag, HOME_ASSISTANT_TAG until a remote entry tells its own
    as the remote_start_tag option): its remote starts are accepted also when unknown tags are not, as on the
    embedded central system, and never when a charger presents it."""
    return central_system_options(configured_options(options), REMOTE_ONLY_TAGS)


def make_store(options: AppOptions) -> RowStore:
    if options.database_url is None:
        return SqliteStore(options.database_path)
    from .store.postgres import PostgresStore  # its driver only where it is used

    return PostgresStore(options.database_url)


def build_payments(options: AppOptions, central: Any, store: RowStore) -> PaymentFlow:
    """Card payments: on with a Stripe secret key (the package imported only then)."""
    provider = None
    if options.stripe_secret_key:
        from .payments.stripe_provider import StripeProvider

        provider = StripeProvider(options.stripe_secret_key, options.payment_return_url, options.stripe_api_base)
    return PaymentFlow(central, store, provider, poll_interval=options.payment_poll_interval)


def build_central(
    options: AppOptions, store: RowStore, journal_state: tuple[str, int, int], admin: AdminData | None = None
) -> tuple[Any, EventJournal, MessageLog]:
    """The central system on the store, its event journal (subscribed first: every event gets its seq) and its
    message log's writer (to run while it does)."""
    central = csms.CentralSystem(central_config(options), store)
    stream, next_seq, pruned = journal_state
    journal = EventJournal(central, store, stream=stream, next_seq=next_seq, pruned_through=pruned)
    central.events.subscribe(journal.on_event)
    # the options in force (the configuration's, and those set over the API since: loaded with the admin data),
    # the boot policy (unknown chargers: accept / reject / ask) and the web UI's inbox of those kept out
    live = CentralOptions(central, store, configured_options(options), REMOTE_ONLY_TAGS)
    (admin or AdminData(store)).attach(central, options.unknown_chargers, live)
    central.apply_options(live.central_system_options())
    # each by the event types it acts on: the steady stream of meter updates reaches only those that need it
    central.events.subscribe(log_event, LOGGED_TYPES)
    central.events.subscribe(SessionSamples(central, store).on_event, (csms.EventType.CONNECTOR_UPDATED,))
    message_log = MessageLog(central, store)
    central.events.subscribe(message_log.on_event, (csms.EventType.DISCONNECTED,))
    return central, journal, message_log


async def run(options: AppOptions, discovery_host: str) -> int:
    """The app's life; the exit code."""
    token, generated = api_token(options.data_dir, options.api_token)
    if generated:
        # printed once, so whoever started it can copy it; kept in the data dir from now on
        print(f"API token (generated, kept in {options.data_dir / 'api_token'}): {token}", flush=True)
    store = make_store(options)
    store.journal_days, store.journal_count = options.event_retention_days, options.event_retention_count
    try:
        version = await store.open()
        journal_state = await store.open_journal()
    except StoreError as err:
        _LOGGER.error("%s", err)
        return 1
    admin = AdminData(store)
    central, journal, message_log = build_central(options, store, journal_state, admin)
    try:
        await central.load()
        await admin.load()
        await central.start()
    except StoreError as err:
        _LOGGER.error("%s", err)
        await store.close()
        return 1
    except OSError as err:
        _LOGGER.error("Cannot listen on port %s: %s", options.ocpp_port, err)
        await store.close()
        return 1
    payments = build_payments(options, central, store)
    await payments.load()
    accounts = AccountBook(options.data_dir)
    try:
        accounts.load()
    except (OSError, ValueError) as err:
        _LOGGER.error("Cannot read the web UI's accounts (%s): %s", accounts.path, err)
        await payments.close()
        await central.stop()
        await store.close()
        return 1
    ingress = WebState(
        INGRESS, central, store, accounts, proxies=options.ingress_proxies,
        ha_roles=HaRoles(options.ha_websocket_url, os.environ.get("SUPERVISOR_TOKEN")), admin=admin, payments=payments,
    )  # fmt: skip
    api = ApiServer(
        central,
        token,
        central.config.host,
        options.ui_port,
        journal=journal,
        ui=lambda app: install(app, ingress),
        payments=payments,
        central_options=admin.options,
    )
    own = WebServer(
        WebState(LOGIN, central, store, accounts, admin=admin, payments=payments),
        central.config.host,
        options.web_port or 0,
    )
    try:
        await api.start()
        if options.web_port is not None:
            await own.start()
    except OSError as err:
        _LOGGER.error("Cannot listen on the UI port %s or the web port %s: %s", options.ui_port, options.web_port, err)
        await api.stop()
        await payments.close()
        await central.stop()
        await store.close()
        return 1
    _LOGGER.info("API on port %s (/api/v1/, bearer token); web UI there behind ingress", api.port)
    if options.web_port is not None:
        password = accounts.ensure_first_admin()
        if password is not None:
            # printed once: the account book keeps only its hash
            print(f"Web UI: first account created: admin / {password} (change it on the Users page)", flush=True)
        _LOGGER.info("Web UI with sign-in on port %s", own.port)
    # SIGTERM stops it cleanly from here on, before the line that says it is ready and before the announcement:
    # whoever saw either (the Supervisor, a test) may send it at once (it killed the app, exit -15, under load)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    _LOGGER.info(
        "OCPP central system on port %s (%s), data in %s (database %s, schema %s%s), %s chargers known",
        central.port,
        "wss" if options.security_profile >= 2 else "ws",
        options.data_dir,
        store.name,
        "new" if version == 0 else "v" + str(version),
        "",
        len(central.stations),
    )
    # what the start made (the modules, the store's and the servers' objects: ~60,000, most of what the process
    # holds) is kept for good: out of the garbage collector's full passes, which walked it all in 30-35 ms on a
    # busy core while the chargers' messages waited (issue 15's p99); its garbage is collected first
    gc.collect()
    gc.freeze()
    writing_log = message_log.start()
    await announce(discovery_host, central.port, token, api.port)
    await stop.wait()
    _LOGGER.info("Stopping: closing the chargers' connections and writing the store")
    code = 0
    if options.web_port is not None:
        await own.stop()
    await api.stop()
    await payments.close()
    await MessageLog.stop(writing_log)
    try:
        await central.stop()
        await admin.close()
        await store.close()
    except StoreError as err:
        _LOGGER.error("Could not write the store at the end: %s", err)
        code = 1
    _LOGGER.info("Stopped")
    return code
