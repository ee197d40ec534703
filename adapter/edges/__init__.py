"""The edges: every piece of I/O (Kafka, Avro, Dimona REST and SOAP, store, HTTP).

Each sub-package owns its wire format and its errors and maps them onto the core's types.
"""
