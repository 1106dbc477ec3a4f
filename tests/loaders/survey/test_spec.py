"""What a survey respondent sees of each record kind comes from the one mapping model."""

from __future__ import annotations

from clusterkg.loaders.mapper import mappings
from clusterkg.loaders.survey.spec import DEFAULT_CONTEXT


def test_every_kind_offers_exactly_its_mapping_columns() -> None:
    specs = DEFAULT_CONTEXT.specs()
    for kind, mapping in mappings().items():
        assert specs[kind].names == mapping.column_names, kind


def test_conditions_are_not_columns_respondents_fill() -> None:
    specs = DEFAULT_CONTEXT.specs()
    assert "period" not in specs["programme"].names
    assert {"annual", "total"}.isdisjoint(specs["regional_programme_budget"].names)


def test_allowed_values_come_from_templates_and_iri_patterns() -> None:
    programme = DEFAULT_CONTEXT.specs()["programme"]
    country = programme.column("country")
    level = programme.column("level")
    assert country is not None and country.allowed is not None and "DEU" in country.allowed
    assert level is not None and level.allowed is not None
    assert {"National", "Regional"} <= set(level.allowed)
