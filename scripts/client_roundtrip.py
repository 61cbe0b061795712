"""A round trip with a client generated from the API's own document (openapi-python-client), as
an integrator would make one: open a case, add a person, find them by name, replace the case's
description with the version read, and be refused (412, with the current version) when replacing
it again from the stale one. scripts/api-contract.sh generates the client and runs this.

    python client_roundtrip.py CLIENT_DIR BASE_URL TOKEN
"""

import sys
import uuid

sys.path.insert(0, sys.argv[1])

from antitrata_api_client import AuthenticatedClient  # noqa: E402
from antitrata_api_client.api.cases import add_person, open_case, show_case, update_case  # noqa: E402
from antitrata_api_client.api.persons import search_persons  # noqa: E402
from antitrata_api_client.models import (  # noqa: E402
    CaseInput,
    ExploitationType,
    NewCaseBody,
    NewPersonBody,
    PersonQuery,
    PersonRole,
    Problem,
    RiskLevel,
)


def expect(response, status):
    if response.status_code != status:
        raise SystemExit(
            f"expected {status}, got {response.status_code}: {response.content.decode()}"
        )
    return response.parsed


def main():
    base, token = sys.argv[2], sys.argv[3]
    client = AuthenticatedClient(base_url=base, token=token, headers={"Accept-Language": "en"})

    case_id = uuid.uuid4()
    case = expect(open_case.sync_detailed(client=client, body=NewCaseBody(id=case_id)), 201)
    assert case.id == case_id and case.version == 1, case

    surname = "Roundtrip" + uuid.uuid4().hex[:8]
    person = NewPersonBody(id=uuid.uuid4(), role=PersonRole.VICTIM, name=f"Ana {surname}")
    added = expect(add_person.sync_detailed(case_id, client=client, body=person), 201)
    assert added.name == f"Ana {surname}", added

    found = expect(
        search_persons.sync_detailed(client=client, body=PersonQuery(name=surname)), 200
    )
    assert [hit.id for hit in found.persons] == [person.id], found
    assert found.to_dict().get("next") is None, found

    # Adding the person was a write to the case too: read the version it is at now.
    read = show_case.sync_detailed(case_id, client=client)
    version = expect(read, 200).case.version
    tag = read.headers["etag"]
    assert tag == f'"{version}"', (tag, version)

    first = CaseInput(risk=RiskLevel.HIGH, exploitation_types=[ExploitationType.FORCEDLABOUR])
    updated = update_case.sync_detailed(case_id, client=client, body=first, if_match=tag)
    assert expect(updated, 200).version == version + 1

    second = CaseInput(risk=RiskLevel.LOW)
    stale = update_case.sync_detailed(case_id, client=client, body=second, if_match=tag)
    problem = expect(stale, 412)
    assert isinstance(problem, Problem) and problem.current_version == version + 1, problem
    assert stale.headers["etag"] == f'"{version + 1}"', stale.headers

    now = expect(show_case.sync_detailed(case_id, client=client), 200)
    assert now.case.risk == RiskLevel.HIGH, now.case
    print(
        "generated client round trip: case opened, person added and found, "
        "update with the version read accepted, stale update refused with 412"
    )


main()
