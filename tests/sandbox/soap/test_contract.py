"""The WSDL the sandbox serves: the shipped one, pointed at the address the caller used."""

from __future__ import annotations

from lxml import etree

from adapter.sandbox.soap.contract import wsdl_for


def test_the_served_wsdl_points_at_the_caller() -> None:
    document = etree.fromstring(wsdl_for("http://example.test:1/SOAP/dimona"))
    address = document.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == "http://example.test:1/SOAP/dimona"
    imported = document.find(".//{http://www.w3.org/2001/XMLSchema}import")
    assert imported is not None
    assert imported.get("schemaLocation") == "http://example.test:1/SOAP/dimona?xsd=dimona.xsd"
