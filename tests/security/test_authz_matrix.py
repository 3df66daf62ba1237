"""The authorization matrix: every operation of every service, called by each principal
(anonymous, the four staff roles, the owning enterprise and another, the assigned evaluator and
another) on a world of real objects, answers as tests/security/matrix/<service>.py says."""

from tests.rights_api.operations_support import rights_service
from tests.security.harness import check_matrix
from tests.security.matrix import rights as rights_matrix
from tests.security.worlds import rights as rights_world


async def test_rights_api(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        world = await rights_world.build(service)
        await check_matrix(world, rights_matrix.MATRIX)
