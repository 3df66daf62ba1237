"""greenmine-api: the official green-mine list and everything that gets a mine on or off it."""

from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.spec import ServiceSpec

from greenmine_api.settings import GreenmineSettings

SERVICE = ServiceSpec(
    name="greenmine",
    title="greenmine-api 绿色矿山名录",
    description="The official green-mine list 绿色矿山名录: third-party evaluation, publicity, "
    "reviews every three years, spot checks 双随机一公开, complaints and removal "
    "(规划第六章第一节).",
    settings=GreenmineSettings,
    package="greenmine_api",
    migrations=Path(__file__).resolve().parents[2] / "migrations" / "versions",
    port=8003,
)


def create_app() -> FastAPI:
    return serve(SERVICE)
