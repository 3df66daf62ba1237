"""rights-api. Enterprise A owns the holder, right, application, filing, inspection and order of
the world; enterprise B is another holder. Evaluators have no business here."""

from tests.security.matrix import (
    ADMIN,
    ADMIN_ONLY,
    BUREAU,
    ENT_A,
    ENTERPRISES,
    GOV,
    INSPECTOR,
    PUBLIC,
    allow,
)
from tests.security.matrix.shared import SHARED

READERS = (*BUREAU, INSPECTOR, GOV)  # staff who read every holder's file

MATRIX = {
    **SHARED,
    # the plan is published
    "GET /plan-editions": PUBLIC,
    "POST /plan-editions": ADMIN_ONLY,
    "GET /plan-editions/current": PUBLIC,
    "GET /plan-editions/{edition_id}": PUBLIC,
    "PATCH /plan-editions/{edition_id}": ADMIN_ONLY,
    # the next edition: drafted by the admin, compared and its impact seen by bureau staff
    "POST /plan-editions/{edition_id}/drafts": ADMIN_ONLY,
    "POST /plan-editions/{edition_id}/publish": allow(ADMIN, also={409}),
    "GET /plan-editions/{edition_id}/diff/{other_id}": allow(BUREAU),
    "GET /plan-editions/{edition_id}/impact": allow(BUREAU),
    "GET /zones": PUBLIC,
    "GET /zones/{code}": PUBLIC,
    # holders
    "POST /holders": allow(BUREAU),
    "GET /holders": allow(READERS, ENTERPRISES, scoped=True),
    # a holder is a registered company (public in the national credit system): naming
    # another one is refused, not hidden
    "GET /holders/{holder_id}": allow(READERS, ENT_A, other=403),
    "PATCH /holders/{holder_id}": allow(BUREAU, ENT_A, other=403),
    # the register
    "POST /rights": ADMIN_ONLY,
    "GET /rights": allow(READERS, ENTERPRISES, scoped=True),
    "GET /rights.geojson": allow(READERS, ENTERPRISES, scoped=True),
    "GET /rights/{right_id}": allow(READERS, ENT_A, other=404),
    "GET /rights/{right_id}/history": allow(READERS, ENT_A, other=404),
    # corner files 拐点坐标: the right's as GET /rights/{id}; reading a file is for those who
    # read the register
    "GET /rights/{right_id}/corners.txt": allow(READERS, ENT_A, other=404),
    "POST /rights/corners/parse": allow(READERS, ENTERPRISES),
    # applications: the body names holder A, so B is refused with 403
    "POST /applications/check": allow(BUREAU, ENT_A, other=403),
    "POST /applications": allow(BUREAU, ENT_A, other=403),
    "GET /applications": allow(BUREAU, GOV, ENTERPRISES, scoped=True),
    "GET /applications/{application_id}": allow(BUREAU, GOV, ENT_A, other=404),
    "POST /applications/{application_id}/approve": allow(BUREAU, also={409}),
    "POST /applications/{application_id}/reject": allow(BUREAU, also={409}),
    "GET /indicators": allow(READERS),
    # annual filings: the holder files, staff read
    "GET /filings": allow(READERS, ENTERPRISES, scoped=True),
    "GET /filings/{filing_id}": allow(READERS, ENT_A, other=404),
    "POST /filings/{filing_id}/attachments": allow(ENT_A, other=404),
    "GET /filings/{filing_id}/attachments/{sha256}": allow(READERS, ENT_A, other=404),
    "POST /filings/{filing_id}/submit": allow(ENT_A, other=404),
    # site inspections: inspectors record, the inspected holder reads
    "PUT /inspections/{inspection_id}": allow(INSPECTOR),
    "GET /inspections": allow(READERS, ENTERPRISES, scoped=True),
    "GET /inspections/{inspection_id}": allow(READERS, ENT_A, other=404),
    "POST /inspections/{inspection_id}/photos": allow(INSPECTOR),
    "GET /inspections/{inspection_id}/photos/{sha256}": allow(READERS, ENT_A, other=404),
    # offline sync (issue 20): only the recording inspector edits; a resumable upload is started
    # by the recording inspector or the bureau and continued only by whoever started it (the
    # world gives each allowed caller an upload of its own; another's is a 404: test_sync_uploads)
    "PATCH /inspections/{inspection_id}": allow(INSPECTOR),
    "POST /inspections/{inspection_id}/photo-uploads": allow(BUREAU, INSPECTOR),
    "PATCH /photo-uploads/{upload_id}": allow(BUREAU, INSPECTOR),
    "GET /sync": allow(BUREAU, INSPECTOR),
    "POST /inspector-assignments": allow(BUREAU),
    "GET /inspector-assignments": allow(BUREAU, INSPECTOR),
    "POST /inspector-assignments/{assignment_id}/end": allow(BUREAU, also={409}),
    # compliance orders
    "POST /compliance-orders": allow(BUREAU),
    "GET /compliance-orders": allow(READERS, ENTERPRISES, scoped=True),
    "GET /compliance-orders/{order_id}": allow(READERS, ENT_A, other=404),
    "POST /compliance-orders/{order_id}/resolve": allow(BUREAU, also={409}),
    # market grant: the bureau runs it; published offerings and bids are read by every reader
    # (a tender's others' bids are sealed inside the answer); an enterprise bids for itself only
    "POST /grant-offerings": allow(BUREAU, also={409}),
    "GET /grant-offerings": allow(READERS, ENTERPRISES),
    "GET /grant-offerings/{offering_id}": allow(READERS, ENTERPRISES),
    "POST /grant-offerings/{offering_id}/announce": allow(BUREAU, also={409}),
    "POST /grant-offerings/{offering_id}/bidders": allow(BUREAU, also={409}),
    "POST /grant-offerings/{offering_id}/bids": allow(BUREAU, ENT_A, other=403, also={409}),
    "GET /grant-offerings/{offering_id}/bids": allow(READERS, ENTERPRISES),
    "POST /grant-offerings/{offering_id}/close": allow(BUREAU, also={409}),
    "POST /grant-offerings/{offering_id}/result": allow(BUREAU, also={409}),
    "POST /grant-offerings/{offering_id}/withdraw": allow(BUREAU, also={409}),
    # mortgages (抵押备案 / 解除) and the bureau's own actions on a right (issue 17)
    "GET /rights/{right_id}/mortgages": allow(READERS, ENT_A, other=404),
    "POST /rights/{right_id}/mortgages/{mortgage_id}/release": allow(BUREAU, also={409}),
    "POST /rights/{right_id}/suspend": allow(BUREAU, also={409}),
    "POST /rights/{right_id}/resume": allow(BUREAU, also={409}),
    "POST /rights/{right_id}/revoke": allow(BUREAU, also={409}),
    "POST /rights/{right_id}/policy-close": allow(BUREAU, also={409}),
    # existing rights against the plan: the bureau's own working list
    "GET /plan-editions/{edition_id}/conformance": allow(BUREAU),
    "POST /plan-editions/{edition_id}/conformance/actions": allow(BUREAU),
    # three rates 三率 (issue 18, part D): the holder files for its own rights (another
    # holder's right is 404), the bureau for any; officials read all, enterprises their own
    "POST /utilisation-reports": allow(BUREAU, ENT_A, other=404, also={409}),
    "GET /utilisation-reports": allow(READERS, ENTERPRISES, scoped=True),
    "GET /utilisation-reports/{report_id}": allow(READERS, ENT_A, other=404),
    "GET /utilisation": allow(READERS, ENTERPRISES, scoped=True),
    "GET /utilisation.csv": allow(READERS, ENTERPRISES, scoped=True),
    # the bureau's annual reserve verification: the bureau records, the verified holder reads
    "POST /reserve-checks": allow(BUREAU, also={409}),
    "GET /reserve-checks": allow(READERS, ENTERPRISES, scoped=True),
    "GET /reserve-checks/{check_id}": allow(READERS, ENT_A, other=404),
    # the plan's named deadlines (part F): officials read them, no enterprise
    "GET /plan-editions/{edition_id}/deadlines": allow(READERS),
    # random patrols 随机巡查: the bureau keeps the pool and draws; the draws are public
    "POST /patrol-professionals": allow(BUREAU),
    "GET /patrol-professionals": allow(BUREAU),
    "POST /patrol-draws": allow(BUREAU),
    "GET /patrol-draws": PUBLIC,
    "GET /patrol-draws/{draw_id}": PUBLIC,
    # the integrity record 诚信体系: a holder's own record (another's is 404), the public
    # 异常名录, the feed for government credit systems; corrections by the bureau admin
    "GET /holders/{holder_id}/integrity": allow(READERS, ENT_A, other=404),
    "POST /integrity/entries/{entry_id}/corrections": ADMIN_ONLY,
    "GET /integrity/abnormal": PUBLIC,
    "GET /integrity/feed": allow(READERS),
    # the spatial layers: the catalogue, the planning database export and OGC API Features
    # are public; what each caller reads in them is shaped by tests/rights_api/test_ogc.py and
    # test_exports.py (the public: no licence, holder, validity or elevations)
    "GET /layers": PUBLIC,
    "GET /plan-editions/{edition_id}/export.gpkg": PUBLIC,
    "GET /plan-editions/{edition_id}/export.shp.zip": PUBLIC,
    "GET /ogc": PUBLIC,
    "GET /ogc/conformance": PUBLIC,
    "GET /ogc/api": PUBLIC,
    "GET /ogc/collections": PUBLIC,
    "GET /ogc/collections/{collection_id}": PUBLIC,
    "GET /ogc/collections/{collection_id}/items": PUBLIC,
    "GET /ogc/collections/{collection_id}/items/{feature_id}": PUBLIC,
    # the plan evaluation (第七章二) and its reports: the bureau and government systems
    "GET /plan-editions/{edition_id}/evaluations/midterm": allow(BUREAU, GOV),
    "GET /plan-editions/{edition_id}/evaluations/period": allow(BUREAU, GOV),
    "GET /plan-editions/{edition_id}/evaluations/{year}.csv": allow(BUREAU, GOV),
    "GET /plan-editions/{edition_id}/evaluations/{year}": allow(BUREAU, GOV),
    # who answers for each indicator (第七章一): set by the bureau admin
    "GET /plan-editions/{edition_id}/indicator-owners": allow(BUREAU, GOV),
    "PUT /plan-editions/{edition_id}/indicator-owners/{code}": ADMIN_ONLY,
}
