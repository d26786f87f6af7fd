"""What the central system tests share: simulated chargers, the 1.6J conformance station, certificates, the fuzzer."""
