"""The Avro edge: the schema files of ``schemas/`` and the two wire framings.

- Avro single-object encoding (``C3 01`` + CRC-64-AVRO fingerprint of the writer schema,
  little-endian as the spec frames it, + body): the embedded default; each record names the
  schema version that wrote it.
- Confluent Schema Registry wire format (``00`` + 4-byte schema id + body): the enterprise
  option (see ``registry.py``); its schemas are resolved by ``prepare``, off the event loop.

Decoding always resolves the writer schema against the newest reader schema of the family,
so a consumer reads every older version of a record (backward compatibility).
"""
