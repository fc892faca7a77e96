"""Runtime: the studio service, registry and consent changes, scans, and (later) jobs."""
