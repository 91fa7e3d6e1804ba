"""`manage.py import_register`: the sample files, daily deltas, malformed rows and re-imports."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from referrals.eligibility import register_entry_find
from referrals.models import RegisterEntry, RegisterStatus
from referrals.register_import import status_from_text

SAMPLES = Path(__file__).resolve().parents[2] / "referrals" / "samples"

pytestmark = pytest.mark.django_db


def run(file: Path | str, register: str, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_register", str(file), "--register", register, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_the_gmc_sample_and_maps_every_status() -> None:
    out, err = run(SAMPLES / "gmc_sample.csv", "GMC")
    assert "GMC register: 10 created, 0 updated, 0 unchanged, 0 rejected." in out
    assert err == ""
    expected = {
        "7100001": RegisterStatus.REGISTERED,
        "7100004": RegisterStatus.PROVISIONAL,
        "7100005": RegisterStatus.NOT_LICENSED,
        "7100006": RegisterStatus.SUSPENDED,
        "7100007": RegisterStatus.REGISTERED_WITH_CONDITIONS,
        "7100008": RegisterStatus.ERASED,
        "7100010": RegisterStatus.REGISTERED_WITH_CONDITIONS,
    }
    for number, status in expected.items():
        entry = register_entry_find("GMC", number)
        assert entry is not None and entry.status == status, number
    accented = register_entry_find("GMC", "7100009")
    assert accented is not None and accented.surname == "Núñez" and accented.given_names == "María José"


def test_it_imports_the_gdc_sample() -> None:
    out, _ = run(SAMPLES / "gdc_sample.csv", "GDC")
    assert "GDC register: 6 created, 0 updated, 0 unchanged, 0 rejected." in out
    assert register_entry_find("GDC", "102").status == RegisterStatus.REGISTERED
    assert register_entry_find("GDC", "654321").status == RegisterStatus.REGISTERED_WITH_CONDITIONS
    assert register_entry_find("GDC", "55555").status == RegisterStatus.SUSPENDED
    assert register_entry_find("GDC", "44321").status == RegisterStatus.ERASED
    # Numbers are per register: the same digits on the other register are someone else.
    assert register_entry_find("GMC", "102") is None


def test_importing_the_same_file_again_changes_nothing() -> None:
    run(SAMPLES / "gmc_sample.csv", "GMC")
    before = {e.pk: (e.row_hash, e.imported_at) for e in RegisterEntry.objects.all()}
    out, _ = run(SAMPLES / "gmc_sample.csv", "GMC")
    assert "0 created, 0 updated, 10 unchanged, 0 rejected" in out
    assert {e.pk: (e.row_hash, e.imported_at) for e in RegisterEntry.objects.all()} == before


def test_a_daily_delta_updates_changed_rows_adds_new_ones_and_leaves_the_rest() -> None:
    run(SAMPLES / "gmc_sample.csv", "GMC")
    out, _ = run(SAMPLES / "gmc_delta.csv", "GMC")
    assert "1 created, 2 updated, 1 unchanged, 0 rejected" in out
    assert register_entry_find("GMC", "7100004").status == RegisterStatus.REGISTERED  # now fully registered
    assert register_entry_find("GMC", "7100006").status == RegisterStatus.REGISTERED  # suspension ended
    assert register_entry_find("GMC", "7100011").surname == "Walker"
    assert register_entry_find("GMC", "7100008").status == RegisterStatus.ERASED  # not in the delta: untouched
    assert RegisterEntry.objects.count() == 11
    # The delta again: nothing left to do.
    out, _ = run(SAMPLES / "gmc_delta.csv", "GMC")
    assert "0 created, 0 updated, 4 unchanged, 0 rejected" in out


def test_a_gdc_delta_lifts_a_suspension() -> None:
    run(SAMPLES / "gdc_sample.csv", "GDC")
    out, _ = run(SAMPLES / "gdc_delta.csv", "GDC")
    assert "1 created, 1 updated, 1 unchanged, 0 rejected" in out
    assert register_entry_find("GDC", "55555").status == RegisterStatus.REGISTERED


def test_malformed_rows_are_reported_by_line_and_the_good_rows_still_load() -> None:
    out, err = run(SAMPLES / "gmc_malformed.csv", "GMC")
    assert "2 created, 0 updated, 0 unchanged, 5 rejected" in out
    assert err.splitlines() == [
        "line 3: GMC Ref No must only include numbers 0 to 9",
        "line 4: GMC Ref No must be 7 digits",
        "line 5: Surname is empty",
        "line 6: Registration Status is not a status we recognise",
        "line 7: has 12 fields, expected 10",
    ]
    assert register_entry_find("GMC", "7100021") is not None
    assert register_entry_find("GMC", "7100027") is not None
    # Reports name lines and problems, never what the row said.
    assert "Baker" not in err and "71000X2" not in err and "Clarke" not in err


def test_gdc_malformed_rows() -> None:
    out, err = run(SAMPLES / "gdc_malformed.csv", "GDC")
    assert "1 created, 0 updated, 0 unchanged, 4 rejected" in out
    assert "line 2: Registration Number must be between 3 and 6 digits" in err
    assert "line 3: Registration Number must be between 3 and 6 digits" in err
    assert "line 5: Registration Number must only include numbers 0 to 9" in err
    assert "line 6: Registration Status is empty" in err


def test_line_numbers_count_physical_lines_when_a_quoted_field_spans_two(tmp_path: Path) -> None:
    file = tmp_path / "multiline.csv"
    file.write_text(
        'GMC Ref No,Surname,Given Name,Registration Status\n7200001,"Line\nBreak",Ann,Registered with Licence\n'
        "72000X2,Bad,Number,Registered with Licence\n",
        encoding="utf-8",
    )
    _, err = run(file, "GMC")
    assert err.strip() == "line 4: GMC Ref No must only include numbers 0 to 9"


def test_a_dry_run_counts_but_saves_nothing() -> None:
    out, _ = run(SAMPLES / "gmc_sample.csv", "GMC", "--dry-run")
    assert out.startswith("Dry run, nothing saved: GMC register: 10 created")
    assert RegisterEntry.objects.count() == 0


def test_a_file_with_the_wrong_columns_is_refused_whole(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Missing column"):
        run(SAMPLES / "gdc_sample.csv", "GMC")
    assert RegisterEntry.objects.count() == 0


def test_a_byte_order_mark_is_fine_and_other_encodings_are_refused(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(
        "\ufeffGMC Ref No,Surname,Given Name,Registration Status\n7300001,Ng,Li,Registered with Licence\n".encode()
    )
    out, _ = run(bom, "GMC")
    assert "1 created" in out
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(
        "GMC Ref No,Surname,Given Name,Registration Status\n7300002,Núñez,M,Registered\n".encode("latin-1")
    )
    with pytest.raises(CommandError, match="not UTF-8"):
        run(latin, "GMC")


def test_a_missing_file_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="No such file"):
        run("/nonexistent/register.csv", "GMC")


def test_register_data_is_encrypted_at_rest() -> None:
    run(SAMPLES / "gmc_sample.csv", "GMC")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM referrals_registerentry")
        dump = repr(cursor.fetchall())
    for plaintext in ("7100001", "Adeyemi", "Grace Folake", "Smith-Jones", "7100009"):
        assert plaintext not in dump


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Registered with Licence", RegisterStatus.REGISTERED),
        ("registered  with   licence", RegisterStatus.REGISTERED),
        ("Registered without a Licence", RegisterStatus.NOT_LICENSED),
        ("Registered without Licence", RegisterStatus.NOT_LICENSED),
        ("Provisionally Registered with Licence", RegisterStatus.PROVISIONAL),
        ("Provisionally Registered without a Licence", RegisterStatus.PROVISIONAL),
        ("Suspended", RegisterStatus.SUSPENDED),
        ("Provisionally Registered with Licence - Suspended", RegisterStatus.SUSPENDED),
        ("Registered with Licence - Conditions", RegisterStatus.REGISTERED_WITH_CONDITIONS),
        ("Registered with Licence - Undertakings", RegisterStatus.REGISTERED_WITH_CONDITIONS),
        ("Registered with a warning", RegisterStatus.REGISTERED_WITH_CONDITIONS),
        ("Registered with reprimand", RegisterStatus.REGISTERED_WITH_CONDITIONS),
        ("Erased", RegisterStatus.ERASED),
        ("Not Registered - Administratively Erased", RegisterStatus.ERASED),
        ("Relinquished", RegisterStatus.ERASED),
        ("Registered", RegisterStatus.REGISTERED),
        ("", None),
        ("Pending", None),
    ],
)
def test_status_wording_maps_to_a_category(text: str, status: RegisterStatus | None) -> None:
    assert status_from_text(text) == status
