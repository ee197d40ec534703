"""The SOAP endpoint as a plain ASGI app: ``GET ?wsdl``, ``GET ?xsd=dimona.xsd``, ``POST``.

A plain ASGI class (no router of its own) so that it answers on ``/SOAP/dimona`` itself as well
as below it, and so that ``scope["app"]`` stays the sandbox app, whose state holds the OAuth
server that checks the bearer token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, cast

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from adapter.sandbox.models import Client
from adapter.sandbox.oauth import CONSULT, DECLARANT, OAuthServer
from adapter.sandbox.problems import origin
from adapter.sandbox.service import SandboxService
from adapter.sandbox.soap import operations
from adapter.sandbox.soap.contract import NS, XSD_NAME, schema, wsdl_for, xsd_bytes
from adapter.sandbox.soap.envelope import (
    MAX_BODY_BYTES,
    XML_TYPE,
    SoapFault,
    envelope_response,
    fault_response,
    payload_of,
    redact,
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

log = logging.getLogger(__name__)

NOT_AUTHENTICATED = "SOA-01001"
"""The platform's fault string for "Service call not authenticated" (context note §1.4)."""

_SCOPES = {"SubmitDeclarationRequest": DECLARANT, "ConsultDeclarationsRequest": CONSULT}


class SoapApp:
    def __init__(self, service: SandboxService) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self._document(request)
        if request.method != "POST":
            return Response("method not allowed", 405, {"Allow": "GET, POST"})
        try:
            return envelope_response(await self._operate(request))
        except SoapFault as fault:
            return fault_response(fault)
        except Exception:
            log.exception("soap.internal_error")
            return fault_response(SoapFault("internalError", "sandbox error", server=True))

    @staticmethod
    def _document(request: Request) -> Response:
        url = origin(request) + request.url.path.rstrip("/")
        if "wsdl" in request.query_params:
            return Response(wsdl_for(url), media_type=XML_TYPE)
        if request.query_params.get("xsd") == XSD_NAME:
            return Response(xsd_bytes(), media_type=XML_TYPE)
        return Response("use ?wsdl or POST a SOAP 1.1 envelope", 404)

    async def _operate(self, request: Request) -> etree._Element:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise SoapFault("requestTooLarge", f"the request exceeds {MAX_BODY_BYTES} bytes")
        payload = payload_of(raw)
        name = etree.QName(payload).localname
        if etree.QName(payload).namespace != NS or name not in _SCOPES:
            raise SoapFault("unknownOperation", "no such operation in this service")
        client = self._authorise(request, _SCOPES[name])
        validator = schema()
        if not validator.validate(payload):
            errors = cast("Iterable[etree._LogEntry]", validator.error_log)
            issues = [(error.path or "$", redact(error.message)) for error in errors]
            raise SoapFault("invalidRequest", "the request does not match the XSD", issues=issues)
        if name == "SubmitDeclarationRequest":
            return await operations.submit(self.service, client, payload)
        return operations.consult(self.service, client, payload)

    def _authorise(self, request: Request, scope: str) -> Client:
        oauth = _oauth_of(request)
        if oauth is None:
            raise SoapFault("noOAuthServer", "no OAuth server to check tokens", server=True)
        access, verdict = oauth.check(request.headers.get("authorization"), scope)
        if verdict in ("missing", "invalid", "expired") or access is None:
            raise SoapFault(NOT_AUTHENTICATED, f"Service call not authenticated ({verdict})")
        if verdict == "scope":
            raise SoapFault("missingScope", f"this operation needs {scope}")
        client = self.service.client(access.client_id)
        if client is None:
            raise SoapFault(NOT_AUTHENTICATED, "Service call not authenticated (unknown client)")
        return client


def _oauth_of(request: Request) -> OAuthServer | None:
    app = request.scope.get("app")
    context = getattr(getattr(app, "state", None), "sandbox", None)
    oauth = getattr(context, "oauth", None)
    return oauth if isinstance(oauth, OAuthServer) else None


def build_soap_app(service: SandboxService) -> SoapApp:
    return SoapApp(service)
