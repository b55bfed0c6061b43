"""`--export-regressions DIR`: each confirmed violation becomes a small pytest file that replays it."""

from dws_contract.regressions.export import export_regressions

__all__ = ["export_regressions"]
