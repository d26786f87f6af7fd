"""Throughput benchmark: our central system against two baselines (see bench/README.md)."""
