"""The mix: each Locust user class of bench/mix/locustfile.py, how many users it runs and how
often each starts its task (seconds; Locust's constant pacing). A bureau of a small city's
working day compressed: mostly reads, a steady trickle of writes. Kept apart from the
locustfile so the orchestrator reads it without importing Locust (which patches the stdlib)."""

CLASSES: dict[str, tuple[int, float]] = {
    "PublicReader": (4, 1.0),  # zones, /rights.geojson, listings, disclosures: anonymous
    "StaffReader": (4, 0.5),  # a right by id, the register's list: bureau reviewers
    "AdmissionCheck": (2, 1.0),  # POST /applications/check: enterprises trying a ground
    "Inspector": (2, 4.0),  # an offline inspection synced, its photo by tus
    "FundPosting": (2, 1.0),  # deposits into the restoration funds
    "GreenMine": (1, 8.0),  # entry application → evaluator assigned → evaluation
    "GrantOffering": (1, 6.0),  # 招拍挂: a block offered, announced, withdrawn
    "NotifierDesk": (2, 2.0),  # the bureau's deadlines, holders' inboxes
    "ReminderSweep": (1, 10.0),  # the notifier's reminder sweep (and delivery), run on request
}


def users(classes: list[str]) -> int:
    return sum(CLASSES[name][0] for name in classes)
