"""SOAP 1.1 envelopes: reading a request's payload, writing answers and faults.

Faults use ``soap:Client`` for a request the caller must fix and ``soap:Server`` for our own
trouble, with a ``DimonaFault`` detail (a stable ``Code`` and ``Issue`` items). Issue texts never
echo the offending value: it may be a national number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree
from starlette.responses import Response

from adapter.sandbox.soap.contract import NS, SOAP_ENV, safe_parser

XML_TYPE = "text/xml; charset=utf-8"
MAX_BODY_BYTES = 1_000_000
_VALUE = re.compile(r"(?:[Tt]he value|value) '[^']*'")


class SoapFault(Exception):  # noqa: N818 - it is a SOAP Fault
    """Answer the request with a SOAP fault."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        server: bool = False,
        issues: Sequence[tuple[str, str]] = (),
        status: int = 500,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.server = server
        self.issues = tuple(issues)
        self.status = status


def redact(message: str) -> str:
    """An XSD error message without the value it quotes."""
    return _VALUE.sub("the value", message)


def payload_of(raw: bytes) -> etree._Element:
    """The first element of the Body of a SOAP 1.1 envelope, or a Client fault."""
    if len(raw) > MAX_BODY_BYTES:
        raise SoapFault("requestTooLarge", f"the request exceeds {MAX_BODY_BYTES} bytes")
    try:
        envelope = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError:
        raise SoapFault("invalidXml", "the request is not well-formed XML") from None
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("notSoap11", "expected a SOAP 1.1 Envelope")
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if not children:
        raise SoapFault("emptyBody", "the SOAP Body holds no request")
    return children[0]


def envelope_response(payload: etree._Element, status: int = 200) -> Response:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "d": NS})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(payload)
    body = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return Response(body, status, media_type=XML_TYPE)


def fault_response(fault: SoapFault) -> Response:
    element = etree.Element(f"{{{SOAP_ENV}}}Fault")
    code = "soap:Server" if fault.server else "soap:Client"
    etree.SubElement(element, "faultcode").text = code
    etree.SubElement(element, "faultstring").text = f"{fault.code}: {fault.message}"
    detail = etree.SubElement(element, "detail")
    dimona = etree.SubElement(detail, f"{{{NS}}}DimonaFault")
    etree.SubElement(dimona, f"{{{NS}}}Code").text = fault.code
    for name, text in fault.issues[:50]:
        issue = etree.SubElement(dimona, f"{{{NS}}}Issue")
        etree.SubElement(issue, f"{{{NS}}}Name").text = name
        etree.SubElement(issue, f"{{{NS}}}Detail").text = text
    response = envelope_response(element, fault.status)
    if fault.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dimona"'
    return response
