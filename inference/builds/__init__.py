"""Model build manifests and digest verification."""
