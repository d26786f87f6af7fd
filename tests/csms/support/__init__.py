"""What the central system tests share: simulated and raw chargers, the 1.6J conformance station, the 2.x
command station, certificates, the fuzzer and its bars, the event-loop blocking probe, local list pushes."""
