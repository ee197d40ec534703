"""The end-to-end benchmark (``dimona-adapter bench``, ``make bench``).

Owns: the workload generator (``workload``), process sampling from ``/proc`` (``procstat``),
statistics (``stats``), one measured run of broker + sandbox + adapter (``run``), the
profiler hook (``profile``), the report with its JSON and plots (``report``), the command
line (``cli``) and the plain-consumer baseline (``baseline``: the same adapter with an executor
of its own, one event in flight per partition). It drives the adapter only from outside, as
its own OS process.
"""
