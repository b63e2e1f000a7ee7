"""Testing helpers for code that uses accsyn: a pytest plugin and hypothesis strategies.

In-process recording for contract tests is here too:
``accsyn.testing.RecordingTransport`` / ``AsyncRecordingTransport`` wrap any httpx
transport and write a scrubbed cassette (see :mod:`accsyn.contract`).
"""

from typing import Any

__all__ = ["AsyncRecordingTransport", "RecordingTransport"]


def __getattr__(name: str) -> Any:
    # Lazy: the pytest plugin imports this package for every test run.
    if name in __all__:
        import accsyn.contract

        return getattr(accsyn.contract, name)
    raise AttributeError(f"module 'accsyn.testing' has no attribute {name!r}")
