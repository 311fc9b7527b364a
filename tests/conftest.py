# Fixtures shared across test folders: the vendor loopback servers (and no real vendor keys, for every test).
pytest_plugins = ["tests.support.vendors", "tests.support.signals"]
