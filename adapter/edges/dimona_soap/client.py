"""The Dimona SOAP client: zeep's ``AsyncClient`` on the shipped WSDL, over an injected httpx.

Async, like the REST client. The WSDL and XSD are read from package data (no network), the
endpoint is given (the WSDL's ``soap:address`` is a placeholder). Every call carries a bearer
token from the REST edge's :class:`TokenProvider`; a ``SOA-01001`` fault refreshes it once.
The transport below zeep classifies network failures and non-SOAP answers; zeep turns SOAP
faults into ``zeep.exceptions.Fault``, which ``classify.py`` maps onto the core error tree.
zeep's own transport logging (which would print whole envelopes) is bypassed.

It implements the pipeline's ``DimonaGateway`` port: ``submit`` renders the core declaration as
XML (``wire.py``), ``get_answer`` consults by declaration number, ``find_recorded`` consults by
employer and worker (or period) and matches on the SOAP model (``reconcile.py``).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import httpx
import zeep
import zeep.exceptions
import zeep.helpers
from zeep.proxy import AsyncServiceProxy
from zeep.transports import AsyncTransport
from zeep.wsdl.utils import etree_to_string

from adapter.core.declarations import Declaration
from adapter.core.errors import AdapterError
from adapter.core.results import DeclarationAnswer
from adapter.edges.dimona_rest.classify import TRANSPORT_FAILURES
from adapter.edges.dimona_soap.classify import (
    NotAuthenticated,
    error_for_exception,
    error_for_fault,
    error_for_status,
    is_soap_answer,
)
from adapter.edges.dimona_soap.errors import (
    DimonaSoapAuthRefused,
    DimonaSoapPermanentError,
    DimonaSoapTransientError,
    DimonaSoapUncertainSubmission,
    mask,
)
from adapter.edges.dimona_soap.models import ConsultCriteria, ConsultedDeclaration, consulted
from adapter.edges.dimona_soap.reconcile import consult_criteria, recorded_id
from adapter.edges.dimona_soap.wire import WireError, declaration_to_xml, item_from_xml

WSDL_PATH = Path(__file__).parent / "wsdl" / "dimona.wsdl"
BINDING = "{urn:dimona-adapter:soap:dimona:v1}DimonaBinding"
SUBMIT, CONSULT = "submitDeclaration", "consultDeclarations"
TOO_MANY_RESULTS = 5

# zeep is only partly typed: its untyped callables, once, as Any.
_AsyncClient: Any = zeep.AsyncClient
_AsyncServiceProxy: Any = AsyncServiceProxy
_serialize: Any = zeep.helpers.serialize_object
_to_bytes: Any = etree_to_string

# What the transport needs to know about the call in progress: (bearer token, submission?).
_CALL: contextvars.ContextVar[tuple[str, bool]] = contextvars.ContextVar("dimona_soap_call")


class _Transport(AsyncTransport):
    """zeep's httpx transport, with the token added and failures classified here."""

    def __init__(self, http: httpx.AsyncClient, clock: Callable[[], float]) -> None:
        self._wsdl_http = httpx.Client(transport=httpx.MockTransport(_no_remote_documents))
        init: Any = super().__init__
        init(client=http, wsdl_client=self._wsdl_http)
        self._clock = clock

    async def post_xml(self, address: str, envelope: Any, headers: dict[str, str]) -> Any:
        token, submission = _CALL.get()
        operation = SUBMIT if submission else CONSULT
        try:
            response = await self.client.post(
                address,
                content=_to_bytes(envelope),
                headers={**headers, "Authorization": f"Bearer {token}"},
            )
        except TRANSPORT_FAILURES as exc:
            raise error_for_exception(exc, operation=operation, submission=submission) from None
        if not is_soap_answer(response):
            raise error_for_status(
                response, operation=operation, submission=submission, now=self._clock()
            )
        convert: Any = self.new_response
        return convert(response)


class BearerTokens(Protocol):
    """What the client needs of the REST edge's ``TokenProvider``."""

    async def token(self) -> str: ...

    def invalidate(self, token: str) -> None: ...

    async def aclose(self) -> None: ...


def _xml(declaration: Declaration, operation: str) -> dict[str, Any]:
    try:
        return declaration_to_xml(declaration)
    except WireError as exc:
        raise DimonaSoapPermanentError(f"{operation}: {exc}", operation=operation) from None


def _no_remote_documents(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, text="the WSDL is read from package data only")


