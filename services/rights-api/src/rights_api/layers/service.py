"""Reading the layers of the catalogue for a caller: the features ``query`` selects, each with
the fields that caller may see (``catalogue.fields_seen``)."""

from dataclasses import replace

from servicekit.auth import Principal
from servicekit.errors import NotFound
from servicekit.settings import ServiceSettings
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.layers import sources
from rights_api.layers.catalogue import Layer, Source, fields_seen
from rights_api.layers.query import Feature, FeaturePage, FeatureQuery, page
from rights_api.plan.models import PlanEdition

EVERYTHING = 10**9


def shaped(layer: Layer, feature: Feature, caller: Principal | None) -> Feature:
    """``feature`` with the properties ``caller`` may read, in the catalogue's order."""
    seen = fields_seen(layer, caller, feature.owner)
    return replace(feature, properties={f.key: feature.properties.get(f.key) for f in seen})


async def read(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    layer: Layer,
    edition: PlanEdition,
    caller: Principal | None,
    query: FeatureQuery,
) -> FeaturePage:
    """A page of ``layer``'s features matching ``query`` (zones, blocks and prohibited areas of
    ``edition``), shaped for ``caller``. ``query.properties`` must name fields the caller may
    filter by (``catalogue.filterable``): the router refuses others."""
    if layer.source is Source.register:
        found = await sources.right_features(session=session, query=query)
    elif layer.source is Source.plan:
        found = page(sources.plan_features(edition, layer.id), query)
    else:
        features = await sources.restoration_features(
            settings=settings, layer=layer, bbox=query.bbox
        )
        found = page(features, query)
    return FeaturePage([shaped(layer, f, caller) for f in found.features], found.matched)


async def everything(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    layer: Layer,
    edition: PlanEdition,
    caller: Principal | None,
) -> list[Feature]:
    """Every feature of ``layer`` for ``caller`` (the export)."""
    query = FeatureQuery(limit=EVERYTHING)
    found = await read(
        session=session,
        settings=settings,
        layer=layer,
        edition=edition,
        caller=caller,
        query=query,
    )
    return found.features


async def one(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    layer: Layer,
    edition: PlanEdition,
    caller: Principal | None,
    feature_id: str,
) -> Feature:
    """One feature by its id, shaped for ``caller``; 404 when the layer has none."""
    if layer.source is Source.register:
        return shaped(
            layer, await sources.right_feature(session=session, feature_id=feature_id), caller
        )
    if layer.source is Source.plan:
        features = sources.plan_features(edition, layer.id)
    else:
        features = await sources.restoration_features(settings=settings, layer=layer)
    for feature in features:
        if feature.id == feature_id:
            return shaped(layer, feature, caller)
    raise NotFound(f"No feature {feature_id} in layer {layer.id}.")
