"""`python -m newsdesk.cli`: the same as the `newsdesk` command."""

import sys

from newsdesk.cli.main import main

sys.exit(main())
