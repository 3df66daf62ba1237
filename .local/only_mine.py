from importlib.metadata import entry_points

import servicekit.services as s


def installed_services():
    eps = entry_points(group="mineadmin.services")
    specs = {ep.name: ep.load() for ep in eps if ep.name in ("rights", "notifier")}
    return dict(sorted(specs.items(), key=lambda item: item[1].port))


s.installed_services = installed_services
