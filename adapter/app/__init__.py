"""Orchestration against ports: what to do with each inbound message, when to submit,
when to poll, what to publish. No I/O library is imported here; the edges implement the
Protocols of ``ports.py`` and ``adapter.bootstrap`` wires them together.
"""
