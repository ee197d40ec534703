"""The chaos suite (`dimona-adapter chaos`, `make chaos`).

Seeded runs against real adapter processes — one on SQLite, or two replicas in one consumer
group on one PostgreSQL database — the embedded broker and PostgreSQL behind severable TCP
proxies (resets and black holes) and the Dimona sandbox: SIGKILL the adapters at random moments,
cut their broker and database connections, make the sandbox fail (500/503/429, lost responses,
resets, latency, slow processing, token outage, short-lived tokens), while the workload mixes
ordinary hires and leaves, CHANGE, CANCEL, students over two quarters, flexi days, workers
without SSIN, exact duplicates and bad records. After each run the invariants are judged from
the outside: the status topic, the dead-letter topic and the sandbox's own records. See
docs/reliability.md.
"""
