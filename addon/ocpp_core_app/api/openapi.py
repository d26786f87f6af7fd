"""GET /api/v1/openapi.json: the API described (hand-written; tests keep it in step with the routes and docs)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .commands import COMMANDS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _answers(*codes: int) -> dict[str, Any]:
    texts = {
        200: "OK",
        201: "Created",
        400: "Bad request",
        401: "No or a wrong token",
        404: "Not found",
        409: "Conflict",
        410: "The cursor cannot be continued (read the snapshot again)",
        502: "The charger refused, or answered with a CALLERROR (its answer in `answer`)",
        503: "The charger is not connected",
        504: "The charger did not answer in time",
    }
    out: dict[str, Any] = {}
    for code in (*codes, 401):
        body = {"application/json": {"schema": _ERROR if code >= 400 else {"type": "object"}}}
        out[str(code)] = {"description": texts[code], "content": body}
    return out


def _op(summary: str, *codes: int, params: tuple[str, ...] = (), body: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": _answers(200 if 201 not in codes else 201, *codes)}
    if params:
        op["parameters"] = [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in params]
    if body:
        op["requestBody"] = {"content": {"application/json": {"schema": {"type": "object"}}}}
    return op


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


PATHS: dict[str, dict[str, Any]] = {
    "/openapi.json": {
        "get": {
            "summary": "This document (no token needed)",
            "security": [],
            "responses": {"200": {"description": "OK"}},
        }
    },
    "/snapshot": {
        "get": _op("The whole state (chargers, tags) and the event stream's seq and stream id it is consistent with")
    },
    "/chargers": {"get": _op("Every charger known: state, connectors / EVSEs, open sessions, limits")},
    "/chargers/{charger_id}": {
        "parameters": [_path_param("charger_id")],
        "get": _op("One charger", 404),
        "delete": _op("Forget the charger (its settings, password, sessions); 409 charger_connected", 404, 409),
    },
    "/chargers/{charger_id}/commands/{name}": {
        "parameters": [
            _path_param("charger_id"),
            {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": sorted(COMMANDS)}},
        ],
        "post": _op(
            "A command (the HA service of that name, its fields); the charger's answer",
            400,
            404,
            409,
            502,
            503,
            504,
            body=True,
        ),
    },
    "/transactions": {
        "get": _op("Open and recent transactions", 400, 404, params=("charger", "tag", "since", "until")),
    },
    "/tags": {
        "get": _op("The tag book"),
        "post": _op("Add a tag (add_tag's fields)", 201, 400, 409, body=True),
    },
    "/tags/{id_tag}": {
        "parameters": [_path_param("id_tag")],
        "put": _op("Change a tag (update_tag's fields)", 400, 404, body=True),
        "delete": _op("Remove a tag", 404),
    },
    "/settings": {"get": _op("Every charger's settings and whether it (and new chargers) have a password")},
    "/chargers/{charger_id}/settings": {
        "parameters": [_path_param("charger_id")],
        "get": _op("One charger's settings (name, max current, phases, connector names …) and has_password", 404),
        "put": _op("Change some settings (null clears one); 400 invalid_settings", 400, 404, body=True),
    },
    "/chargers/{charger_id}/password": {
        "parameters": [_path_param("charger_id")],
        "put": _op(
            "Set the charger's Basic-auth password ({password, send_to_charger}); never returned",
            400,
            404,
            502,
            503,
            504,
            body=True,
        ),
        "delete": _op("Remove the charger's own password", 404),
    },
    "/new_charger_password": {
        "put": _op("Set the password chargers without their own connect with ({password})", 400, body=True),
        "delete": _op("Remove the password for new chargers"),
    },
    "/options": {
        "get": _op(
            "The central system's own options (the integration's general options and tag policy, its remote_start_tag)"
        ),
        "put": _op("Change some options (kept in the store, in force at once); 400 invalid_options", 400, body=True),
    },
    "/tariffs": {
        "get": _op("The tariffs (get_tariffs)"),
        "put": _op("Set a tariff: its scope (charger_id, connector_id, id_tag) and `tariff`", 400, body=True),
        "delete": _op("Clear the tariff of a scope", 400, body=True),
    },
    "/card_tags/{id_tag}": {
        "parameters": [_path_param("id_tag")],
        "put": _op("Mark a tag as paying by card or not ({pays_by_card})", 400, 404, 409, body=True),
    },
    "/payments": {
        "get": _op("Whether card payments are on, the tags paying by card, every payment"),
        "post": _op(
            "A remote start paid by card: the maximum cost held (Stripe Checkout), the charger started once held",
            201,
            400,
            404,
            409,
            502,
            503,
            body=True,
        ),
    },
    "/payments/{payment_id}": {"parameters": [_path_param("payment_id")], "get": _op("One payment", 404)},
    "/payments/{payment_id}/qr.svg": {
        "parameters": [_path_param("payment_id")],
        "get": _op("The checkout link as a QR code (image/svg+xml)", 404),
    },
    "/payments/{payment_id}/cancel": {
        "parameters": [_path_param("payment_id")],
        "post": _op("Give up before the session: the checkout ended or the hold released", 404, 409),
    },
    "/events": {
        "get": _op(
            "WebSocket: the central system's events as JSON {seq, type, station_id, connector_id, data, state}; "
            "?since=<seq>&stream=<id> resumes from a cursor (then a {type: replayed} marker); the token also as ?token=",
            400,
            410,
            params=("token", "since", "stream"),
        ),
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "OCPP Core add-on API", "version": "1", "description": "See docs/addon_api.md."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {
                    "error": {"type": "string"},
                    "message": {"type": "string"},
                    "answer": {"description": "the charger's answer (502)"},
                },
            }
        },
    },
}


async def openapi_handler(request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)
