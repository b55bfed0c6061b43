"""Hand-written side of the DWS upgrade-records contract: spec loading, reference mock, client helpers."""
