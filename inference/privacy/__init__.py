"""PII detection, anonymization by policy, and restoration of pseudonyms in answers."""
