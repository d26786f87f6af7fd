"""The add-on's application: the csms central system, started with the add-on's options, on a SQLite (or PostgreSQL) store.

Run as `python3 -m ocpp_core_app` with `addon/` on PYTHONPATH (the add-on's run script; scripts/addon).
"""

# the add-on's version (config.yaml's, checked by tests/addon/test_version.py): in the API's snapshot, so the
# integration's diagnostics say which add-on it follows
__version__ = "0.1.0"
