"""Shared fixtures come from qa_core.testing.fixtures (a pytest11 plugin)."""
