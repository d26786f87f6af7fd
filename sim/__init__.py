"""Simulated chargers that speak real OCPP, for tests, benchmarks and newcomers."""
