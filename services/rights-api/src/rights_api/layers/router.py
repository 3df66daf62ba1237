"""HTTP for the layer catalogue: which layers exist and what their fields are called."""

from fastapi import APIRouter
from servicekit.deps import Public

from rights_api.layers.catalogue import LAYERS
from rights_api.layers.schemas import LayerPublic

router = APIRouter(tags=["planning database 规划数据库"])


@router.get("/layers", summary="Spatial layer catalogue 空间图层目录")
async def list_layers(_: Public) -> list[LayerPublic]:
    """Every layer of the planning database export and the OGC API (`/ogc/collections`), each
    field with its Chinese and English name, its Shapefile name (DZ/T 0226's code where found)
    and who sees it. Public: the catalogue describes, it holds no data.
    """
    return [LayerPublic.of(layer) for layer in LAYERS.values()]
