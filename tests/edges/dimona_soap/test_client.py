"""``DimonaSoapClient`` against the running sandbox: results, criteria, errors, faults."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapter.core.declarations import Declaration, DeclarationKind
from adapter.core.errors import PermanentError, TransientError, UncertainOutcome
from adapter.core.events import (
    Employer,
    EmploymentNature,
    SmallStatutes,
    SmallStatuteWorkerStatus,
    Worker,
)
from adapter.core.results import DimonaResult
from adapter.edges.dimona_rest.keys import create_key_pair
from adapter.edges.dimona_rest.wire import declaration_to_body
from adapter.edges.dimona_soap import (
    ConsultCriteria,
    DimonaSoapAuthRefused,
    DimonaSoapClient,
    DimonaSoapPermanentError,
    DimonaSoapTransientError,
    DimonaSoapUncertainSubmission,
)
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests import declarations as d
from tests.sandbox import payloads as p
from tests.sandbox.loopback import token_provider

pytestmark = pytest.mark.slow

BAD_SSIN = d.ordinary_in().model_copy(update={"worker": Worker.model_construct(ssin="9005151239X")})
"""Past the core's validation: an INSS the XSD refuses."""
SMALL_STATUTES = d.ordinary_in(
    small_statutes=SmallStatutes(
        employment_nature=EmploymentNature.WORKER, worker_status=SmallStatuteWorkerStatus.F1
    )
)


async def _declare(
    soap: DimonaSoapClient, sandbox: SandboxProcess, declaration: Declaration
) -> int:
    declaration_id = await soap.submit(declaration)
    admin_client.process_now(sandbox.admin_url)
    return declaration_id


async def test_submit_then_read_the_answer(soap: DimonaSoapClient, clean: SandboxProcess) -> None:
    declaration_id = await soap.submit(d.ordinary_in())
    admin_client.update_settings(clean.admin_url, processingDelay=3600)
    pending = await soap.submit(d.flexi_day())
    assert await soap.get_answer(pending) is None  # not processed yet, like REST's 404
    admin_client.update_settings(clean.admin_url, processingDelay=0)
    admin_client.process_now(clean.admin_url)
    answer = await soap.get_answer(declaration_id)
    assert answer is not None
    assert answer.declaration_id == declaration_id
    assert answer.result is DimonaResult.ACCEPTED
    assert answer.period_id is not None
    duplicate = await _declare(soap, clean, d.ordinary_in())
    refused = await soap.get_answer(duplicate)
    assert refused is not None
    assert refused.result is DimonaResult.REFUSED  # a refusal is an answer, not an error
    assert refused.has_anomaly("90373-333")


async def test_consult_by_each_of_the_seven_criteria(
    soap: DimonaSoapClient, clean: SandboxProcess
) -> None:
    ordinary = await _declare(soap, clean, d.ordinary_in())
    agency = await _declare(soap, clean, d.temp_agency(ssin=p.SSIN_2000))
    student = await _declare(soap, clean, d.student())
    now = datetime.now(UTC)
    cases = {
        "declaration number": (ConsultCriteria(declaration_id=agency), {agency}),
        "worker": (ConsultCriteria(worker_ssin=p.SSIN), {ordinary}),
        "employer (NOSS)": (ConsultCriteria(employer_noss=p.NOSS_AGENCY), {agency}),
        "employer (CBE)": (ConsultCriteria(employer_enterprise_number=p.CBE), {student}),
        "reception period": (
            ConsultCriteria(received_from=now - timedelta(hours=1), received_to=now),
            {ordinary, agency, student},
        ),
        "joint committee": (ConsultCriteria(joint_committee="322"), {agency}),
        "worker type": (ConsultCriteria(worker_type="STU"), {student}),
        "user enterprise": (ConsultCriteria(user_enterprise_number=p.USER_CBE), {agency}),
        "nothing received yet": (ConsultCriteria(received_from=now + timedelta(hours=1)), set()),
        "two criteria": (ConsultCriteria(worker_type="STU", worker_ssin=p.SSIN), set()),
    }
    for name, (criteria, expected) in cases.items():
        found = await soap.consult(criteria)
        assert {c.answer.declaration_id for c in found} == expected, name
    [consulted] = await soap.consult(ConsultCriteria(declaration_id=student))
    assert consulted.kind is DeclarationKind.IN
    assert consulted.worker_type == "STU"
    assert consulted.start_date is not None
    assert consulted.end_date is not None
    assert consulted.start_date == d.student().start_date
    assert consulted.received_at is not None
    assert p.SSIN_2000 not in repr(consulted)


async def test_follow_up_declarations_and_reconciliation(
    soap: DimonaSoapClient, clean: SandboxProcess
) -> None:
    first = await _declare(soap, clean, d.ordinary_in())
    answer = await soap.get_answer(first)
    assert answer is not None
    assert answer.period_id is not None
    out = d.out(answer.period_id)
    closing = await _declare(soap, clean, out)
    found = await soap.consult(ConsultCriteria(period_id=answer.period_id))
    assert [(c.answer.declaration_id, c.kind) for c in found] == [
        (first, DeclarationKind.IN),
        (closing, DeclarationKind.OUT),
    ]
    assert found[1].end_date is not None
    items = [i async for i in soap.search_declarations({"employer": {"employerId": p.NOSS}})]
    assert {i["declarationStatus"]["declarationId"] for i in items} == {first, closing}
    assert items[0]["dimonaIn"] == declaration_to_body(d.ordinary_in())["dimonaIn"]
    assert await soap.find_recorded(d.ordinary_in(), exclude=frozenset()) == first
    assert await soap.find_recorded(out, exclude=frozenset()) == closing
    assert await soap.find_recorded(out, exclude=frozenset({closing})) is None


