"""greenmine-api. The list, publicity, spot checks and the standards are public; the public
also files complaints and objections. Enterprise A owns the applications and listings of the
world; organisation A is assigned its applications; B of each is another."""

from tests.security.matrix import (
    ADMIN_ONLY,
    BUREAU,
    ENT_A,
    ENTERPRISES,
    EVAL_A,
    EVALUATORS,
    GOV,
    INSPECTOR,
    PUBLIC,
    allow,
)
from tests.security.matrix.shared import SHARED

MATRIX = {
    **SHARED,
    # the list
    "GET /listings": PUBLIC,
    "GET /listings.csv": PUBLIC,
    "GET /listings/{listing_id}": PUBLIC,
    "POST /listings/{listing_id}/removal": allow(BUREAU, also={409}),
    # a listing is public: another holder acting on it is refused, not hidden
    "POST /listings/{listing_id}/exit": allow(ENT_A, BUREAU, other=403, also={409}),
    "POST /listings/{listing_id}/change-requests": allow(ENT_A, BUREAU, other=403),
    "GET /change-requests": allow(BUREAU, ENTERPRISES, scoped=True),
    "POST /change-requests/{request_id}/decision": allow(BUREAU, also={409}),
    "GET /rectifications": allow(BUREAU, ENTERPRISES, scoped=True),
    "POST /rectifications/{rectification_id}/decision": allow(BUREAU, also={409}),
    "GET /indicators": PUBLIC,
    # the figures rights-api's plan evaluation reads (with its gov_system service token)
    "GET /evaluation-figures": allow(BUREAU, GOV),
    # every producing mine on the green-mine path (part F): officials only, it names the mines
    # that owe the standard before the bureau decides their exit
    "GET /green-mine-coverage": allow(BUREAU, INSPECTOR, GOV),
    "GET /editions/{code}": PUBLIC,
    "PATCH /editions/{code}": ADMIN_ONLY,
    # evaluation organisations and applications
    "GET /evaluators": PUBLIC,
    "POST /evaluators": ADMIN_ONLY,
    "POST /applications": allow(ENT_A, BUREAU, other=403),
    "GET /applications": allow(BUREAU, ENTERPRISES, EVALUATORS, scoped=True),
    "GET /applications/{application_id}": allow(BUREAU, ENT_A, EVAL_A, other=404),
    "POST /applications/{application_id}/assignment": allow(BUREAU, also={409}),
    "POST /applications/{application_id}/evaluation": allow(EVAL_A, other=404, also={409}),
    "GET /applications/{application_id}/evaluation/report": allow(BUREAU, ENT_A, EVAL_A, other=404),
    "POST /applications/{application_id}/publicity": allow(BUREAU, also={409}),
    # publicity: anyone may object; objectors' contacts are for the bureau only
    "GET /publicities": PUBLIC,
    "GET /publicities/{publicity_id}": PUBLIC,
    "POST /publicities/{publicity_id}/objections": PUBLIC,
    "GET /publicities/{publicity_id}/objections": allow(BUREAU),
    "POST /objections/{objection_id}/decision": allow(BUREAU, also={409}),
    "POST /publicities/{publicity_id}/close": allow(BUREAU, also={409}),
    # standards, experts, spot checks (draws and results are public)
    "GET /standards": PUBLIC,
    "POST /standards": ADMIN_ONLY,
    "GET /standards/{standard_id}": PUBLIC,
    "GET /experts": allow(BUREAU),
    "POST /experts": ADMIN_ONLY,
    "GET /spot-checks": PUBLIC,
    "POST /spot-checks": allow(BUREAU),
    "GET /spot-checks/{check_id}": PUBLIC,
    "POST /spot-checks/{check_id}/findings": allow(BUREAU, INSPECTOR, also={409}),
    "POST /spot-checks/{check_id}/publication": allow(BUREAU, also={409}),
    # complaints: anyone files, the bureau verifies
    "POST /complaints": PUBLIC,
    "GET /complaints": allow(BUREAU),
    "POST /complaints/{complaint_id}/decision": allow(BUREAU, also={409}),
}
