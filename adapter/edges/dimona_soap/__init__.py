"""The Dimona SOAP edge: a zeep client of OUR SOAP contract (``wsdl/dimona.wsdl`` and
``wsdl/dimona.xsd``, shipped as package data; ONSS publishes no WSDL for its Dimona SOAP
service), the XML of a core declaration and the REST v2-shaped items of a consultation
(``wire.py``), the matching of reconciliation on the SOAP model (``reconcile.py``), the
consultation's criteria and results in core terms (``models.py``), and the classification of
SOAP faults and HTTP failures into the core error tree (``classify.py``, ``errors.py``).
``DimonaSoapClient`` is a ``DimonaGateway`` of the app's ports, with the same core
``DeclarationAnswer`` as the REST edge's.
"""

from adapter.edges.dimona_soap.client import WSDL_PATH, DimonaSoapClient
from adapter.edges.dimona_soap.errors import (
    DimonaSoapAuthRefused,
    DimonaSoapPermanentError,
    DimonaSoapTransientError,
    DimonaSoapUncertainSubmission,
)
from adapter.edges.dimona_soap.models import ConsultCriteria, ConsultedDeclaration

__all__ = [
    "WSDL_PATH",
    "ConsultCriteria",
    "ConsultedDeclaration",
    "DimonaSoapAuthRefused",
    "DimonaSoapClient",
    "DimonaSoapPermanentError",
    "DimonaSoapTransientError",
    "DimonaSoapUncertainSubmission",
]
