"""The authorization matrix: every operation of every service, called by each principal
(anonymous, the four staff roles, the owning enterprise and another, the assigned evaluator and
another) on a world of real objects, answers as tests/security/matrix/<service>.py says."""

from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from servicekit.services import installed_services

from tests.rights_api.evaluation_support import seeded_peers
from tests.rights_api.operations_support import rights_service
from tests.security.harness import check_matrix
from tests.security.matrix import greenmine as greenmine_matrix
from tests.security.matrix import notifier as notifier_matrix
from tests.security.matrix import restoration as restoration_matrix
from tests.security.matrix import rights as rights_matrix
from tests.security.worlds import greenmine as greenmine_world
from tests.security.worlds import notifier as notifier_world
from tests.security.worlds import restoration as restoration_world
from tests.security.worlds import rights as rights_world


async def test_rights_api(databases, tmp_path):
    # the plan evaluation asks restoration-api and greenmine-api: both run, seeded
    async with (
        seeded_peers(databases) as peers,
        rights_service(databases, tmp_path / "attachments", peers=peers) as service,
    ):
        world = await rights_world.build(service)
        await check_matrix(world, rights_matrix.MATRIX)


async def test_greenmine_api(databases):
    url = await databases.create("greenmine")
    # the world and nine callers file more complaints than one address may in an hour (the
    # database quota) or a minute (the request rate)
    async with running_service(
        installed_services()["greenmine"],
        database_url=url,
        broker=InProcessBroker(),
        background=False,
        complaint_rate_limit=1000,
        complaint_request_rate="1000/minute",
    ) as service:
        world = await greenmine_world.build(service)
        await check_matrix(world, greenmine_matrix.MATRIX)


async def test_restoration_api(restoration):
    world = await restoration_world.build(restoration)
    await check_matrix(world, restoration_matrix.MATRIX)


async def test_notifier(notifier):
    world = await notifier_world.build(notifier)
    await check_matrix(world, notifier_matrix.MATRIX)
