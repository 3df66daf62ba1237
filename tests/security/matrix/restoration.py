"""restoration-api. Enterprise A owns the mine of the world, with its fund, plan, obligations,
work, closure case and rectification. Funds are posted by the bureau admin or the government
payment system; disclosures are public by law."""

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

STAFF = (*BUREAU, INSPECTOR, GOV)  # read every mine's books and works
READERS = (*STAFF, *ENTERPRISES)  # enterprises read their own

MATRIX = {
    **SHARED,
    # the ledger
    "GET /funds": allow(READERS, scoped=True),
    "POST /funds": ADMIN_ONLY,
    "GET /funds/{fund_id}": allow(STAFF, ENT_A, other=404),
    "GET /funds/{fund_id}/transfers": allow(STAFF, ENT_A, other=404),
    "POST /funds/{fund_id}/transfers": allow(ADMIN, GOV),
    "GET /funds/{fund_id}/transfers/{transfer_id}": allow(STAFF, ENT_A, other=404),
    "GET /funds/{fund_id}/verify": allow(STAFF),
    "GET /ledger/audit": allow(STAFF),
    # accrual: the rule sets are regulation, readable by every party
    "GET /accrual-rule-sets": allow(READERS),
    "POST /accrual-rule-sets": ADMIN_ONLY,
    "GET /accrual-rule-sets/{rule_set_id}": allow(READERS),
    "POST /funds/{fund_id}/accruals": allow(ADMIN, GOV, also={409}),
    "GET /funds/{fund_id}/accruals": allow(STAFF, ENT_A, other=404),
    # plans and obligations: the body names A's mine, so B is refused with 403
    "POST /plans": allow(BUREAU, ENT_A, other=403),
    "GET /plans": allow(READERS, scoped=True),
    "GET /plans/{plan_id}": allow(STAFF, ENT_A, other=404),
    "GET /obligations": allow(READERS, scoped=True),
    "POST /obligations/{obligation_id}/submit": allow(BUREAU, ENT_A, other=404, also={409}),
    # works, acceptance, closure, land
    "POST /works": allow(BUREAU, ENT_A, other=403),
    "GET /works": allow(READERS, scoped=True),
    "GET /works/{work_id}": allow(STAFF, ENT_A, other=404),
    "PUT /works/{work_id}/boundary": allow(BUREAU, ENT_A, other=404),
    "POST /acceptances": allow(BUREAU, INSPECTOR),
    "GET /acceptances": allow(READERS, scoped=True),
    "GET /closure-cases": allow(READERS, scoped=True),
    "GET /closure-cases/{case_id}": allow(STAFF, ENT_A, other=404),
    "PUT /land-balance/{right_id}/{year}": allow(BUREAU, ENT_A, other=403),
    "GET /land-balance/{year}": allow(READERS, scoped=True),
    # legacy sites and the plan's targets: the bureau's own programme
    "POST /legacy-sites": ADMIN_ONLY,
    "GET /legacy-sites": allow(STAFF),
    "GET /legacy-sites/{site_id}": allow(STAFF),
    "PUT /legacy-sites/{site_id}/boundary": ADMIN_ONLY,
    "PUT /plan-targets/{edition}": ADMIN_ONLY,
    "GET /indicators/{edition}": allow(STAFF),
    # the figures rights-api's plan evaluation reads (with its gov_system service token)
    "GET /evaluation-figures": allow(BUREAU, GOV),
    # rectification orders
    "POST /rectifications": allow(BUREAU),
    "GET /rectifications": allow(READERS, scoped=True),
    "GET /rectifications/{rectification_id}": allow(STAFF, ENT_A, other=404),
    "POST /rectifications/{rectification_id}/resolve": allow(BUREAU, also={409}),
    # disclosure 信息公示
    "GET /disclosures/export.csv": PUBLIC,
    "GET /disclosures/{right_id}": PUBLIC,
    # the map layers: what the disclosure makes public, for GIS clients
    "GET /legacy-sites.geojson": PUBLIC,
    "GET /restoration-areas.geojson": PUBLIC,
}
