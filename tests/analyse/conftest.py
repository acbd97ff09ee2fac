"""A survey answered in a known way, shared by the export format tests."""
import pytest

from app.results.exports import export_bundle
from tests.analyse.test_results import add_responses

#: A resident's text that would be a formula in a spreadsheet.
FORMULA = '=HYPERLINK("http://evil","click")'


@pytest.fixture
def answered_for_export(placement, today):
    """Nordbahnhof (126): 7 like it 4 and name top needs, 3 like it 2 (with a formula as their
    wish); Hallschlag (214, own answer): 2 like it 5."""
    add_responses(placement, today,
                  [{"living_satisfaction": "4", "top_needs": ["green_space", "meeting_place"],
                    "get_involved": "would_like", "help_nearby": "yes", "minutes_to_stop": "5"}] * 7
                  + [{"living_satisfaction": "2", "change_wishes": FORMULA, "help_nearby": "no"}] * 3
                  + [{"living_satisfaction": "5", "home_quarter": "214"}] * 2)
    return placement


def frozen(bundle):
    """``bundle`` with its response rows read once and given back the same on every call. Each
    real call is a fresh pass in a fresh random order; a test that compares a written file with
    the rows row by row needs the very rows the file was written from."""
    rows = list(bundle.response_rows())
    bundle.response_rows = lambda: iter(rows)
    return bundle


@pytest.fixture
def export_data(answered_for_export):
    """The export bundle of that survey, its response rows frozen (see ``frozen``)."""
    return frozen(export_bundle(answered_for_export.survey))
