"""Across services over the real Kafka broker: the actions the bureau opens from the conformance
findings on the mines of 专栏一 reach the notifier as the holder's deadlines (the exit order's
date, the licence's last day for no renewal), with no notifier code of their own."""

from datetime import date

import pytest
from devkit.testing import eventually
from rights_api.app import SERVICE as RIGHTS

from tests.notifier.support import sql
from tests.rights_api.kafka_support import rights_and_notifier
from tests.rights_api.test_conformance import HADAHUSU, SANHAO, by_mine, findings, open_action

pytestmark = pytest.mark.kafka


async def test_opened_actions_reach_the_notifier_as_the_holders_deadlines(
    databases, kafka, topic_prefix, tmp_path
):
    async with rights_and_notifier(databases, kafka, topic_prefix, tmp_path) as (rights, notifier):
        async with rights.runtime.db.transaction() as session:
            await RIGHTS.seed(session)
        edition_id = (await rights.client.get("/plan-editions/current")).json()["id"]
        found = await findings(rights, edition_id)
        exit_ = by_mine(found, SANHAO)["below_min_scale"]
        no_renewal = by_mine(found, HADAHUSU)["below_min_scale_no_renewal"]
        opened_exit = await open_action(rights, edition_id, exit_["right_id"], exit_["rule"])
        assert opened_exit.status_code == 201, opened_exit.text
        opened_bar = await open_action(
            rights, edition_id, no_renewal["right_id"], no_renewal["rule"]
        )
        assert opened_bar.status_code == 201, opened_bar.text
        order_id = opened_exit.json()["order_id"]
        bar_id = opened_bar.json()["id"]

        async def learned():
            rows = await sql(
                notifier,
                "SELECT id, kind, due_at, holder_id, subject, last_event_type FROM deadlines "
                "WHERE id IN (:order, :bar) ORDER BY kind",
                order=f"rights.compliance.{order_id}",
                bar=f"rights.conformance.{bar_id}",
            )
            return rows if len(rows) == 2 else None

        rows = await eventually(learned, timeout=60, what="the flagged deadlines at the notifier")
        bar, order = rows
        assert bar.kind == "licence_no_renewal"
        assert bar.due_at == date(2029, 12, 31)
        assert str(bar.holder_id) == no_renewal["holder_id"]
        assert bar.subject == no_renewal["right_id"]
        assert bar.last_event_type == "rights.conformance.flagged"
        assert order.kind == "rectification"
        assert order.due_at.isoformat() == opened_exit.json()["due_on"]
        assert str(order.holder_id) == exit_["holder_id"]

        journal = await sql(
            notifier,
            "SELECT count(*) FROM received_events WHERE type = 'rights.conformance.flagged'",
        )
        assert journal == [(2,)]
