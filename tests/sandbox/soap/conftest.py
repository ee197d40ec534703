"""A sandbox subprocess on loopback with a registered client, for its SOAP endpoint's tests."""

from tests.sandbox.soap_fixtures import CLIENT_ID, clean, keys, sandbox

__all__ = ["CLIENT_ID", "clean", "keys", "sandbox"]
