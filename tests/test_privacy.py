"""Privacy guarantees checked on the stored data itself: after residents answer, no table holds
an IP address, a user agent or a time finer than the day, and no log line holds an answer."""
import logging

from sqlalchemy import DateTime, select

from app.db import db

IP, AGENT, WISH = "203.0.113.77", "OldPhone/2.3 (Android 4.4)", "Mehr Bänke am Nordbahnhof"
#: Tables written while residents answer: they must not know more than the day.
RESIDENT_TABLES = {"responses", "answers", "submission_receipts", "one_time_codes"}


def test_no_table_holds_an_address_an_agent_or_a_time_finer_than_the_day(app, placement, answer, caplog):
    caplog.set_level(logging.DEBUG)
    headers = {"User-Agent": AGENT, "X-Forwarded-For": IP, "Accept-Language": "de"}
    page = answer(placement, {"q_living_satisfaction": "4", "q_change_wishes": WISH,
                              "q_meeting_places": "other", "q_meeting_places-other": "Am Kiosk"},
                  headers=headers, query="?lang=de")
    assert page.status_code == 302
    tables = db.metadata.sorted_tables
    assert RESIDENT_TABLES <= {table.name for table in tables}
    for table in tables:
        rows = db.session.execute(select(table)).all()
        dump = repr(rows)
        assert IP not in dump and AGENT not in dump and "OldPhone" not in dump, table.name
        if table.name in RESIDENT_TABLES:
            finer = [column.name for column in table.columns if isinstance(column.type, DateTime)]
            assert finer == [], (table.name, finer)
    stored = db.session.execute(select(db.metadata.tables["answers"].c.text)).scalars().all()
    assert WISH in stored  # the answer itself is there …
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert WISH not in logged and "Am Kiosk" not in logged  # … and in no log line
    assert IP not in logged and AGENT not in logged
