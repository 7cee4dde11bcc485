"""``python -m playback_dvd.cli``."""

import sys

from . import main

sys.exit(main())
