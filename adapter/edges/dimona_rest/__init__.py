"""The Dimona REST v2 edge: everything that talks HTTP to ONSS.

Owns the OAuth token (signed JWT client assertion), the connection pool, rate limit and
concurrency cap, the four operations (submit, get the answer, search, get a period), the
reading of ONSS's answers and the classification of failures into the core error tree, the
REST v2 body of a core declaration (``wire.py``) and the matching of reconciliation on that JSON
(``reconcile.py``): ``DimonaRestClient`` is a ``DimonaGateway`` of the app's ports.
"""

from adapter.edges.dimona_rest.client import DimonaRestClient, declaration_id_from_location
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import (
    DimonaAuthRefused,
    DimonaAuthUnavailable,
    DimonaPermanentError,
    DimonaTransientError,
    DimonaUncertainSubmission,
    KeyFilesExist,
)
from adapter.edges.dimona_rest.keys import KeyPairPaths, create_key_pair
from adapter.edges.dimona_rest.token import TokenProvider

__all__ = [
    "DimonaAuthRefused",
    "DimonaAuthUnavailable",
    "DimonaPermanentError",
    "DimonaRestClient",
    "DimonaRestConfig",
    "DimonaTransientError",
    "DimonaUncertainSubmission",
    "KeyFilesExist",
    "KeyPairPaths",
    "TokenProvider",
    "create_key_pair",
    "declaration_id_from_location",
]
