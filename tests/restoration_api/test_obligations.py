"""Annual restoration plan and report (第六章第二节二): owed each year, met or overdue."""

from datetime import UTC, datetime

from contracts.rights import RightStatusChanged, RightSuspended

from tests.restoration_api.support import deliver, enterprise, grant, published


async def test_the_job_owes_plan_and_report_and_flags_them_overdue(restoration):
    fund = await grant(restoration)
    await grant(restoration, status="closed_by_policy")  # a closed mine owes nothing
    january = datetime(2027, 1, 10, 2, tzinfo=UTC)
    assert await restoration.runtime.run_job("annual_obligations", now=january) == 2
    assert await restoration.runtime.run_job("annual_obligations", now=january) == 0
    due = await published(restoration, "restoration.obligation.due")
    assert {(e["kind"], e["year"], e["deadline"]["due_at"]) for e in due} == {
        ("annual_restoration_plan", 2027, "2027-01-31"),
        ("annual_restoration_report", 2026, "2027-03-31"),
    }
    owed = (
        await restoration.client.get(
            "/obligations", headers=enterprise(restoration, fund["holder_id"])
        )
    ).json()["items"]
    report = next(o for o in owed if o["kind"] == "annual_restoration_report")
    submitted = await restoration.client.post(
        f"/obligations/{report['id']}/submit",
        json={"document_ref": "2026年度矿山地质环境治理年度报告.pdf"},
        headers=enterprise(restoration, fund["holder_id"]),
    )
    assert submitted.status_code == 200, submitted.text
    [met] = await published(restoration, "restoration.obligation.submitted")
    assert met["deadline"]["action"] == "met"

    february = datetime(2027, 2, 1, 2, tzinfo=UTC)
    assert await restoration.runtime.run_job("annual_obligations", now=february) == 1
    [overdue] = await published(restoration, "restoration.obligation.overdue")
    assert overdue["kind"] == "annual_restoration_plan"
    assert overdue["deadline"]["action"] == "overdue"

    stranger = await restoration.client.post(
        f"/obligations/{report['id']}/submit",
        json={"document_ref": "x.pdf"},
        headers=enterprise(restoration, "00000000-0000-0000-0000-000000000001"),
    )
    assert stranger.status_code == 404


async def test_status_events_decide_who_owes(restoration):
    suspended = await grant(restoration)
    closed = await grant(restoration)
    await deliver(
        restoration,
        RightSuspended(
            right_id=suspended["right_id"],
            holder_id=suspended["holder_id"],
            reason="compliance_overdue",
            suspended_at=datetime(2026, 6, 1, tzinfo=UTC),
        ),
    )
    await deliver(
        restoration,
        RightStatusChanged(
            right_id=closed["right_id"],
            holder_id=closed["holder_id"],
            from_status="producing",
            to_status="closed_by_policy",
            changed_at=datetime(2026, 6, 1, tzinfo=UTC),
        ),
    )
    january = datetime(2027, 1, 10, 2, tzinfo=UTC)
    assert await restoration.runtime.run_job("annual_obligations", now=january) == 2
    owed = {e["right_id"] for e in await published(restoration, "restoration.obligation.due")}
    assert owed == {suspended["right_id"]}  # a suspended mine still restores; a closed one not