async def test_client_faults_are_permanent(soap: DimonaSoapClient, clean: SandboxProcess) -> None:
    # Built past the core's validation: what the service itself refuses.
    no_employer = d.ordinary_in().model_copy(update={"employer": Employer.model_construct()})
    with pytest.raises(DimonaSoapPermanentError) as info:
        await soap.submit(no_employer)
    assert info.value.fault_code == "schemaViolation"
    assert any("employerId" in issue for issue in info.value.issues)
    assert isinstance(info.value, PermanentError)
    with pytest.raises(DimonaSoapPermanentError) as unsent:
        await soap.submit(SMALL_STATUTES)  # the contract has no place for them: never sent
    assert unsent.value.fault_code is None
    with pytest.raises(DimonaSoapPermanentError) as xsd:
        await soap.submit(BAD_SSIN)  # refused by the XSD
    assert xsd.value.fault_code == "invalidRequest"
    assert xsd.value.issues
    assert "9005151239X" not in f"{xsd.value} {xsd.value.issues}"
    no_committee = d.ordinary_in().model_copy(update={"joint_committee": None})
    with pytest.raises(DimonaSoapPermanentError) as unsent:
        await soap.submit(no_committee)  # refused by zeep: nothing is sent
    assert unsent.value.fault_code is None
    with pytest.raises(DimonaSoapPermanentError):
        [i async for i in soap.search_declarations({})]
    assert admin_client.state(clean.admin_url)["declarations"] == 0


async def test_no_mandate_is_permanent(clean: SandboxProcess, tmp_path: Path) -> None:
    keys = create_key_pair(tmp_path, "self_service_chaman_778_limited")
    admin_client.register_client(
        clean.admin_url, "self_service_chaman_778_limited", keys.certificate.read_text(),
        employers=["100000015"],
    )  # fmt: skip
    tokens = token_provider(clean, keys, "self_service_chaman_778_limited")
    async with DimonaSoapClient(
        endpoint=clean.soap_url, token_provider=tokens, owns_token_provider=True
    ) as limited:
        with pytest.raises(DimonaSoapPermanentError) as info:
            await limited.submit(d.ordinary_in())
        assert info.value.fault_code == "missingPermission"


class RefusedTokens:
    """A token provider whose tokens the service does not know."""

    def __init__(self) -> None:
        self.invalidated: list[str] = []

    async def token(self) -> str:
        return f"unknown-token-{len(self.invalidated)}"

    def invalidate(self, token: str) -> None:
        self.invalidated.append(token)

    async def aclose(self) -> None:
        return None


async def test_a_refused_token_is_refreshed_once_then_fatal(clean: SandboxProcess) -> None:
    tokens = RefusedTokens()
    async with DimonaSoapClient(endpoint=clean.soap_url, token_provider=tokens) as soap:
        with pytest.raises(DimonaSoapAuthRefused):
            await soap.consult(ConsultCriteria(worker_type="OTH"))
    assert tokens.invalidated == ["unknown-token-0", "unknown-token-1"]


async def test_overload_and_server_trouble_are_transient(
    soap: DimonaSoapClient, clean: SandboxProcess
) -> None:
    criteria = ConsultCriteria(worker_type="OTH")
    await soap.consult(criteria)  # fetch the token before the faults are armed
    admin_client.set_faults(
        clean.admin_url, script={"soap": ["503", "429", "500", "reset", "ok"]}, retryAfterSeconds=7
    )
    with pytest.raises(DimonaSoapTransientError) as overload:
        await soap.consult(criteria)
    assert (overload.value.status, overload.value.retry_after) == (503, 7.0)
    with pytest.raises(DimonaSoapTransientError) as throttled:
        await soap.consult(criteria)
    assert throttled.value.status == 429
    with pytest.raises(DimonaSoapTransientError):
        await soap.consult(criteria)
    with pytest.raises(TransientError):
        await soap.consult(criteria)  # a reset of a consultation is safe to repeat
    assert await soap.consult(criteria) == []


@pytest.mark.parametrize("mode", ["reset", "500"])
async def test_a_lost_submission_answer_is_uncertain(
    soap: DimonaSoapClient, clean: SandboxProcess, mode: str
) -> None:
    await soap.consult(ConsultCriteria(worker_type="OTH"))
    admin_client.set_faults(clean.admin_url, script={"soap": ["lost"]}, lostResponseMode=mode)
    with pytest.raises(DimonaSoapUncertainSubmission) as info:
        await soap.submit(d.ordinary_in())
    assert isinstance(info.value, UncertainOutcome)
    admin_client.process_now(clean.admin_url)
    recorded = await soap.find_recorded(d.ordinary_in(), exclude=frozenset())
    assert recorded is not None  # the declaration was recorded: reconcile, do not resubmit


async def test_concurrent_calls_keep_their_own_context(
    soap: DimonaSoapClient, clean: SandboxProcess
) -> None:
    declarations = [d.ordinary_in(start=d.d(3, day)) for day in range(2, 8)]
    ids = await asyncio.gather(*(soap.submit(declaration) for declaration in declarations))
    assert len(set(ids)) == len(declarations)
    admin_client.process_now(clean.admin_url)
    answers = await asyncio.gather(*(soap.get_answer(i) for i in ids))
    assert [a.declaration_id for a in answers if a is not None] == list(ids)
