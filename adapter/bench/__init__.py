"""The end-to-end benchmark (``dimona-adapter bench``, ``make bench``).

Owns: the workload generator (``workload``), process sampling from ``/proc`` (``procstat``),
statistics (``stats``), one measured run of broker + sandbox + adapter (``run``), the
profiler hook (``profile``), the report with its JSON and plots (``report``) and the command
line (``cli``). It drives the adapter only from outside, as its own OS process.
"""
