"""What the evaluation refuses: a peer that does not answer (a 502 naming it, in every media
type, never a partial report), callers without the role, an unknown edition, a year outside the
period."""

import uuid
from contextlib import asynccontextmanager

import pytest
from servicekit.auth import Role

from tests.conftest import in_process
from tests.rights_api.evaluation_support import free_port, listening, rights_with_peers


@asynccontextmanager
async def one_peer_down(databases, down: str):
    """rights-api with ``down`` pointed at a closed port and the other peer answering."""
    up = "greenmine" if down == "restoration" else "restoration"
    async with in_process(databases, up) as peer, listening(peer) as url:
        async with peer.runtime.db.transaction() as session:
            await peer.runtime.spec.seed(session)
        closed = f"http://127.0.0.1:{free_port()}"
        async with rights_with_peers(databases, **{up: url, down: closed}) as rights:
            yield rights


@pytest.mark.parametrize("down", ["restoration", "greenmine"])
async def test_a_peer_down_fails_the_evaluation_naming_it(databases, down):
    async with one_peer_down(databases, down) as rights:
        edition = (await rights.client.get("/plan-editions/current")).json()["id"]
        admin = rights.auth(Role.bureau_admin)
        base = f"/plan-editions/{edition}/evaluations"
        for path, accept in (
            (f"{base}/2023", "application/json"),
            (f"{base}/midterm", "text/html"),
            (f"{base}/period", "application/pdf"),
            (f"{base}/2023.csv", "text/csv"),
        ):
            response = await rights.client.get(path, headers={**admin, "Accept": accept})
            assert response.status_code == 502, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            problem = response.json()
            assert problem["service"] == down
            assert f"The {down} service could not be reached" in problem["detail"]


async def test_who_may_ask_and_what_is_refused(databases):
    # refusals come before any peer is asked: none is running
    async with rights_with_peers(databases) as rights:
        edition = (await rights.client.get("/plan-editions/current")).json()["id"]
        base = f"/plan-editions/{edition}/evaluations"
        enterprise = rights.auth(Role.enterprise, holder_id=str(uuid.uuid4()))
        for path in (f"{base}/2023", f"{base}/midterm", f"{base}/period", f"{base}/2023.csv"):
            anonymous = await rights.client.get(path)
            assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"]
            assert (await rights.client.get(path, headers=enterprise)).status_code == 403
            inspector = rights.auth(Role.inspector)
            assert (await rights.client.get(path, headers=inspector)).status_code == 403
        admin = rights.auth(Role.bureau_admin)
        nowhere = "/plan-editions/00000000-0000-0000-0000-000000000000/evaluations"
        for path in (f"{nowhere}/2023", f"{nowhere}/midterm", f"{nowhere}/period"):
            response = await rights.client.get(path, headers=admin)
            assert response.status_code == 404, path
        for year in ("2020", "2026", "1999"):
            for path in (f"{base}/{year}", f"{base}/{year}.csv"):
                response = await rights.client.get(path, headers=admin)
                assert response.status_code == 422, (path, response.text)
                [error] = response.json()["errors"]
                assert error["field"] == "path.year" and year in error["message"]
        for path in (f"{base}/twenty", f"{base}/2023.pdf"):
            response = await rights.client.get(path, headers=admin)
            assert response.status_code == 422 and "path.year" in response.text, path


async def test_the_docs_show_the_three_media_types_and_2023_as_the_example(rights):
    paths = rights.app.openapi()["paths"]
    base = "/plan-editions/{edition_id}/evaluations"
    for route in (f"{base}/{{year}}", f"{base}/midterm", f"{base}/period"):
        content = paths[route]["get"]["responses"]["200"]["content"]
        assert list(content) == ["application/json", "text/html", "application/pdf"], route
        example = content["application/json"]["example"]
        assert (example["year"], example["as_of"], example["edition_code"]) == (
            2023,
            "2023-12-31",
            "2021-2025",
        )
        assert {"code", "name_zh", "target", "actual", "unit", "attribute", "met",
                "source_service"} <= set(example["indicators"][0])  # fmt: skip
        assert "$ref" in content["application/json"]["schema"]
        assert paths[route]["get"]["responses"]["502"]
    csv_doc = paths[f"{base}/{{year}}.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv_doc) == ["text/csv"]
