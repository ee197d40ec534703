"""The sub-commands of ``dimona-adapter``; each module offers ``add_parser`` and ``run``."""
