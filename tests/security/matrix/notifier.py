"""notifier. Everyone with a token reads the deadlines that concern them, manages their own
subscriptions and reads their own inbox; alerts and received events are the bureau admin's.
Enterprise A owns the deadline, the inbox subscription and the inbox item of the world."""

from tests.security.matrix import (
    ADMIN,
    ADMIN_ONLY,
    BUREAU,
    ENT_A,
    ENT_B,
    EVALUATORS,
    GOV,
    INSPECTOR,
    PUBLIC,
    TOKEN,
    allow,
)
from tests.security.matrix.shared import SHARED

STAFF = (*BUREAU, INSPECTOR, GOV)

MATRIX = {
    **SHARED,
    "GET /deadlines": allow(TOKEN, scoped=True),
    # a deadline exists for its holder and the staff; to anyone else it is not there
    "GET /deadlines/{deadline_id}": allow(STAFF, ENT_A, other=404, refused=404),
    # an inbox subscription to holder A's deadlines (government systems use webhooks)
    "POST /subscriptions": allow(BUREAU, INSPECTOR, ENT_A, EVALUATORS, other=403),
    "GET /subscriptions": allow(TOKEN, scoped=True),
    # someone else's subscription is "not found", even to other staff: ids reveal nothing
    "GET /subscriptions/{subscription_id}": allow(ADMIN, ENT_A, other=404, refused=404),
    "PATCH /subscriptions/{subscription_id}": allow(ADMIN, ENT_A, other=404, refused=404),
    "DELETE /subscriptions/{subscription_id}": allow(ADMIN, ENT_A, other=404, refused=404),
    # the inbox is the caller's own
    "GET /inbox": allow(TOKEN, scoped=True),
    "POST /inbox/{alert_id}/read": allow(ENT_A, other=404, refused=404),
    "GET /inbox/stream": allow(TOKEN),
    "GET /alerts": ADMIN_ONLY,
    "GET /alerts/dead-letters": ADMIN_ONLY,
    "GET /alerts/{alert_id}": ADMIN_ONLY,
    "GET /alerts/{alert_id}/attempts": ADMIN_ONLY,
    "POST /alerts/{alert_id}/resend": ADMIN_ONLY,
    "GET /admin/received-events": ADMIN_ONLY,
    # event subscriptions: government systems their own, the bureau admin anyone's (the world's
    # subscription is the government system's)
    "POST /event-subscriptions": allow(ADMIN, GOV),
    "GET /event-subscriptions": allow(ADMIN, GOV),
    "GET /event-subscriptions/{subscription_id}": allow(ADMIN, GOV),
    "DELETE /event-subscriptions/{subscription_id}": allow(ADMIN, GOV),
    "POST /event-subscriptions/{subscription_id}/replay": allow(ADMIN, GOV),
    "GET /event-subscriptions/{subscription_id}/deliveries": allow(ADMIN, GOV),
    # the feed: officials read every event, an enterprise only its own holder's
    "GET /events": allow(BUREAU, INSPECTOR, GOV, ENT_A, ENT_B, scoped=True),
    # the contract: public, it holds no data
    "GET /event-types": PUBLIC,
    "GET /asyncapi.yaml": PUBLIC,
}
