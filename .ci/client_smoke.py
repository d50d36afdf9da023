"""A Jobcenter's and the warehouse's first calls, through a client generated from
openapi/openapi.json (openapi-python-client): the Landrat signs, Kassel delivers § 2 (3), HMSI
finds the agreement and exports the facts. Every answer must parse into the generated models.

usage: client_smoke.py <package dir> <base url> <hmsi token> <traeger token>
"""

import sys

sys.path.insert(0, sys.argv[1])

from zv_monitor_client import AuthenticatedClient  # noqa: E402
from zv_monitor_client.api.agreements import find_agreement, list_agreements, sign_agreement  # noqa: E402
from zv_monitor_client.api.exports import export_facts  # noqa: E402
from zv_monitor_client.api.submissions import create_submission, submit_submission  # noqa: E402
from zv_monitor_client.models import (  # noqa: E402
    AgreementPage,
    AgreementResponse,
    BreakdownRequest,
    CreateSubmissionRequest,
    DeliveryResponse,
    ExportFormat,
    FactExport,
    SignatoryRequest,
    SignatureRequest,
    ValueRequest,
)

base, hmsi_token, traeger_token = sys.argv[2:5]
hmsi = AuthenticatedClient(base_url=base, token=hmsi_token, raise_on_unexpected_status=True)
kassel = AuthenticatedClient(base_url=base, token=traeger_token, raise_on_unexpected_status=True)
AGREEMENT = "zv-2023-06633-1"
DEBT = "zv-2023-06633-1.3"


def expect(response, status, model):
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert isinstance(response.parsed, model), type(response.parsed)
    return response.parsed


signature = SignatureRequest(
    signatories=[SignatoryRequest(name="Andreas Siebert", function="Landrat")],
    place="Kassel",
    signed_on="2023-02-10",
)
signed = expect(sign_agreement.sync_detailed(AGREEMENT, client=kassel, body=signature), 200, AgreementResponse)
assert signed.status == "in_force", signed.status

values = [
    ValueRequest(
        indicator="debt_counselling_stock",
        value=412,
        breakdown=[
            BreakdownRequest(
                reporting_body="Schuldner- und Insolvenzberatung der Diakonie Kassel", value=231
            ),
            BreakdownRequest(reporting_body="Schuldnerberatung des Landkreises Kassel", value=181),
        ],
    ),
    ValueRequest(indicator="debt_counselling_stock_sgb2", value=120),
    ValueRequest(indicator="debt_counselling_inflow", value=300),
    ValueRequest(indicator="debt_counselling_inflow_sgb2", value=90),
]
draft = expect(
    create_submission.sync_detailed(
        client=kassel, body=CreateSubmissionRequest(obligation_id=DEBT, values=values)
    ),
    201,
    DeliveryResponse,
)
expect(submit_submission.sync_detailed(draft.submission.id, client=kassel), 200, DeliveryResponse)

page = expect(list_agreements.sync_detailed(client=hmsi, year=2023, traeger="06633"), 200, AgreementPage)
ids = [a.id for a in page.items]
assert AGREEMENT in ids, ids
agreement = expect(find_agreement.sync_detailed(AGREEMENT, client=hmsi), 200, AgreementResponse)
assert agreement.traeger == "06633", agreement.traeger

export = expect(
    export_facts.sync_detailed(client=hmsi, year=2023, traeger="06633", format_=ExportFormat.JSON),
    200,
    FactExport,
)
rows = {(r.indicator, r.reporting_body): r.value for r in export.items}
assert rows[("debt_counselling_stock", None)] == 412, rows
assert rows[("debt_counselling_stock", "Schuldnerberatung des Landkreises Kassel")] == 181, rows
print(f"client smoke: {len(ids)} agreement(s), {len(export.items)} fact(s) of Kassel read through the generated client")
