"""The service factory: every service is wired the same way."""

import contextlib
import functools
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI

from servicekit import operations
from servicekit.auth import Authenticator
from servicekit.body_limit import BodyLimitMiddleware
from servicekit.dev_mode import LoopbackOnlyMiddleware, warn_on_network
from servicekit.docs import install_offline_docs
from servicekit.errors import install_problem_handlers
from servicekit.events.broker import Broker
from servicekit.holder_directory import HolderDirectory, ask_rights_api
from servicekit.hot_reads import HotReadsMiddleware, bind
from servicekit.http_cache import ConditionalGetMiddleware, NotModified, not_modified
from servicekit.logs import configure_logging
from servicekit.openapi import customize_openapi
from servicekit.rate_limit import AnonymousReadLimit
from servicekit.request_checks import check_request
from servicekit.request_context import RequestContextMiddleware
from servicekit.routing import LiteralPathsMiddleware, PathMethods
from servicekit.runtime import Runtime
from servicekit.security_headers import NoSniffMiddleware
from servicekit.settings import Mode, ServiceSettings
from servicekit.spec import ServiceSpec
from servicekit.unit_of_work import UnitOfWorkMiddleware


def serve(spec: ServiceSpec) -> FastAPI:
    """A deployed service (``uvicorn --factory <pkg>.app:create_app``): settings from the
    environment, logs as configured there."""
    settings = spec.settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return build_app(spec, settings)


def _holder_directory(
    spec: ServiceSpec, settings: ServiceSettings, runtime: Runtime
) -> HolderDirectory | None:
    if settings.jwt_holder_credit_code_claim is None:
        return None
    own = spec.holder_by_credit_code
    lookup = functools.partial(own, runtime) if own else ask_rights_api(settings)
    return HolderDirectory(lookup, cache_seconds=settings.holder_lookup_cache_seconds)


def build_app(
    spec: ServiceSpec,
    settings: ServiceSettings | None = None,
    *,
    broker: Broker | None = None,
    background: bool = True,
) -> FastAPI:
    """The FastAPI app for ``spec``. ``background=False`` runs no relay or consumer (tests)."""
    settings = settings or spec.settings()
    runtime = Runtime(spec, settings, broker)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if background:
            await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(check_request)],
        # servicekit propagates traceparent itself and exports Prometheus metrics; FastAPI's
        # OpenTelemetry hooks would only look for a configured provider on every request
        telemetry={"tracing": False, "metrics": False, "logs": False},
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": name, "description": description}
            for name, description in {
                **spec.tags,
                "operations 运维": "Health, dead letters, jobs and calendar.",
            }.items()
        ],
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.authenticator = Authenticator(settings, _holder_directory(spec, settings, runtime))
    install_problem_handlers(app)
    app.add_exception_handler(NotModified, not_modified)
    customize_openapi(app)
    install_offline_docs(app, settings)
    app.include_router(operations.router)
    for router in spec.routers:
        app.include_router(router)
    app.add_middleware(ConditionalGetMiddleware)
    app.state.path_methods = PathMethods(app)
    app.add_middleware(LiteralPathsMiddleware, paths=app.state.path_methods)
    app.add_middleware(UnitOfWorkMiddleware, db=runtime.db)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        multipart_max_bytes=settings.max_upload_bytes,
    )
    if spec.hot_reads:
        app.add_middleware(HotReadsMiddleware, reads=bind(app, spec.hot_reads), db=runtime.db)
    app.add_middleware(
        AnonymousReadLimit,
        limiter=runtime.limiter,
        authenticator=app.state.authenticator,
        rate=settings.rate_limit_anonymous_reads,
    )
    app.add_middleware(RequestContextMiddleware, metrics=runtime.metrics)
    if settings.mode is Mode.dev and settings.jwt_jwks_url is None:
        if settings.dev_mode_on_network:
            warn_on_network("every address it is served on")
        else:
            app.add_middleware(LoopbackOnlyMiddleware)
    app.add_middleware(NoSniffMiddleware)
    return app
