"""Allow `python -m dws_upgrade_records.mock`."""

import sys

from dws_upgrade_records.mock.cli import main

sys.exit(main())
