"""`--export-regressions DIR`: each confirmed violation becomes a small pytest file that replays it.

`export.export_regressions` writes them; nothing is imported here, because the vocabulary of a replay
(`exported_runtime.CredentialsKind`) is imported by `verdict`, which the exporter itself imports.
"""
