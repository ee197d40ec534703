"""The HTTP edge for operators: Prometheus metrics, liveness and readiness.

``PrometheusMetrics`` implements the ``adapter.app.metrics.Metrics`` port on its own
``CollectorRegistry``; ``Health`` is what the loop updates (heartbeat, partitions, store check);
``OpsServer`` serves ``/metrics``, ``/livez`` and ``/readyz`` from the adapter's event loop.
"""
