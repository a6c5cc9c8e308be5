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


# --- the journal is validated, not trusted (issue 14) ----------------------------------------------------------

def _entry(phase, when="2026-11-25T10:00:00+00:00"):
    return {"phase": phase, "applied_at": when, "tool_version": "0.1.0"}


@pytest.mark.parametrize("data, field", [
    ({"version": 99}, "version"),
    ({"phases": [_entry(7)]}, "phases[0].phase"),
    ({"phases": [_entry(0)]}, "phases[0].phase"),
    ({"phases": [_entry(2)]}, "phases[0].phase"),
    ({"phases": [_entry(1), _entry(3, "2026-12-01T10:00:00+00:00")]}, "phases[1].phase"),
    ({"phases": [_entry(1, "not-a-date")]}, "phases[0].applied_at"),
    ({"phases": [_entry(1, "2026-12-01T10:00:00+00:00"), _entry(2, "2026-11-01T10:00:00+00:00")]},
     "phases[1].applied_at"),
    ({"phases": [_entry(1), _entry(2, "2026-12-09T10:00:00+00:00")],
      "deprecation": {"date": "2026-12-09", "sunset": "soon"}}, "deprecation.sunset"),
    ({"phases": [_entry(1), _entry(2, "2026-12-09T10:00:00+00:00")],
      "deprecation": {"date": "2026-12-09", "sunset": "2026-12-01"}}, "deprecation"),
    ({"phases": [_entry(1)], "deprecation": {"date": "2026-12-09", "sunset": "2026-12-23"}}, "deprecation"),
])
def test_an_impossible_journal_is_refused_naming_the_field(tmp_path, data, field):
    path = journal_file(tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 2, **data}))
    with pytest.raises(JournalError) as caught:
        load_journal(tmp_path)
    message = str(caught.value)
    assert "journal.json" in message and f"{field}:" in message, message


def test_a_possible_sequence_is_accepted_and_version_1_is_still_read(tmp_path):
    path = journal_file(tmp_path)
    path.parent.mkdir()
    data = {"version": 1, "phases": [_entry(1), _entry(2, "2026-12-09T10:00:00+00:00"),
                                     _entry(2, "2026-12-10T10:00:00"), _entry(3, "2027-01-05T10:00:00+00:00")],
            "deprecation": {"date": "2026-12-09", "sunset": "2026-12-23"}}
    path.write_text(json.dumps(data))
    assert load_journal(tmp_path).current_phase == 3


def test_the_cli_refuses_an_impossible_journal_with_exit_2(tmp_path):
    from typer.testing import CliRunner

    from migrator.cli import app

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\n')
    path = journal_file(tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps({"version": 2, "phases": [_entry(1), _entry(3)]}))
    for args in (["status", str(tmp_path)], ["apply", "--phase", "3", "--force", str(tmp_path)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "phases[1].phase" in result.output and "Traceback" not in result.output
