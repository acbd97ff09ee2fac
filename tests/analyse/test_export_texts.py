"""Free texts in the response-level exports: the text beside "other" next to its choice, the
planners' categories as 0/1 columns after the text, hidden texts never written — the same in
CSV, SPSS and the validated data package."""
import csv
import io

import frictionless
import pyreadstat
import pytest
from sqlalchemy import select

from app.analyse import coding
from app.db import db
from app.models import Answer
from app.results.exports import export_csv, write_format
from tests.analyse.test_results import add_responses


@pytest.fixture
def texts(placement, today):
    """Six in Nordbahnhof: three meet "elsewhere" naming the market, two wish for buses, one
    wish names a person; the bus wishes are coded ``bus``, the person's wish hidden."""
    add_responses(placement, today,
                  [{"meeting_places": ["other"], "meeting_places-other": "Auf dem Markt"}] * 3
                  + [{"change_wishes": "Mehr Busse"}] * 2
                  + [{"change_wishes": "Frau M. aus Nr. 5 ist laut"}])
    survey = placement.survey
    coding.create_category(survey, "bus", {"de": "Bus", "en": "Bus"})
    coding.create_category(survey, "noise", {"de": "Lärm", "en": "Noise"})
    for answer in db.session.scalars(select(Answer).where(Answer.text == "Mehr Busse")):
        coding.set_answer_categories(survey, answer, ["bus"])
    person = db.session.scalar(select(Answer).where(Answer.text.like("Frau M.%")))
    coding.set_answer_categories(survey, person, ["noise"])
    coding.hide_answer(survey, person)
    db.session.commit()
    return survey


def test_the_response_table_keeps_other_texts_beside_their_choice_and_codes_after_texts(texts):
    rows = list(csv.DictReader(io.StringIO(export_csv(texts, "responses", "csv"))))
    assert len(rows) == 6
    columns = list(rows[0])
    at = columns.index("meeting_places__other")
    assert columns[at + 1] == "meeting_places__other_text"
    at = columns.index("change_wishes")
    assert columns[at + 1:at + 3] == ["change_wishes__bus", "change_wishes__noise"]
    market = [r for r in rows if r["meeting_places__other"] == "1"]
    assert [r["meeting_places__other_text"] for r in market] == ["Auf dem Markt"] * 3
    buses = [r for r in rows if r["change_wishes"] == "Mehr Busse"]
    assert [(r["change_wishes__bus"], r["change_wishes__noise"]) for r in buses] == [("1", "0")] * 2
    hidden = [r for r in rows if r["change_wishes__noise"] == "1"]
    assert len(hidden) == 1 and hidden[0]["change_wishes"] == ""
    assert "change_wishes" in hidden[0]["suppressed_fields"].split()
    everything = export_csv(texts, "responses", "csv")
    assert "Frau M." not in everything


def test_spss_and_the_data_package_read_the_same_columns(texts, tmp_path):
    sav = write_format(texts, "sav", tmp_path)[0]
    frame, meta = pyreadstat.read_sav(str(sav))
    assert frame["meeting_places__other_text"].tolist().count("Auf dem Markt") == 3
    assert frame["change_wishes__bus"].tolist().count(1) == 2
    assert frame["change_wishes__noise"].tolist().count(1) == 1
    assert "Frau M." not in " ".join(str(v) for v in frame["change_wishes"].tolist())
    package = write_format(texts, "datapackage", tmp_path)[0]
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = frictionless.Package(str(package))
    fields = {f.name: f for f in descriptor.get_resource("responses").schema.fields}
    assert fields["change_wishes__bus"].type == "integer"
    assert fields["meeting_places__other_text"].type == "string"
    codebook = (package.parent / "codebook.csv").read_text(encoding="utf-8")
    assert "change_wishes__bus" in codebook and "Lärm" in codebook
