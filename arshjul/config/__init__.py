"""A municipality's configuration: one TOML file that describes it completely."""
