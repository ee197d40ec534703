"""The HTTP edge for operators: Prometheus metrics, liveness and readiness.

``PrometheusMetrics`` implements the ``adapter.app.metrics.Metrics`` port on its own
``CollectorRegistry``; ``Health`` is what the loop updates (heartbeat, partitions, store check);
``OpsServer`` serves ``/metrics``, ``/livez`` and ``/readyz`` from the adapter's event loop;
``StoreSampler`` refreshes the gauges that are facts of the store (pending polls by age,
outbox backlog) and ``store_check`` is the readiness probe of the store.
"""