class DimonaSoapClient:
    """Submit a declaration and consult declarations over SOAP; same core results as REST."""

    def __init__(
        self,
        *,
        endpoint: str,
        token_provider: BearerTokens,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        clock: Callable[[], float] = time.time,
        owns_token_provider: bool = False,
        wsdl: Path = WSDL_PATH,
    ) -> None:
        self.endpoint = endpoint
        self._tokens = token_provider
        self._owns_tokens = owns_token_provider
        self._http = httpx.AsyncClient(
            transport=transport, timeout=timeout or httpx.Timeout(10.0, connect=5.0)
        )
        self._transport = _Transport(self._http, clock)
        settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
        self._zeep = _AsyncClient(str(wsdl), transport=self._transport, settings=settings)
        self._transport._wsdl_http.close()
        binding = self._zeep.wsdl.bindings[BINDING]
        self._service = _AsyncServiceProxy(self._zeep, binding, address=endpoint)
        self.request_count = 0

    def __repr__(self) -> str:
        return f"DimonaSoapClient(endpoint={self.endpoint!r}, tokens={self._tokens!r})"

    async def __aenter__(self) -> DimonaSoapClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._owns_tokens:
            await self._tokens.aclose()

    # -- operations -----------------------------------------------------------------------

    async def submit(self, declaration: Declaration) -> int:
        """Submit one core declaration; return its declaration id.

        A follow-up without its period id raises ``UnresolvedPeriod``, a declaration the
        contract cannot express ``DimonaSoapPermanentError``: in both cases nothing is sent.
        """
        result = await self._call(SUBMIT, _xml(declaration, SUBMIT), submission=True)
        try:
            return int(result["DeclarationId"])
        except (KeyError, TypeError, ValueError):
            raise DimonaSoapUncertainSubmission(
                f"{SUBMIT}: answer without a readable DeclarationId; reconcile"
            ) from None

    async def consult(self, criteria: ConsultCriteria) -> list[ConsultedDeclaration]:
        """The processed declarations matching every given criterion."""
        return [consulted(d) for d in await self._declarations(criteria)]

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        """The processing result, or ``None`` while the declaration is not processed."""
        found = await self.consult(ConsultCriteria(declaration_id=declaration_id))
        return found[0].answer if found else None

    async def search_declarations(
        self, criteria: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        """REST v2-shaped items (``declarationStatus``, ``dimonaIn``...), as the REST search."""
        try:
            wanted = ConsultCriteria.from_search_filter(criteria)
        except ValueError as exc:
            raise DimonaSoapPermanentError(
                f"{CONSULT}: criteria: {mask(str(exc))}", operation=CONSULT
            ) from None
        for declaration in await self._declarations(wanted):
            yield item_from_xml(declaration)

    async def find_recorded(
        self, declaration: Declaration, *, exclude: frozenset[int]
    ) -> int | None:
        """The id ONSS recorded for this declaration (one not in ``exclude``), or None.

        Only processed declarations are consulted: an id found here has an answer.
        """
        wanted = _xml(declaration, CONSULT)
        try:
            criteria = consult_criteria(declaration)
        except ValueError as exc:
            raise DimonaSoapPermanentError(
                f"{CONSULT}: criteria: {mask(str(exc))}", operation=CONSULT
            ) from None
        return recorded_id(await self._declarations(criteria), wanted, exclude)

    # -- plumbing -------------------------------------------------------------------------

    async def _declarations(self, criteria: ConsultCriteria) -> list[dict[str, Any]]:
        result = await self._call(CONSULT, criteria.to_xml(), submission=False)
        if result.get("ResultCodeResearch") == TOO_MANY_RESULTS:
            raise DimonaSoapPermanentError(
                f"{CONSULT}: too many results, narrow the criteria",
                fault_code="tooManyResults",
                operation=CONSULT,
            )
        declarations: list[dict[str, Any]] = result.get("Declaration") or []
        return declarations

    async def _call(
        self, operation: str, arguments: dict[str, Any], *, submission: bool
    ) -> dict[str, Any]:
        for attempt in (1, 2):
            token = await self._tokens.token()
            try:
                return await self._once(operation, arguments, token, submission)
            except NotAuthenticated:
                self._tokens.invalidate(token)
                if attempt == 2:
                    raise DimonaSoapAuthRefused(
                        f"{operation}: the service refuses a fresh token (SOA-01001)",
                        fault_code="SOA-01001",
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self, operation: str, arguments: dict[str, Any], token: str, submission: bool
    ) -> dict[str, Any]:
        reset = _CALL.set((token, submission))
        self.request_count += 1
        try:
            result = await getattr(self._service, operation)(**arguments)
        except zeep.exceptions.Fault as fault:
            raise error_for_fault(
                fault.code, fault.message, fault.detail, operation=operation
            ) from None
        except (zeep.exceptions.ValidationError, TypeError) as exc:
            # zeep refused to build the message: nothing was sent.
            raise DimonaSoapPermanentError(
                f"{operation}: {mask(str(exc))}", operation=operation
            ) from None
        except (zeep.exceptions.TransportError, zeep.exceptions.XMLSyntaxError) as exc:
            if submission:
                raise DimonaSoapUncertainSubmission(
                    f"{operation}: unreadable answer ({type(exc).__name__}); reconcile"
                ) from None
            raise DimonaSoapTransientError(
                f"{operation}: unreadable answer ({type(exc).__name__})", operation=operation
            ) from None
        except AdapterError:
            raise
        finally:
            _CALL.reset(reset)
        serialised: dict[str, Any] = _serialize(result, dict)
        return serialised
