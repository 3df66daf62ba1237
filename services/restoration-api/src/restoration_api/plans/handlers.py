"""A right transferred in rights-api: the mine's open annual obligations follow it."""

from restoration_api.plans import service
from restoration_api.rights import following_holder

handlers = following_holder(service.follow_holder)
