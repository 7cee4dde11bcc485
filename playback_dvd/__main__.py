"""``python -m playback_dvd``: the ``playback-dvd`` command."""

import sys

from .cli import main

sys.exit(main())
