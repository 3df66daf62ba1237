"""Secrets and tokens never reach the logs: real requests through real services, logs captured at
DEBUG as a deployed service writes them, then searched for every secret value (and the forms
in which one could travel: a token's signature, a password in SMTP's base64 AUTH line)."""

import base64
import io
import logging
import secrets
from collections.abc import Iterator

import jwt
import pytest
import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from devkit.inprocess import InProcessBroker
from devkit.testing import running_service
from notifier.app import SERVICE as NOTIFIER
from notifier.settings import NotifierSettings
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role
from servicekit.db import Database
from servicekit.doctor import diagnose
from servicekit.logs import configure_logging
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.notifier.support import HOLDER, Mailbox, WebhookReceiver, free_port, serving
from tests.notifier.test_delivery import FIRST, deliver, one_reminder_due
from tests.samples import credit_code


async def doctor_findings(settings) -> list[str]:
    """What ``mineadmin doctor`` prints about the service (its broker left out)."""
    offline = settings.model_copy(update={"broker": "inprocess"})
    return [f.detail for f in await diagnose(RIGHTS, offline, today=FIRST.date())]


class Secrets:
    """Random values, so that a hit can only be a leak."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def new(self, name: str, prefix: str = "") -> str:
        self.values[name] = prefix + secrets.token_urlsafe(32)
        return self.values[name]

    def forms(self) -> Iterator[tuple[str, str]]:
        for name, value in self.values.items():
            yield name, value
            if value.startswith("whsec_"):
                yield f"{name} (key)", value.removeprefix("whsec_")
            if value.count(".") == 2:  # a JWT: its signature alone is enough to replay it
                yield f"{name} (signature)", value.rsplit(".", 1)[1]

    def assert_absent(self, text: str, where: str) -> None:
        """Not the value, nor any 16 characters of it (a truncated secret is still a leak)."""
        leaked = [
            name
            for name, value in self.forms()
            if any(value[i : i + 16] in text for i in range(max(1, len(value) - 15)))
        ]
        assert not leaked, f"{where} shows {', '.join(leaked)}"


@pytest.fixture
def debug_logs(capfd):
    """Logging as a deployed service sets it up, at DEBUG, its lines kept in memory (and
    anything else written to stdout or stderr captured too); undone after. Returns a function
    giving everything written since."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("DEBUG", json=True)
    lines = io.StringIO()
    [handler] = root.handlers
    handler.setStream(lines)
    capfd.readouterr()

    def captured() -> str:
        out, err = capfd.readouterr()
        return lines.getvalue() + out + err

    yield captured
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


