"""`python -m dws_contract.compat`: what `make compat` runs."""

from __future__ import annotations

import sys

from dws_contract.compat.cli import main

sys.exit(main())
