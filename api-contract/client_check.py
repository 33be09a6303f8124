"""What an API user does with a client generated from the OpenAPI document, unchanged:
list the organismes, add a site, record a finding, download the audit's report.

Run by api-contract/run.sh with the generated package importable as `client`:
    python client_check.py BASE_URL TOKEN
"""

import sys
import uuid

from client import AuthenticatedClient
from client.api.audits import get_audit_report, list_audits, list_findings, save_finding
from client.api.frameworks import get_framework
from client.api.organisations import list_organisations
from client.api.sites import create_site
from client.models import FindingPayload, SitePayload


def main(base_url: str, token: str) -> None:
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)

    organisations = list_organisations.sync(client=client)
    assert organisations.total >= 1, organisations
    first = organisations.items[0]
    print(f"{organisations.total} organismes, the first: {first.name}")

    name = f"Résidence {uuid.uuid4().hex[:6]}"
    site = create_site.sync(
        first.id,
        client=client,
        body=SitePayload(
            name=name,
            kind="residence",
            address="1 rue de la Paix",
            postal_code="44000",
            commune="Nantes",
            homes=12,
        ),
    )
    assert site.name == name, site
    print(f"site added: {site.name} ({site.id})")

    audits = list_audits.sync(client=client, state="on_site", per_page=200)
    assert audits.items, "an audit on site to record a finding on"
    audit = audits.items[0]
    framework = get_framework.sync(audit.framework_id, client=client)
    requirement = framework.requirements[0]
    while requirement.children:
        requirement = requirement.children[0]
    findings = list_findings.sync(audit.id, client=client, per_page=200)
    stored = next((f for f in findings.items if f.requirement_ref == requirement.ref), None)
    version = stored.version if stored else 0
    saved = save_finding.sync(
        audit.id,
        requirement.ref,
        client=client,
        body=FindingPayload(
            grade_code=None,
            finding="Constat relevé par un client généré.",
            evidence_seen="Procédure d'accueil, version 3",
            site_ids=[],
            evidence_ids=[],
            version=version,
        ),
    )
    assert saved.finding == "Constat relevé par un client généré.", saved
    print(f"finding saved on {audit.title}, requirement {saved.requirement_ref}")

    report = get_audit_report.sync_detailed(audit.id, client=client)
    assert report.status_code == 200, report.status_code
    assert report.content.startswith(b"%PDF-"), report.content[:16]
    print(f"report downloaded: {len(report.content)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
