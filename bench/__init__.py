"""Benchmarks of bangfu's stages on generated corpora of realistic forms: `python -m bench`."""
