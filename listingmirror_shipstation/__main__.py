"""``python -m listingmirror_shipstation``: see :mod:`listingmirror_shipstation.cli`."""

import sys

from .cli import main

sys.exit(main())
