"""The pure core: domain model, Dimona rules, translation and state machines.

Nothing here performs I/O, reads the clock or the environment: time comes in as an
argument. Only the standard library and pydantic may be imported (a test enforces it).
"""
