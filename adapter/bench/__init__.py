"""The end-to-end benchmark (``dimona-adapter bench``, ``make bench``).

Owns: the workload generator (``workload``), process sampling from ``/proc`` (``procstat``:
each party's CPU, the machine's, PostgreSQL's), statistics (``stats``), completion and
timeliness tracking (``tracker``), the adapter processes of a run (``adapters``: one, or several
in one consumer group), a fresh PostgreSQL database per run (``pg``), one measured run
(``run``) and its figures (``summary``), the profiler hook (``profile``), the tables, verdicts
and JSON (``report``), the plots (``plots``), the command line (``cli``) and the plain-consumer
baseline (``baseline``: the same adapter with an executor of its own, one event in flight per
partition). It drives the adapter only from outside, as its own OS process(es).
"""
