"""`python -m trustdialog`: the same as the `trustdialog` command."""

import sys

from trustdialog.cli import main

sys.exit(main())
