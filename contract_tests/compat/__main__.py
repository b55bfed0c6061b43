"""`python -m contract_tests.compat`: what `make compat` runs."""

from __future__ import annotations

import sys

from contract_tests.compat.cli import main

sys.exit(main())
