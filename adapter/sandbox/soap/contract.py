"""The SOAP contract files (WSDL and XSD) shipped in ``adapter/edges/dimona_soap/wsdl``.

The sandbox reads the files, not the client's code: the contract is shared, the mapping is not.
The WSDL it serves carries the caller's own URL as ``soap:address`` and points its schema
import at ``?xsd=dimona.xsd`` on the same URL.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lxml import etree

NS = "urn:dimona-adapter:soap:dimona:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
XSD_NAME = "dimona.xsd"
WSDL_NAME = "dimona.wsdl"


def _read(name: str) -> bytes:
    folder = resources.files("adapter").joinpath("edges", "dimona_soap", "wsdl")
    return folder.joinpath(name).read_bytes()


def safe_parser() -> etree.XMLParser:
    """No DTD, no entities, no network: what a service parsing untrusted XML needs."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@cache
def xsd_bytes() -> bytes:
    return _read(XSD_NAME)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(xsd_bytes(), safe_parser()))


def wsdl_for(url: str) -> bytes:
    """The WSDL with ``soap:address`` = ``url`` and the schema import at ``url?xsd=...``."""
    document = etree.fromstring(_read(WSDL_NAME), safe_parser())
    for address in document.iter(f"{{{WSDL_SOAP_NS}}}address"):
        address.set("location", url)
    for imported in document.iter(f"{{{XS_NS}}}import"):
        if imported.get("schemaLocation") == XSD_NAME:
            imported.set("schemaLocation", f"{url}?xsd={XSD_NAME}")
    return bytes(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))
