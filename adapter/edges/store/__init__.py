"""The store edge: inbox, declaration ledger, periods and outbox in SQL.

One implementation of the SQL (``sql.py``) runs on two engines: SQLite (the embedded
default, WAL mode) and PostgreSQL (production; several replicas share it). Both pass the
same contract suite (tests/contract/test_store_contract.py).
"""
