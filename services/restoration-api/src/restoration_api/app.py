"""restoration-api: restoration funds as a double-entry ledger, restoration plans and works."""

from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.spec import ServiceSpec

from restoration_api.settings import RestorationSettings

SERVICE = ServiceSpec(
    name="restoration",
    title="restoration-api 矿山地质环境治理恢复基金",
    description="Each mine's restoration fund 矿山地质环境治理恢复基金 kept as a double-entry "
    "ledger, restoration plans, works, acceptance, legacy sites and rectification orders "
    "(规划第五章第二节、第六章第二节).",
    settings=RestorationSettings,
    package="restoration_api",
    migrations=Path(__file__).resolve().parents[2] / "migrations" / "versions",
    port=8002,
)


def create_app() -> FastAPI:
    return serve(SERVICE)
