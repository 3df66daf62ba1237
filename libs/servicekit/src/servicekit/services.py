"""The services installed in this environment, found through the ``mineadmin.services``
entry point each service package declares (servicekit never imports a service by name)."""

from importlib.metadata import entry_points

from servicekit.spec import ServiceSpec


def installed_services() -> dict[str, ServiceSpec]:
    specs = {ep.name: ep.load() for ep in entry_points(group="mineadmin.services")}
    return dict(sorted(specs.items(), key=lambda item: item[1].port))
