"""``python -m fastrapi run|dev APP``: the same as the ``fastrapi`` command."""

import sys

from fastrapi.cli import main

sys.exit(main())
