"""The emulator's operations, one module per family.

:mod:`accsyn.emulator._routes` maps event uris to them.

Every handler has the signature ``(backend, call) -> result`` (see
:class:`accsyn.emulator._protocol.Call`) and answers one operation of protocol.md §4.3.
"""
