"""A right transferred in rights-api: the mine's unresolved rectification orders follow it."""

from restoration_api.rectification import service
from restoration_api.rights import following_holder

handlers = following_holder(service.follow_holder)
