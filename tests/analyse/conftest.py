"""A survey answered in a known way, shared by the export format tests."""
import pytest

from tests.analyse.bundles import answer_for_export, built_once


@pytest.fixture
def answered_for_export(placement, today):
    """The quarter needs survey at its meeting place, answered as ``answer_for_export`` says."""
    answer_for_export(placement, today)
    return placement


@pytest.fixture(scope="module")
def export_data():
    """The export bundle of the survey answered as ``answer_for_export`` says, built once per
    module; its response rows frozen (see ``tests.analyse.bundles.frozen``)."""
    return built_once(answer_for_export)
