"""The chaos suite (`dimona-adapter chaos`, `make chaos`).

Seeded runs against the real adapter process, the embedded broker behind a severable TCP proxy
and the Dimona sandbox: SIGKILL the adapter at random moments, cut its broker connection, make
the sandbox fail (500/503/429, lost responses, resets, latency, slow processing, token outage,
short-lived tokens). After each run the invariants are judged from the outside: the status
topic, the dead-letter topic and the sandbox's own records. See docs/reliability.md.
"""
