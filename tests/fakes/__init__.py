"""Real in-memory classes behind the app's ports, shared by the contract suites and the app's
unit tests (fakes, not mocks: each passes the contract suite of its port)."""
