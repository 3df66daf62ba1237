"""rights-api with the seed and holder A's objects: a right with a licensed boundary, an
application, a filing with an attachment, an inspection with a photo, a compliance order."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from contracts.deadline import Audience, Deadline
from contracts.mining import RightKind, RightStatus
from contracts.rights import FilingOverdue
from devkit.testing import RunningService
from rights_api.corners.schemas import EXAMPLE_TEXT
from rights_api.integrity import service as integrity
from rights_api.plan.edition_2021_2025 import edition
from rights_api.rights.models import Right
from servicekit import clock, workdays
from servicekit.events.envelope import CloudEvent
from sqlalchemy import text

from tests.rights_api.offerings_support import offering_body, on
from tests.rights_api.operations_support import INSIDE, JPEG, PDF, make_right
from tests.rights_api.support import BLANK, holder, load_edition, mining_request
from tests.samples import credit_code
from tests.security.harness import Call, World
from tests.security.matrix import ENT_A
from tests.security.worlds.common import new_id, shared_calls, shared_params

JUNE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
OWN_LAYERS = "zones,planned_blocks,prohibited_areas,rights"


def inspection(right_id: str) -> dict:
    return {
        "right_id": right_id,
        "inspected_at": "2026-06-12T10:30:00+08:00",
        "inspector_name": "巴特尔",
        "working_face": [INSIDE],
        "findings": "东帮采场作业面，挖掘机2台。",
    }


async def build(service: RunningService) -> World:
    await load_edition(service)  # the plan alone: the seeded mines would fill its caps
    a, b = await holder(service, 901), await holder(service, 902)
    world = World(service, holder_a=a, holder_b=b)
    admin = world.headers("bureau_admin")
    owner = world.headers("enterprise_a")
    client = service.client

    right = str((await make_right(service, 77, holder_id=a)).id)
    application = await client.post("/applications", json=mining_request(a), headers=owner)
    assert application.status_code == 201, application.text
    to_reject = await client.post(
        "/applications", json=mining_request(a, at=(111.70, 43.56)), headers=owner
    )
    assert to_reject.status_code == 201, to_reject.text

    assert await service.runtime.run_job("filing_obligations", now=JUNE)
    filings = await client.get("/filings", params={"right_id": right}, headers=admin)
    filing = filings.json()["items"][0]["id"]
    attached = await client.post(
        f"/filings/{filing}/attachments",
        files={"file": ("采掘计划图.pdf", PDF, "application/pdf")},
        data={"purpose": "plan_map"},
        headers=owner,
    )
    assert attached.status_code == 201, attached.text

    inspection_id = new_id()
    inspector = world.headers("inspector")
    recorded = await client.put(
        f"/inspections/{inspection_id}", json=inspection(right), headers=inspector
    )
    assert recorded.status_code == 201, recorded.text
    photo = await client.post(
        f"/inspections/{inspection_id}/photos",
        files={"file": ("IMG_0001.jpg", JPEG, "image/jpeg")},
        headers=inspector,
    )
    assert photo.status_code == 201, photo.text

    order = await client.post(
        "/compliance-orders",
        json={
            "right_id": right,
            "inspection_id": inspection_id,
            "violation": "out_of_bounds_mining",
            "description": "东帮采掘工作面越出采矿许可范围约30米，责令限期退回。",
            "due_on": "2026-12-15",
        },
        headers=world.headers("bureau_reviewer"),
    )
    assert order.status_code == 201, order.text

    offerings = await _offerings(service, admin, a)
    # a filed mortgage on the right, and a right of holder A for each of the bureau's actions
    mortgage_filing = await client.post(
        "/applications",
        json={
            "kind": "mortgage_filing",
            "right_id": right,
            "reason": "流动资金贷款抵押",
            "mortgagee": "中国农业银行二连浩特市支行",
            "amount_yuan": "1200000.00",
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
        },
        headers=owner,
    )
    assert mortgage_filing.status_code == 201, mortgage_filing.text
    approved = await client.post(
        f"/applications/{mortgage_filing.json()['id']}/approve",
        json={"reason": "准予备案"},
        headers=world.headers("bureau_reviewer"),
    )
    assert approved.status_code == 200, approved.text
    mortgages = await client.get(f"/rights/{right}/mortgages", headers=admin)
    mortgage = mortgages.json()["items"][0]["id"]
    # (exploration rights: granite mining rights would fill the plan's caps for the filing)
    spare = {"holder_id": a, "kind": RightKind.exploration}
    to_suspend = str((await make_right(service, 78, **spare)).id)
    to_resume = str((await make_right(service, 79, **spare, status=RightStatus.suspended)).id)
    to_revoke = str((await make_right(service, 80, **spare)).id)
    to_close = str((await make_right(service, 81, **spare)).id)
    # a mining right with no scale on record: below the minimum scale (a conformance finding)
    small = str((await make_right(service, 82, holder_id=a)).id)

    # holder A's three-rates report and the bureau's verification of 2024 (the calls file 2025's)
    report = await client.post("/utilisation-reports", json=_rates(right, 2024), headers=owner)
    assert report.status_code == 201, report.text
    check = await client.post("/reserve-checks", json=_check(right, 2024), headers=admin)
    assert check.status_code == 201, check.text
    draw_id, entry_id = await _supervision(service, admin, right)
    assignment = await client.post(
        "/inspector-assignments", json={"inspector": "inspector", "right_id": right}, headers=admin
    )
    assert assignment.status_code == 201, assignment.text

    current = (await client.get("/plan-editions/current")).json()
    world.params = {
        **await shared_params(service),
        "edition_id": current["id"],
        "code": "SCJ001",
        "holder_id": a,
        "right_id": right,
        "application_id": application.json()["id"],
        "filing_id": filing,
        "sha256": attached.json()["sha256"],
        "inspection_id": inspection_id,
        "order_id": order.json()["id"],
        "offering_id": offerings["open"],
        "mortgage_id": mortgage,
        "report_id": report.json()["id"],
        "check_id": check.json()["id"],
        "draw_id": draw_id,
        "entry_id": entry_id,
        "assignment_id": assignment.json()["id"],
        "collection_id": "rights",
        "feature_id": right,
    }
    world.secrets = {
        ENT_A: {
            a,
            right,
            application.json()["id"],
            filing,
            inspection_id,
            order.json()["id"],
            mortgage,
            report.json()["id"],
            check.json()["id"],
        }
    }

    next_edition = edition().model_dump(mode="json") | {
        "code": "2031-2035",
        "title": "二连浩特市矿产资源总体规划（2031-2035年）",
        "period_start": "2031-01-01",
        "period_end": "2035-12-31",
        "effective_from": "2031-01-01",
    }
    serials = iter(range(903, 999))
    drafted = await client.post(
        f"/plan-editions/{current['id']}/drafts",
        json={"code": "2036-2040", "period_start": "2036-01-01", "period_end": "2040-12-31"},
        headers=admin,
    )
    assert drafted.status_code == 201, drafted.text
    next_draft = drafted.json()["id"]
    world.filters = {"holder_id": a, "right_id": right}
    world.calls = {
        **shared_calls("filing_obligations"),
        "POST /plan-editions": Call(json=next_edition),
        # a published edition takes adjustments in place (its title only through a new draft)
        "PATCH /plan-editions/{edition_id}": Call(
            json={"market_grant": current["market_grant"]},
            etag_from="/plan-editions/{edition_id}",
        ),
        "POST /plan-editions/{edition_id}/drafts": lambda _: Call(
            json={"code": f"draft-{next(serials)}"}
        ),
        "POST /plan-editions/{edition_id}/publish": Call(
            path={"edition_id": next_draft}, json={"effective_from": "2036-01-01"}
        ),
        "GET /plan-editions/{edition_id}/diff/{other_id}": Call(path={"other_id": next_draft}),
        "POST /holders": lambda _: Call(
            json={"credit_code": credit_code(next(serials)), "name": "新登记矿业"}
        ),
        "PATCH /holders/{holder_id}": Call(
            json={"contact_phone": "0479-7512345"}, etag_from="/holders/{holder_id}"
        ),
        "POST /rights": Call(json=_new_right(a)),
        "POST /rights/corners/parse": Call(
            content=EXAMPLE_TEXT.encode(), headers={"Content-Type": "text/plain"}
        ),
        "POST /applications/check": Call(json=mining_request(a, at=BLANK)),
        "POST /applications": Call(json=mining_request(a, at=(111.70, 43.56))),
        "POST /applications/{application_id}/approve": Call(json={"reason": "符合规划准入条件"}),
        "POST /applications/{application_id}/reject": Call(
            path={"application_id": to_reject.json()["id"]}, json={"reason": "材料不全"}
        ),
        "POST /filings/{filing_id}/attachments": Call(
            files={"file": ("年度报告.pdf", PDF + b"%report", "application/pdf")},
            data={"purpose": "report"},
        ),
        "POST /filings/{filing_id}/submit": Call(
            json={"summary": "2027年计划开采花岗岩5.8万立方米。", "figures": {"output": "5.8"}}
        ),
        "PUT /inspections/{inspection_id}": Call(
            path={"inspection_id": new_id()}, json=inspection(right)
        ),
        "GET /inspections/{inspection_id}/photos/{sha256}": Call(
            path={"sha256": photo.json()["sha256"]}
        ),
        "POST /inspections/{inspection_id}/photos": Call(
            files={"file": ("IMG_0002.jpg", JPEG + b"2", "image/jpeg")}
        ),
        "POST /compliance-orders": Call(
            json={
                "right_id": right,
                "violation": "unsafe_slope",
                "description": "西帮边坡存在安全隐患，责令限期治理。",
                "due_on": "2026-12-20",
            }
        ),
        "POST /compliance-orders/{order_id}/resolve": Call(
            json={"resolution": "已退回矿区范围内作业，经复查合格。"}
        ),
        "POST /grant-offerings": Call(json=offering_body("KQ-05")),
        "POST /grant-offerings/{offering_id}/announce": Call(
            path={"offering_id": offerings["draft"]},
            json={"notice_from": clock.local_today().isoformat()},
        ),
        "POST /grant-offerings/{offering_id}/bidders": Call(json={"holder_id": a}),
        # a listing: each allowed caller in turn bids higher (enterprise A first)
        "POST /grant-offerings/{offering_id}/bids": lambda principal: Call(
            json={"holder_id": a, "amount_yuan": BIDS.get(principal, "1300000.00")}
        ),
        "POST /grant-offerings/{offering_id}/close": Call(path={"offering_id": offerings["ended"]}),
        "POST /grant-offerings/{offering_id}/result": Call(
            path={"offering_id": offerings["sold"]},
            json={
                "holder_id": a,
                "price_yuan": "1380000.00",
                "decided_on": "2026-10-30",
                "reference": "EHPRC-KC-2026-017",
                "notice_from": "2026-09-14",
            },
        ),
        "POST /grant-offerings/{offering_id}/withdraw": Call(
            path={"offering_id": offerings["draft"]}, json={"reason": "区块范围需调整"}
        ),
        "POST /rights/{right_id}/mortgages/{mortgage_id}/release": Call(
            json={"reason": "借款已清偿，抵押权人出具解除抵押证明。"}
        ),
        "POST /rights/{right_id}/suspend": Call(
            path={"right_id": to_suspend}, json={"reason": "边坡安全隐患，停产整治"}
        ),
        "POST /rights/{right_id}/resume": Call(
            path={"right_id": to_resume}, json={"reason": "复产验收合格"}
        ),
        "POST /rights/{right_id}/revoke": Call(
            path={"right_id": to_revoke}, json={"reason": "越界开采拒不停止，吊销采矿许可证"}
        ),
        "POST /plan-editions/{edition_id}/conformance/actions": Call(
            json={"right_id": small, "rule": "below_min_scale"}
        ),
        "POST /utilisation-reports": Call(json=_rates(right, 2025)),
        "GET /utilisation": Call(params={"year": "2025"}),
        # restoration-api is not running here: the layers rights-api owns
        "GET /plan-editions/{edition_id}/export.gpkg": Call(params={"layers": OWN_LAYERS}),
        "GET /plan-editions/{edition_id}/export.shp.zip": Call(params={"layers": OWN_LAYERS}),
        "GET /utilisation.csv": Call(params={"year": "2025"}),
        "POST /reserve-checks": Call(json=_check(right, 2025)),
        "POST /patrol-professionals": Call(json=PROFESSIONAL),
        "POST /patrol-draws": Call(
            json={"year": 2026, "sample_size": 1, "professionals_per_mine": 1, "seed": "矩阵"}
        ),
        "POST /integrity/entries/{entry_id}/corrections": Call(
            json={"reason": "纸质报送已于期限内备案，系统补录"}
        ),
        # offline sync (issue 20): each bureau caller assigns to an inspector of its own
        "POST /inspector-assignments": lambda principal: Call(
            json={"inspector": f"{principal}-field", "right_id": right}
        ),
        "PATCH /inspections/{inspection_id}": Call(
            json={"base_version": 1, "findings": "东帮采场作业面，挖掘机2台；补记排土场裂缝。"}
        ),
        "POST /inspections/{inspection_id}/photo-uploads": Call(
            headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(len(JPEG))}
        ),
        # an allowed caller continues an upload it started; the refused try the inspector's
        "PATCH /photo-uploads/{upload_id}": lambda principal: _tus_chunk(
            world, principal, inspection_id
        ),
        "GET /plan-editions/{edition_id}/evaluations/{year}.csv": Call(path={"year": "2023"}),
        "GET /plan-editions/{edition_id}/evaluations/{year}": Call(path={"year": "2023"}),
        "PUT /plan-editions/{edition_id}/indicator-owners/{code}": Call(
            path={"code": "green_mines"},
            json={"unit": "二连浩特市自然资源局矿产资源管理科", "person": "张伟"},
        ),
        "POST /rights/{right_id}/policy-close": Call(
            path={"right_id": to_close},
            json={"reason": "资源量接近枯竭，政策性关闭", "clause": "第五章第二节"},
        ),
    }
    return world


async def _tus_chunk(world: World, principal: str, inspection_id: str) -> Call:
    """The whole photo as one tus chunk, on a fresh upload of ``principal`` (when it may start
    one) or of the inspector."""
    starter = principal if principal in ("bureau_admin", "bureau_reviewer") else "inspector"
    created = await world.service.client.post(
        f"/inspections/{inspection_id}/photo-uploads",
        headers={
            **world.headers(starter),
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(JPEG)),
        },
    )
    assert created.status_code == 201, created.text
    return Call(
        path={"upload_id": created.headers["location"].rsplit("/", 1)[1]},
        content=JPEG,
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )


PROFESSIONAL = {
    "name": "张建国",
    "organisation": "内蒙古自治区第二地质矿产勘查开发院",
    "speciality": "采矿工程",
}


async def _supervision(service: RunningService, admin: dict, right: str) -> tuple[str, str]:
    """A hired professional and a patrol draw; an integrity entry of holder A (an overdue
    filing, as the consumer records it)."""
    added = await service.client.post("/patrol-professionals", json=PROFESSIONAL, headers=admin)
    assert added.status_code == 201, added.text
    drawn = await service.client.post(
        "/patrol-draws",
        json={"year": 2026, "sample_size": 1, "professionals_per_mine": 1, "seed": "world"},
        headers=admin,
    )
    assert drawn.status_code == 201, drawn.text
    async with service.runtime.db.transaction() as session:
        mine = await session.get(Right, UUID(right))
        payload = FilingOverdue(
            filing_id=uuid4(),
            right_id=mine.id,
            holder_id=mine.holder_id,
            kind="annual_mining_plan",
            year=2026,
            deadline=Deadline(
                id=f"rights.filing.{uuid4()}",
                kind="annual_mining_plan",
                due_at=date(2026, 12, 31),
                subject=right,
                audience=Audience(holder_id=str(mine.holder_id)),
                title_zh="2027年度采掘计划报送",
            ),
        )
        event = CloudEvent(
            type=payload.event_type,
            source="/services/rights",
            data=payload.model_dump(mode="json"),
            subject=right,
        )
        await integrity.record_event(session=session, event=event, payload=payload)
        entry = await session.scalar(text("SELECT id FROM integrity_entries"))
    return drawn.json()["id"], str(entry)


BIDS = {"enterprise_a": "1300000.00", "bureau_admin": "1400000.00", "bureau_reviewer": "1500000.00"}


async def _offerings(service: RunningService, admin: dict, holder_a: str) -> dict[str, str]:
    """Market grant offerings in every state the operations need: a listing whose bidding is
    open today, one whose bidding has ended, a draft to announce and withdraw, a draft whose
    sale the trading centre ran. Rights granted during the run (POST /rights, an approval) and
    these offerings would fill the plan's caps, which the offerings' rules enforce: this world's
    edition is given room (the caps themselves are tested in tests/rights_api/test_offerings)."""
    client = service.client
    current = await client.get("/plan-editions/current")
    roomy = current.json()
    for cap in roomy["mine_caps"]:
        cap["max_mines"], cap["max_output"] = 50, None
    patched = await client.patch(
        f"/plan-editions/{roomy['id']}",
        json={
            "small_mine_cap": {**roomy["small_mine_cap"], "max_mines": 50},
            "mine_caps": roomy["mine_caps"],
        },
        headers={**admin, "If-Match": current.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    today = clock.local_today()
    async with service.runtime.db.transaction() as session:
        open_from = None
        for back in range(20, 80):
            start = today - timedelta(days=back)
            notice_until = await workdays.add_workdays(session, start, 20)
            bidding_from = await workdays.add_workdays(session, notice_until, 1)
            bidding_until = await workdays.add_workdays(session, bidding_from, 9)
            if bidding_from <= today <= bidding_until:
                open_from = start
                break
        assert open_from is not None
    made = {}
    for name, block, notice_from in (
        ("open", "KQ-03", open_from),
        ("ended", "KQ-04", today - timedelta(days=150)),
        ("draft", "KQ-01", None),
        ("sold", "KQ-02", None),
    ):
        response = await client.post("/grant-offerings", json=offering_body(block), headers=admin)
        assert response.status_code == 201, response.text
        made[name] = response.json()["id"]
        if notice_from is not None:
            with on(notice_from):
                announced = await client.post(
                    f"/grant-offerings/{made[name]}/announce",
                    json={"notice_from": notice_from.isoformat()},
                    headers=admin,
                )
            assert announced.status_code == 200, announced.text
    return made


def _new_right(holder_id: str) -> dict:
    from rights_api.geometry import square

    return {
        "licence_no": "C1525012019000000000999",
        "kind": "mining",
        "holder_id": holder_id,
        "mine_name": "测试建筑用花岗岩矿",
        "mineral": "construction_granite",
        "area_km2": "0.0500",
        "status": "producing",
        "valid_from": "2019-01-01",
        "valid_to": "2029-12-31",
        "licensing_level": "city",
        "scale": {"value": "6", "unit": "10k_m3_per_year"},
        "boundary": square(111.60, 43.72, 0.05),
    }


def _rates(right_id: str, year: int) -> dict:
    """A granite mine's three rates 三率 for ``year``."""
    return {
        "right_id": right_id,
        "year": year,
        "ore_mined_t": "154000",
        "mining_recovery_pct": "93.5",
        "waste_rock_t": "0",
        "waste_rock_reused_t": "0",
    }


def _check(right_id: str, year: int) -> dict:
    """The bureau's annual reserve verification 年度资源储量动态核查 of ``year``."""
    return {
        "right_id": right_id,
        "year": year,
        "unit": "m3",
        "planned_volume": "60000",
        "mined_volume": "58200",
        "within_planned_faces": True,
        "reserves_consumed": "61300",
        "reserves_remaining": "412000",
        "checked_by": ["巴特尔（地质工程师）"],
        "checked_on": "2026-03-18",
        "result": "pass",
    }
