"""`--export-regressions DIR`: each confirmed violation becomes a small pytest file that replays it
(`export.export_regressions` writes them)."""
