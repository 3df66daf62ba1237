"""servicekit's routes, the same in every service: probes for the platform (no token; metrics
are on a port of their own), the operator's dead letters, jobs and calendar for the bureau
admin."""

from tests.security.matrix import ADMIN_ONLY, PUBLIC

SHARED = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /admin/dead-letters": ADMIN_ONLY,
    "POST /admin/dead-letters/{dead_letter_id}/replay": ADMIN_ONLY,
    "POST /admin/jobs/{name}/run": ADMIN_ONLY,
    "PUT /admin/calendar/{year}": ADMIN_ONLY,
}