def with_password(url: str, password: str) -> str:
    """The test server trusts local connections, so any password works: it is in the URL and
    settings all the same, which is what could leak."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user.split(':')[0]}:{password}@{host}"


async def test_tokens_request_bodies_and_the_database_password_stay_out(databases, debug_logs):
    s = Secrets()
    db_password = s.new("database password")
    jwt_secret = s.new("JWT secret")
    login_password = s.new("password in a body")
    url = with_password(await databases.create("rights"), db_password)
    shown: list[str] = []
    async with running_service(
        RIGHTS, database_url=url, broker=InProcessBroker(), jwt_secret=jwt_secret
    ) as rights:
        token = rights.auth(Role.bureau_admin)
        s.values["bearer token"] = token["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(s.values["bearer token"], options={"verify_signature": False})
        foreign = jwt.encode(claims, "not-our-" + jwt_secret, algorithm="HS256")
        s.values["token signed with another key"] = foreign
        garbage = s.new("malformed token")
        created = await rights.client.post(
            "/holders",
            json={
                "credit_code": credit_code(7),
                "name": "日志测试矿业",
                "password": login_password,
            },
            headers=token,
        )
        assert created.status_code == 201, created.text
        assert (await rights.client.get("/holders", headers=token)).status_code == 200
        for bad in (foreign, garbage, f"{garbage}.{garbage}.{garbage}"):
            refused = await rights.client.get(
                "/holders", headers={"Authorization": f"Bearer {bad}"}
            )
            assert refused.status_code == 401
            shown.append(refused.text)
        for path, body in (
            ("/login", {"username": "admin", "password": login_password}),
            ("/holders", {"credit_code": login_password, "name": login_password}),
            ("/holders", f'{{"name": "{login_password}", broken'),
        ):
            answer = await rights.client.post(
                path,
                content=body if isinstance(body, str) else None,
                json=body if isinstance(body, dict) else None,
                headers=token,
            )
            assert 400 <= answer.status_code < 500, answer.text
            shown.append(answer.text)
        shown += await doctor_findings(rights.settings)
        shown.append(repr(rights.settings))

    # the same service when its database is down: 503s, failing probes and background loops
    down = with_password(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/gone", db_password)
    async with running_service(
        RIGHTS, database_url=down, broker=InProcessBroker(), jwt_secret=jwt_secret
    ) as broken:
        unavailable = await broken.client.get("/holders", headers=broken.auth(Role.bureau_admin))
        assert unavailable.status_code == 503
        ready = await broken.client.get("/readyz")
        assert ready.status_code == 503
        shown += [unavailable.text, ready.text]
        shown += await doctor_findings(broken.settings)

    logs = debug_logs()
    assert '"status": 401' in logs and "database unavailable" in logs  # the capture works
    s.assert_absent(logs, "the logs")
    for answer in shown:
        s.assert_absent(answer, "an answer")


class RefusingAuthenticator:
    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        return AuthResult(success=False, handled=False)


async def test_smtp_password_and_webhook_secrets_stay_out(databases, debug_logs):
    s = Secrets()
    smtp_password = s.new("SMTP password")
    jwt_secret = s.new("JWT secret")
    hook_password = s.new("password in a webhook URL")
    smtp = Controller(
        Mailbox(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=RefusingAuthenticator(),
        auth_require_tls=False,
    )
    smtp.start()
    shown: list[str] = []
    receiver = WebhookReceiver(statuses=[500])
    try:
        async with (
            serving(receiver.app()) as hooks,
            running_service(
                NOTIFIER,
                database_url=await databases.create("notifier"),
                broker=InProcessBroker(),
                background=False,
                webhook_allowed_networks=["127.0.0.1/32"],
                smtp_port=smtp.port,
                smtp_username="mailer",
                smtp_password=smtp_password,
                jwt_secret=jwt_secret,
            ) as notifier,
        ):
            admin = notifier.auth(Role.bureau_admin)
            created = []
            for body in (
                {"channel": "webhook", "url": f"{hooks}/hook"},
                {"channel": "email", "email": "anquan@xianfeng-erenhot.example.cn"},
            ):
                response = await notifier.client.post(
                    "/subscriptions",
                    json={"name": "日志测试", "holder_id": HOLDER, **body},
                    headers=admin,
                )
                assert response.status_code == 201, response.text
                created.append(response.json())
            s.values["webhook signing secret"] = created[0]["secret"]
            with_credentials = await notifier.client.post(
                "/subscriptions",
                json={
                    "name": "带口令的地址",
                    "channel": "webhook",
                    "holder_id": HOLDER,
                    "url": f"http://hook:{hook_password}@127.0.0.1:9/hook",
                },
                headers=admin,
            )
            assert with_credentials.status_code == 422
            shown.append(with_credentials.text)
            await one_reminder_due(notifier)
            assert await deliver(notifier, FIRST) == 2
            alerts = await notifier.client.get("/alerts", headers=admin)
            errors = {a["channel"]: a["last_error"] for a in alerts.json()["items"]}
            assert "500" in errors["webhook"] and "535" in errors["email"], errors
            assert len(receiver.received) == 1  # the webhook was signed and sent
            shown.append(alerts.text)
            shown.append((await notifier.client.get("/subscriptions", headers=admin)).text)
            shown.append(repr(notifier.settings))
    finally:
        smtp.stop()
    auth_line = base64.b64encode(f"\0mailer\0{smtp_password}".encode()).decode()
    s.values["SMTP AUTH PLAIN line"] = auth_line
    s.values["SMTP AUTH LOGIN password"] = base64.b64encode(smtp_password.encode()).decode()

    logs = debug_logs()
    assert '"path": "/subscriptions"' in logs  # the capture works
    s.assert_absent(logs, "the logs")
    for answer in shown:
        s.assert_absent(answer, "an answer")


def test_settings_never_show_secrets_in_their_repr_or_errors():
    s = Secrets()
    values = {
        "database_url": f"postgresql+asyncpg://notifier:{s.new('database password')}@db/notifier",
        "smtp_password": s.new("SMTP password"),
        "jwt_secret": s.new("JWT secret"),
    }
    settings = NotifierSettings(**values)
    s.assert_absent(repr(settings) + str(settings), "the settings' repr")
    with pytest.raises(ValueError) as refused:  # production refuses the in-process broker
        NotifierSettings(**values, mode="production", broker="inprocess")
    s.assert_absent(str(refused.value), "a settings error")
    with pytest.raises(ValueError) as refused:
        NotifierSettings(**values, smtp_port="not a port")
    s.assert_absent(str(refused.value), "a settings error")


async def test_a_database_error_names_the_statement_but_not_the_values(databases):
    s = Secrets()
    secret = s.new("a value written to the database")
    db = Database(await databases.create("notifier"))
    try:
        with pytest.raises(DBAPIError) as failed:
            async with db.transaction() as session:
                await session.exec(text("SELECT CAST(:v AS text), 1 / 0").bindparams(v=secret))
    finally:
        await db.dispose()
    assert "division by zero" in str(failed.value) and "SELECT CAST" in str(failed.value)
    s.assert_absent(str(failed.value), "the error")
