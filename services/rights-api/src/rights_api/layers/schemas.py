"""The catalogue as the API shows it: each layer with its fields' names and who sees them."""

from pydantic import BaseModel, Field

from rights_api.layers.catalogue import Audience, FieldType, Layer


class LayerFieldPublic(BaseModel):
    key: str = Field(description="Name in GeoJSON, the OGC API and the GeoPackage")
    shp_name: str = Field(description="Name in the Shapefile (≤ 10 characters)")
    name_zh: str
    name_en: str
    type: FieldType
    audience: Audience = Field(
        description="`public`: everyone; `officials`: bureau, inspectors, gov_system and, for "
        "its own rights, the enterprise"
    )
    standard: bool = Field(description="The Shapefile name is DZ/T 0226's own code")


class LayerPublic(BaseModel):
    id: str = Field(examples=["zones"])
    title_zh: str = Field(examples=["集中开采区"])
    title_en: str = Field(examples=["Concentrated mining zones"])
    description: str
    source: str = Field(description="plan | register | restoration (restoration-api)")
    temporal: str = Field(description="What the `datetime` filter compares")
    fields: list[LayerFieldPublic]

    @classmethod
    def of(cls, layer: Layer) -> "LayerPublic":
        return cls(
            id=layer.id,
            title_zh=layer.title_zh,
            title_en=layer.title_en,
            description=layer.description,
            source=layer.source.value,
            temporal=layer.temporal,
            fields=[
                LayerFieldPublic(
                    key=f.key,
                    shp_name=f.code,
                    name_zh=f.name_zh,
                    name_en=f.name_en,
                    type=f.type,
                    audience=f.audience,
                    standard=f.standard,
                )
                for f in layer.fields
            ],
        )
