"""``python -m adapter`` is ``dimona-adapter``."""

from adapter.cli import main

raise SystemExit(main())
