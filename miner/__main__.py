"""`python -m miner` runs the command line."""

import sys

from miner.cli import main

sys.exit(main())
