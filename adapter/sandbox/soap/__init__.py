"""The sandbox's SOAP channel at ``/SOAP/dimona``: serves the shipped WSDL and XSD, validates
SOAP 1.1 requests against the XSD with lxml, checks the bearer token with the sandbox's OAuth
server, maps the XML to the REST v2 JSON shape and calls the same ``SandboxService`` as REST.

The contract (``adapter/edges/dimona_soap/wsdl``) is our design: ONSS publishes no WSDL for its
Dimona SOAP service. The XML ↔ JSON mapping here is written independently of the client's.
"""

from adapter.sandbox.soap.app import SoapApp, build_soap_app

__all__ = ["SoapApp", "build_soap_app"]
