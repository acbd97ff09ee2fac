"""Export bundles of the quarter needs survey answered in known ways, for the export format tests:
built once per module in an app of their own, their response rows frozen."""
from datetime import date

from app.results import releases
from app.results.exports import export_bundle
from tests.analyse.test_results import add_responses
from tests.conftest import app_with_tables, seed_survey_at_place

#: A resident's text that would be a formula in a spreadsheet.
FORMULA = '=HYPERLINK("http://evil","click")'


def answer_for_export(placement, today):
    """Nordbahnhof (126): 7 like it 4 and name top needs, 3 like it 2 (with a formula as their
    wish); Hallschlag (214, own answer): 2 like it 5."""
    add_responses(placement, today,
                  [{"living_satisfaction": "4", "top_needs": ["green_space", "meeting_place"],
                    "get_involved": "would_like", "help_nearby": "yes", "minutes_to_stop": "5"}] * 7
                  + [{"living_satisfaction": "2", "change_wishes": FORMULA, "help_nearby": "no"}] * 3
                  + [{"living_satisfaction": "5", "home_quarter": "214"}] * 2)


def frozen(bundle):
    """``bundle`` with its response rows read once and given back the same on every call (each
    call a fresh copy of each row). Each real call is a fresh pass in a fresh random order; a
    test that compares a written file with the rows row by row needs the very rows the file was
    written from — and a bundle shared by a module must outlive the database it came from."""
    rows = list(bundle.response_rows())
    bundle.response_rows = lambda: (dict(row) for row in rows)
    return bundle


def built_once(answer, **seed):
    """The frozen export bundle of the quarter needs survey answered by ``answer(placement,
    today)``, built in an app of its own (for module-scoped fixtures)."""
    import random

    from app.models import responses
    source, responses._source = responses._source, random.Random(answer.__name__)  # repeatable keys
    try:
        with app_with_tables():
            placement = seed_survey_at_place(**seed)
            answer(placement, date.today())
            releases.release(placement.survey, date.today(), everything=True)  # the day's release ran
            return frozen(export_bundle(placement.survey))
    finally:
        responses._source = source
