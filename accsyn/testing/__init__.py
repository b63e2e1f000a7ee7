"""Testing helpers for code that uses accsyn: a pytest plugin and hypothesis strategies."""
