"""Who answers for bangfu's assets in Dagster: the raw tables, the dbt models and the
published outputs alike."""

OWNERS = ["team:bangfu"]
