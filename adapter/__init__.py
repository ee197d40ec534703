"""dimona-adapter: Kafka employment events in, Dimona declarations out, status events back."""

__version__ = "0.1.0"
