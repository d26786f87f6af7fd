"""The add-on's application: the csms central system, started with the add-on's options, on a SQLite (or PostgreSQL) store.

Run as `python3 -m ocpp_core_app` with `addon/` on PYTHONPATH (the add-on's run script; scripts/addon).
"""
