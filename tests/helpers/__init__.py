"""Helpers the tests of several layers share: plain functions, classes and constants, imported as
``tests.helpers.<module>``. Fixtures live in ``tests.fixtures`` (pytest plugins listed in
tests/conftest.py). No test module imports another test module (tests/unit/test_layout.py)."""
