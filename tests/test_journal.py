import json
from datetime import date, datetime, timezone

import pytest

from migrator.journal import Journal, JournalError, journal_file, load_journal


def test_missing_journal_is_phase_zero(tmp_path):
    journal = load_journal(tmp_path)
    assert journal.current_phase == 0
    assert journal.planned_date(2) is None


def test_record_and_round_trip(tmp_path):
    journal = Journal(service="advisor", service_version="1.4.2")
    journal.record(1, ["b.py", "a.py"], "0.1.0", now=datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc))
    path = journal_file(tmp_path)
    path.parent.mkdir()
    path.write_text(journal.to_text())
    loaded = load_journal(tmp_path)
    assert loaded.current_phase == 1
    assert loaded.entry(1).files == ["a.py", "b.py"]
    assert loaded.entry(1).applied_date == date(2026, 11, 25)
    # the plan: phase 2 two weeks after phase 1, phase 3 four weeks after
    assert loaded.planned_date(2) == date(2026, 12, 9)
    assert loaded.planned_date(3) == date(2026, 12, 23)


def test_corrupt_journal_names_the_file(tmp_path):
    path = journal_file(tmp_path)
    path.parent.mkdir()
    path.write_text("{not json")
    with pytest.raises(JournalError, match=r"journal\.json"):
        load_journal(tmp_path)


def test_journal_with_wrong_types_is_refused(tmp_path):
    path = journal_file(tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 1, "phases": [{"phase": "one"}]}))
    with pytest.raises(JournalError):
        load_journal(tmp_path)
