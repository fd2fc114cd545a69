"""The tamper-evident, PII-free audit trail: one hash-chained record per generation request."""
