"""bangfu's Dagster assets, jobs, schedule, sensor and resources, one module each;
`pipelines.definitions` assembles them. Importing a module here loads only what it needs
(the scan job starts without dbt)."""
