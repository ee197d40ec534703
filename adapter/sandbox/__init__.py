"""The local Dimona sandbox: a stand-in for the ONSS OAuth server and the Dimona REST v2 API.

It owns its own state (declarations, periods, clients, tokens), its own business rules and its
own fault injection. It must never import the adapter's rules (``adapter.core``) to decide its
answers: a bug shared by both would hide itself. The SOAP channel lives in ``soap/`` and calls
the same :class:`~adapter.sandbox.service.SandboxService`.
"""
