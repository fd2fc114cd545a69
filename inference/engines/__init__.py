"""Inference engines behind one Protocol. Nothing outside this package imports torch or an engine library."""
