"""The root of the tests: the environment every test runs in, and the fixture plugins.

The tests are grouped by layer (README, "Tests"): unit/, service/, http/, system/. Shared
fixtures are pytest plugins in tests/fixtures/, shared helpers plain modules in tests/helpers/;
no test module imports another (tests/unit/test_layout.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

pytest_plugins = ["tests.fixtures.browser", "tests.fixtures.corpus", "tests.fixtures.servers", "tests.fixtures.served"]
