"""Tests for bot.importer: CSV files in, InvoiceRow / PaymentRow / RowError out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.importer import (
    ImportFileError,
    InvoiceRow,
    PaymentRow,
    RowError,
    read_invoices,
    read_payments,
)

HEADER = "invoice_number,client,email,amount,currency,issue_date,due_date"
PDF_BYTES = b"%PDF-1.4\n%fake but good enough\n"


def write(tmp_path: Path, *lines: str, name: str = "invoices.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def one_invoice(tmp_path: Path, header: str, row: str, *,
                date_order: str | None = None) -> InvoiceRow:
    rows, errors = read_invoices(write(tmp_path, header, row), date_order=date_order)
    assert errors == []
    assert len(rows) == 1
    return rows[0]


def only_errors(tmp_path: Path, header: str, *rows: str) -> list[RowError]:
    good, errors = read_invoices(write(tmp_path, header, *rows))
    assert good == []
    return errors


# --------------------------------------------------------------------------- columns


def test_canonical_columns_are_found_whatever_their_case_spacing_and_separators(
        tmp_path: Path) -> None:
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "INV-1.pdf").write_bytes(PDF_BYTES)
    path = write(
        tmp_path,
        " Invoice_Number ,CLIENT,E-Mail,Amount,currency,Issue Date,due.date,CC,Balance,PDF,"
        "TimeZone,Locale,COUNTRY,Message-ID",
        "INV-1,Acme Ltd,ap@acme.test,100.00,eur,2026-03-01,2026-03-31,boss@acme.test,40.00,"
        "pdf/INV-1.pdf,Europe/Berlin,de_DE,de,<inv-1@billing.test>",
    )
    rows, errors = read_invoices(path)
    assert errors == []
    assert rows == [InvoiceRow(
        line=2, number="INV-1", client="Acme Ltd", email="ap@acme.test",
        cc=("boss@acme.test",), amount=Decimal("100.00"), currency="EUR",
        issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31), balance=Decimal("40.00"),
        pdf=(tmp_path / "pdf" / "INV-1.pdf").resolve(), timezone="Europe/Berlin",
        locale="de_DE", country="DE", message_id="<inv-1@billing.test>")]


def test_optional_columns_left_empty_come_back_as_none(tmp_path: Path) -> None:
    row = one_invoice(tmp_path, HEADER + ",balance,pdf,timezone,locale,country,message_id",
                      "INV-1,Acme,ap@acme.test,10,USD,2026-03-01,2026-03-31,,,,,,")
    assert (row.balance, row.pdf, row.timezone, row.locale, row.country, row.message_id) == (
        None, None, None, None, None, None)
    assert row.cc == ()


def test_a_quickbooks_invoice_list_export_with_report_titles_and_totals_is_read(
        tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Invoice List",
        "Example Co",
        "All Dates",
        "",
        "Date,Transaction type,No.,Customer,Bill Email,Due date,Amount,Open balance",
        '03/02/2026,Invoice,1001,Northwind Traders,ap@northwind.test,04/01/2026,"$1,234.56",'
        '"$1,234.56"',
        "03/15/2026,Invoice,1002,Bluebird LLC,billing@bluebird.test,04/14/2026,$480.00,$0.00",
        ',,,,,,"$1,714.56","$1,234.56"',
        'TOTAL,,,,,,"$1,714.56","$1,234.56"',
    )
    rows, errors = read_invoices(path, default_currency="USD")
    assert [(r.line, r.number, r.client, r.email) for r in rows] == [
        (6, "1001", "Northwind Traders", "ap@northwind.test"),
        (7, "1002", "Bluebird LLC", "billing@bluebird.test")]
    assert rows[0].issue_date == date(2026, 3, 2)      # month first: 03/15 decides it
    assert rows[0].due_date == date(2026, 4, 1)
    assert (rows[0].amount, rows[0].balance, rows[0].currency) == (
        Decimal("1234.56"), Decimal("1234.56"), "USD")
    assert rows[1].balance == Decimal("0.00")
    # the unlabelled subtotal line is not an invoice and says so; the TOTAL line is skipped
    assert [e.line for e in errors] == [8]
    assert "invoice_number" in errors[0].message


def test_a_xero_export_repeating_each_invoice_per_line_item_gives_one_invoice_each(
        tmp_path: Path) -> None:
    header = ("*ContactName,EmailAddress,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,Total,"
              "InvoiceAmountDue,*Description,*Quantity,*UnitAmount,LineAmount,Currency")
    path = write(
        tmp_path, header,
        "Kite & Key Ltd,accounts@kitekey.test,INV-0007,PO 12,31/03/2026,30/04/2026,150.00,150.00,"
        "Design,1,100.00,100.00,GBP",
        # a line item description may span lines: it is not used, so it does no harm
        'Kite & Key Ltd,accounts@kitekey.test,INV-0007,PO 12,31/03/2026,30/04/2026,150.00,150.00,'
        '"Hosting\nfor March",1,50.00,50.00,GBP',
        "Oak Street Dental,office@oak.test,INV-0008,,01/04/2026,01/05/2026,90.00,45.00,"
        "Support,3,30.00,90.00,GBP",
    )
    rows, errors = read_invoices(path)
    assert errors == []
    assert [(r.line, r.number, r.amount, r.balance) for r in rows] == [
        (2, "INV-0007", Decimal("150.00"), Decimal("150.00")),
        (5, "INV-0008", Decimal("90.00"), Decimal("45.00"))]
    assert rows[0].issue_date == date(2026, 3, 31)
    assert rows[0].client == "Kite & Key Ltd"


def test_xero_line_items_that_disagree_on_invoice_values_are_an_error_for_the_later_line(
        tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "*ContactName,EmailAddress,*InvoiceNumber,*InvoiceDate,*DueDate,Total,Currency",
        "Acme,ap@acme.test,INV-1,2026-03-01,2026-03-31,150.00,GBP",
        "Acme,ap@acme.test,INV-1,2026-03-01,2026-04-30,150.00,GBP",
    )
    rows, errors = read_invoices(path)
    assert [(r.line, r.due_date) for r in rows] == [(2, date(2026, 3, 31))]
    assert len(errors) == 1 and errors[0].line == 3
    assert "INV-1" in errors[0].message and "line 2" in errors[0].message
    assert "due_date" in errors[0].message


def test_an_identical_duplicate_row_is_merged_but_a_different_one_is_an_error(
        tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER,
        "INV-1,Acme,ap@acme.test,100.00,EUR,2026-03-01,2026-03-31",
        "INV-1,Acme,ap@acme.test,100,eur,2026-03-01,2026-03-31",    # same values, other text
        "INV-1,Acme,ap@acme.test,120.00,EUR,2026-03-01,2026-03-31",
    )
    rows, errors = read_invoices(path)
    assert [(r.line, r.amount) for r in rows] == [(2, Decimal("100.00"))]
    assert [e.line for e in errors] == [4]
    assert "amount" in errors[0].message


def test_a_required_column_missing_from_the_header_names_it_and_its_accepted_names(
        tmp_path: Path) -> None:
    path = write(tmp_path, "invoice_number,client,amount,currency,issue_date,due_date",
                 "INV-1,Acme,10,EUR,2026-03-01,2026-03-31")
    with pytest.raises(ImportFileError) as info:
        read_invoices(path)
    message = str(info.value)
    assert "email" in message
    assert "EmailAddress" in message and "Bill Email" in message and "Customer Email" in message


def test_the_currency_column_is_required_only_without_a_default_currency(
        tmp_path: Path) -> None:
    path = write(tmp_path, "invoice_number,client,email,amount,issue_date,due_date",
                 "INV-1,Acme,ap@acme.test,10.5,2026-03-01,2026-03-31")
    with pytest.raises(ImportFileError, match="currency"):
        read_invoices(path)
    rows, errors = read_invoices(path, default_currency="CHF")
    assert errors == []
    assert (rows[0].currency, rows[0].amount) == ("CHF", Decimal("10.50"))


def test_an_empty_currency_cell_falls_back_to_the_code_in_the_amount_then_the_default(
        tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "INV-1,Acme,ap@acme.test,USD 10.00,,2026-03-01,2026-03-31",
                 "INV-2,Acme,ap@acme.test,10.00,,2026-03-01,2026-03-31")
    rows, errors = read_invoices(path, default_currency="EUR")
    assert errors == []
    assert [r.currency for r in rows] == ["USD", "EUR"]


def test_a_file_that_names_no_expected_column_has_no_header(tmp_path: Path) -> None:
    path = write(tmp_path, "INV-1,Acme,ap@acme.test,10,EUR,2026-03-01,2026-03-31")
    with pytest.raises(ImportFileError, match="no header"):
        read_invoices(path)


def test_a_semicolon_separated_file_from_a_european_spreadsheet_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "Rechnung;client;email;amount;currency;issue_date;due_date;"
                           "invoice_number",
                 "x;Müller GmbH;buchhaltung@mueller.test;1.234,56;EUR;31.03.2026;30.04.2026;R-1")
    rows, errors = read_invoices(path)
    assert errors == []
    assert (rows[0].number, rows[0].amount, rows[0].due_date) == (
        "R-1", Decimal("1234.56"), date(2026, 4, 30))


# --------------------------------------------------------------------------- addresses


def test_several_addresses_in_the_email_column_give_the_first_as_email_and_the_rest_as_cc(
        tmp_path: Path) -> None:
    row = one_invoice(
        tmp_path, HEADER + ",cc",
        'INV-1,Acme,"ap@acme.test; boss@acme.test, cfo@acme.test",10,EUR,2026-03-01,2026-03-31,'
        '"audit@acme.test;BOSS@acme.test"')
    assert row.email == "ap@acme.test"
    assert row.cc == ("boss@acme.test", "cfo@acme.test", "audit@acme.test")


@pytest.mark.parametrize("address", [
    "Bob <bob@acme.test>",
    '"Bob" bob@acme.test',
    "bob @acme.test",
    "bob@localhost",
    "bob@@acme.test",
    "bob",
    "bob@acme..test",
    "bob@-acme.test",
    ".bob@acme.test",
])
def test_an_address_that_is_not_a_plain_address_is_a_row_error(tmp_path: Path,
                                                              address: str) -> None:
    quoted = '"' + address.replace('"', '""') + '"'
    errors = only_errors(tmp_path, HEADER,
                         f"INV-1,Acme,{quoted},10,EUR,2026-03-01,2026-03-31")
    assert len(errors) == 1 and errors[0].line == 2
    assert errors[0].message.startswith(f"email {address!r}")


def test_a_bad_address_in_the_cc_column_names_the_cc_column(tmp_path: Path) -> None:
    errors = only_errors(tmp_path, HEADER + ",cc",
                         "INV-1,Acme,ap@acme.test,10,EUR,2026-03-01,2026-03-31,not-an-address")
    assert [e.message.split()[0] for e in errors] == ["cc"]


def test_an_internationalised_domain_is_stored_as_punycode(tmp_path: Path) -> None:
    row = one_invoice(tmp_path, HEADER, "INV-1,Müller,ap@müller.test,10,EUR,2026-03-01,2026-03-31")
    assert row.email == "ap@xn--mller-kva.test"


# --------------------------------------------------------------------------- header injection


def test_a_line_break_in_the_email_column_is_rejected_so_no_header_can_be_injected(
        tmp_path: Path) -> None:
    path = tmp_path / "invoices.csv"
    path.write_bytes((HEADER + "\r\n"
                      'INV-1,Acme,"a@b.test\r\nBcc: x@evil.test",10,EUR,2026-03-01,2026-03-31\r\n'
                      "INV-2,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31\r\n").encode())
    rows, errors = read_invoices(path)
    assert [r.number for r in rows] == ["INV-2"]
    assert [e.line for e in errors] == [2]
    assert errors[0].message.startswith("email ")
    assert "line break or control character" in errors[0].message
    assert "\r" not in errors[0].message and "\n" not in errors[0].message


@pytest.mark.parametrize("client", ["Acme\nBcc: x@evil.test", "Acme\rLtd", "Acme\x00",
                                    "Acme\x1b[31m", "Acme\u2028Ltd", "Acme\x85Ltd"])
def test_a_client_name_with_a_line_break_or_control_character_is_rejected(
        tmp_path: Path, client: str) -> None:
    quoted = '"' + client + '"'
    path = tmp_path / "invoices.csv"
    path.write_bytes(
        f"{HEADER}\nINV-1,{quoted},a@b.test,10,EUR,2026-03-01,2026-03-31\n".encode())
    rows, errors = read_invoices(path)
    assert rows == []
    assert len(errors) == 1 and errors[0].line == 2
    assert errors[0].message.startswith("client ")
    assert "control character" in errors[0].message


def test_a_message_id_is_kept_with_its_angle_brackets_and_a_bare_one_gets_them(
        tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + ",message_id",
                 "INV-1,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,<abc.1@mail.test>",
                 "INV-2,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,abc.2@mail.test",
                 "INV-3,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,<no at sign>")
    rows, errors = read_invoices(path)
    assert [r.message_id for r in rows] == ["<abc.1@mail.test>", "<abc.2@mail.test>"]
    assert [e.line for e in errors] == [4]
    assert errors[0].message.startswith("message_id '<no at sign>'")


# --------------------------------------------------------------------------- bad rows


def test_bad_rows_are_reported_with_their_line_numbers_while_good_rows_still_come_back(
        tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER,
        "INV-1,Acme,ap@acme.test,10.00,EUR,2026-03-01,2026-03-31",       # line 2
        "",                                                             # line 3: skipped
        "INV-2,Acme,,10.00,EUR,2026-03-01,2026-03-31",                   # line 4
        'INV-3,"Acme\nLtd",ap@acme.test,10.00,EUR,2026-03-01,2026-03-31',  # lines 5-6
        "INV-4,Acme,ap@acme.test,10.00,EUR,2026-03-01,31/02/2026",       # line 7
        "INV-5,Acme,ap@acme.test,-5.00,EUR,2026-03-01,2026-03-31",       # line 8
        "INV-6,Acme,ap@acme.test,10.00,EUR,2026-03-31,2026-03-01",       # line 9
        "INV-7,Acme,ap@acme.test,0.00,XYZ,2026-03-01,2026-03-31",        # line 10
        "INV-8,Acme,ap@acme.test,10.00,EUR,2026-03-01,2026-03-31",       # line 11
    )
    rows, errors = read_invoices(path, date_order="DMY")
    assert [(r.line, r.number) for r in rows] == [(2, "INV-1"), (11, "INV-8")]
    assert [e.line for e in errors] == [4, 5, 7, 8, 9, 10]
    messages = {e.line: e.message for e in errors}
    assert messages[4] == "email is missing"
    assert messages[5].startswith("client 'Acme\\nLtd' contains a line break")
    assert messages[7].startswith("due_date '31/02/2026' is not a date")
    assert messages[8].startswith("amount must be positive")
    assert messages[9] == "due_date 2026-03-01 is before issue_date 2026-03-31"
    assert messages[10].startswith("currency 'XYZ' is not an ISO 4217")


def test_several_missing_values_on_one_line_are_named_together(tmp_path: Path) -> None:
    errors = only_errors(tmp_path, HEADER, "INV-1,,,10,EUR,,2026-03-31")
    assert errors == [RowError(2, "client, email, issue_date are missing")]


@pytest.mark.parametrize("amount", ["0", "0.00", "-1.00", "(100.00)", "$(5.00)"])
def test_a_zero_or_negative_invoice_amount_is_a_row_error(tmp_path: Path, amount: str) -> None:
    errors = only_errors(tmp_path, HEADER,
                         f'INV-1,Acme,a@b.test,"{amount}",EUR,2026-03-01,2026-03-31')
    assert len(errors) == 1
    assert errors[0].message.startswith("amount must be positive")


def test_a_zero_balance_is_accepted_and_means_paid(tmp_path: Path) -> None:
    row = one_invoice(tmp_path, HEADER + ",balance",
                      "INV-1,Acme,a@b.test,10.00,EUR,2026-03-01,2026-03-31,0")
    assert row.balance == Decimal("0.00")


@pytest.mark.parametrize(("balance", "problem"), [("-1.00", "must not be negative"),
                                                  ("11.00", "more than the amount")])
def test_a_balance_below_zero_or_above_the_amount_is_a_row_error(
        tmp_path: Path, balance: str, problem: str) -> None:
    errors = only_errors(tmp_path, HEADER + ",balance",
                         f"INV-1,Acme,a@b.test,10.00,EUR,2026-03-01,2026-03-31,{balance}")
    assert len(errors) == 1 and problem in errors[0].message


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(("text", "expected"), [
    ("1234.56", "1234.56"),
    ("1,234.56", "1234.56"),
    ("1.234,56", "1234.56"),
    ("1 234,56", "1234.56"),
    ("1\u00a0234,56", "1234.56"),
    ("$1,234.56", "1234.56"),
    ("\u20ac 1.234,56", "1234.56"),
    ("EUR 12.00", "12.00"),
    ("12,00 EUR", "12.00"),
    ("1'234.50", "1234.50"),
    ("12", "12.00"),
    ("1,234,567.8", "1234567.80"),
])
def test_every_amount_format_is_read_exactly_as_a_decimal(tmp_path: Path, text: str,
                                                          expected: str) -> None:
    row = one_invoice(tmp_path, HEADER, f'INV-1,Acme,a@b.test,"{text}",EUR,2026-03-01,2026-03-31')
    assert isinstance(row.amount, Decimal)
    assert row.amount == Decimal(expected)
    assert str(row.amount) == expected          # rounded to the currency's decimals, exactly


def test_a_bracketed_amount_is_negative(tmp_path: Path) -> None:
    row = one_invoice(tmp_path, HEADER + ",balance",
                      "INV-1,Acme,a@b.test,100.00,EUR,2026-03-01,2026-03-31,(0.00)")
    assert row.balance == Decimal("0.00")
    pays, errors = read_payments(write(tmp_path, "invoice_number,amount,date",
                                       "INV-1,(100.00),2026-03-01", name="p.csv"))
    assert pays == []
    assert errors[0].message.startswith("amount must be positive")


@pytest.mark.parametrize("text", ["abc", "12 EUR 5", "1,2,3", "12.34.56,7,8", "Fr. 5"])
def test_text_that_is_not_an_amount_is_a_row_error_naming_the_column(tmp_path: Path,
                                                                      text: str) -> None:
    errors = only_errors(tmp_path, HEADER,
                         f'INV-1,Acme,a@b.test,"{text}",EUR,2026-03-01,2026-03-31')
    assert len(errors) == 1
    assert errors[0].message.startswith(f"amount {text!r}")


def test_an_amount_written_in_another_currency_than_the_currency_column_is_rejected(
        tmp_path: Path) -> None:
    errors = only_errors(tmp_path, HEADER,
                         'INV-1,Acme,a@b.test,"\u20ac 12,00",USD,2026-03-01,2026-03-31')
    assert len(errors) == 1 and "EUR" in errors[0].message and "USD" in errors[0].message


def test_more_decimal_places_than_the_currency_has_is_rejected(tmp_path: Path) -> None:
    errors = only_errors(tmp_path, HEADER,
                         "INV-1,Acme,a@b.test,12.345,USD,2026-03-01,2026-03-31",
                         "INV-2,Acme,a@b.test,1.5,JPY,2026-03-01,2026-03-31")
    assert [e.line for e in errors] == [2, 3]
    assert all("decimal places" in e.message for e in errors)


def test_a_lone_three_digit_group_is_read_by_the_files_decimal_mark(tmp_path: Path) -> None:
    dot_file = write(tmp_path, HEADER,
                     'INV-1,Acme,a@b.test,"1,234",EUR,2026-03-01,2026-03-31',
                     'INV-2,Acme,a@b.test,"2,500.50",EUR,2026-03-01,2026-03-31')
    rows, errors = read_invoices(dot_file)
    assert errors == []
    assert rows[0].amount == Decimal("1234.00")
    comma_file = write(tmp_path, HEADER,
                       "INV-1,Acme,a@b.test,1.234,KWD,2026-03-01,2026-03-31",
                       'INV-2,Acme,a@b.test,"2,5",KWD,2026-03-01,2026-03-31', name="c.csv")
    rows, errors = read_invoices(comma_file)
    assert errors == []
    assert rows[0].amount == Decimal("1234.000")


def test_a_lone_three_digit_group_in_a_three_decimal_currency_with_no_hint_is_an_error(
        tmp_path: Path) -> None:
    errors = only_errors(tmp_path, HEADER, 'INV-1,Acme,a@b.test,"1,234",KWD,2026-03-01,2026-03-31')
    assert len(errors) == 1 and "ambiguous" in errors[0].message


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text", ["2026-03-31", "31/03/2026", "03/31/2026", "31.03.2026",
                                  "31-Mar-2026", "Mar 31, 2026", "2026/03/31", "31-03-2026",
                                  "March 31 2026", "31 March 2026", "2026-03-31 00:00:00"])
def test_every_date_format_is_read(tmp_path: Path, text: str) -> None:
    row = one_invoice(tmp_path, HEADER, f'INV-1,Acme,a@b.test,10,EUR,"{text}","{text}"')
    assert row.issue_date == row.due_date == date(2026, 3, 31)


def test_a_day_above_twelve_anywhere_makes_the_whole_file_day_first(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "INV-1,Acme,a@b.test,10,EUR,04/03/2026,05/03/2026",
                 "INV-2,Acme,a@b.test,10,EUR,01/03/2026,31/03/2026")
    rows, errors = read_invoices(path)
    assert errors == []
    assert (rows[0].issue_date, rows[0].due_date) == (date(2026, 3, 4), date(2026, 3, 5))


def test_a_second_part_above_twelve_anywhere_makes_the_whole_file_month_first(
        tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "INV-1,Acme,a@b.test,10,EUR,04/03/2026,05/03/2026",
                 "INV-2,Acme,a@b.test,10,EUR,03/01/2026,03/31/2026")
    rows, errors = read_invoices(path)
    assert errors == []
    assert (rows[0].issue_date, rows[0].due_date) == (date(2026, 4, 3), date(2026, 5, 3))


def test_a_file_whose_dates_are_all_ambiguous_asks_for_the_date_order_option(
        tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "INV-1,Acme,a@b.test,10,EUR,03/04/2026,05/04/2026")
    with pytest.raises(ImportFileError, match="--date-order") as info:
        read_invoices(path)
    assert "03/04/2026" in str(info.value)
    rows, _ = read_invoices(path, date_order="MDY")
    assert rows[0].issue_date == date(2026, 3, 4)
    rows, _ = read_invoices(path, date_order="DMY")
    assert rows[0].issue_date == date(2026, 4, 3)


def test_dates_that_read_the_same_either_way_need_no_date_order(tmp_path: Path) -> None:
    row = one_invoice(tmp_path, HEADER, "INV-1,Acme,a@b.test,10,EUR,01/01/2026,2026-02-01")
    assert row.issue_date == date(2026, 1, 1)


def test_a_file_mixing_day_first_and_month_first_dates_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "INV-1,Acme,a@b.test,10,EUR,31/03/2026,30/04/2026",
                 "INV-2,Acme,a@b.test,10,EUR,03/31/2026,04/30/2026")
    with pytest.raises(ImportFileError, match="mix") as info:
        read_invoices(path)
    assert "line 2" in str(info.value) and "line 3" in str(info.value)


def test_an_explicit_date_order_wins_and_dates_that_contradict_it_are_row_errors(
        tmp_path: Path) -> None:
    path = write(tmp_path, HEADER,
                 "INV-1,Acme,a@b.test,10,EUR,31/03/2026,30/04/2026",
                 "INV-2,Acme,a@b.test,10,EUR,03/04/2026,03/05/2026")
    rows, errors = read_invoices(path, date_order="MDY")
    assert [(r.number, r.issue_date) for r in rows] == [("INV-2", date(2026, 3, 4))]
    assert [e.line for e in errors] == [2, 2]
    assert errors[0].message.startswith("issue_date '31/03/2026' is not a date")
    assert "MDY" in errors[0].message


def test_dotted_dates_are_always_day_first(tmp_path: Path) -> None:
    row = one_invoice(tmp_path, HEADER, "INV-1,Acme,a@b.test,10,EUR,04.03.2026,05.03.2026",
                      date_order="MDY")
    assert (row.issue_date, row.due_date) == (date(2026, 3, 4), date(2026, 3, 5))


def test_an_unknown_date_order_argument_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="YMD"):
        read_invoices(write(tmp_path, HEADER, "INV-1,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31"),
                      date_order="YMD")


# --------------------------------------------------------------------------- pdf, zone, locale


def test_a_pdf_path_is_resolved_against_the_csv_folder_not_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "exports"
    (data / "pdfs").mkdir(parents=True)
    (data / "pdfs" / "INV-1.pdf").write_bytes(PDF_BYTES)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(data, HEADER + ",pdf",
                 "INV-1,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,pdfs/INV-1.pdf")
    rows, errors = read_invoices(Path("..") / "exports" / path.name)
    assert errors == []
    assert rows[0].pdf == (data / "pdfs" / "INV-1.pdf").resolve()
    assert rows[0].pdf.is_absolute()


def test_a_missing_pdf_or_a_file_that_is_not_a_pdf_is_a_row_error(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_text("just text")
    path = write(tmp_path, HEADER + ",pdf",
                 "INV-1,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,missing.pdf",
                 "INV-2,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,notes.pdf")
    rows, errors = read_invoices(path)
    assert rows == []
    assert errors[0].line == 2 and errors[0].message.startswith("pdf 'missing.pdf' is not there")
    assert str(tmp_path / "missing.pdf") in errors[0].message
    assert errors[1].line == 3 and errors[1].message == "pdf 'notes.pdf' is not a PDF file"


def test_timezone_locale_and_country_are_validated_and_normalised(tmp_path: Path) -> None:
    header = HEADER + ",timezone,locale,country"
    row = one_invoice(tmp_path, header,
                      "INV-1,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,europe/berlin,de-de,at")
    assert (row.timezone, row.locale, row.country) == ("Europe/Berlin", "de_DE", "AT")
    errors = only_errors(tmp_path, header,
                         "INV-1,Acme,a@b.test,10,EUR,2026-03-01,2026-03-31,Mars/Olympus,xx,Germany")
    assert [e.message.split()[0] for e in errors] == ["timezone", "locale", "country"]
    assert all(e.line == 2 for e in errors)


# --------------------------------------------------------------------------- encodings, files


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff".encode() + (
        f"{HEADER}\nINV-1,Müller & Söhne,a@b.test,10,EUR,2026-03-01,2026-03-31\n").encode())
    rows, errors = read_invoices(path)
    assert errors == []
    assert rows[0].number == "INV-1" and rows[0].client == "Müller & Söhne"


def test_a_windows_1252_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes((f"{HEADER}\nINV-1,Café Zoë \u2013 Crème,a@b.test,\u20ac 10,EUR,"
                      "2026-03-01,2026-03-31\n").encode("cp1252"))
    rows, errors = read_invoices(path)
    assert errors == []
    assert rows[0].client == "Café Zoë \u2013 Crème"
    assert rows[0].amount == Decimal("10.00")


def test_a_file_that_is_neither_utf8_nor_windows_1252_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(f"{HEADER}\nINV-1,Acme\x81,a@b.test,10,EUR,2026-03-01,2026-03-31\n"
                     .encode("latin-1"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        read_invoices(path)


def test_a_utf16_file_with_a_byte_order_mark_from_excel_unicode_text_is_read(
        tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes((f"{HEADER}\nINV-1,Zoë,a@b.test,10,EUR,2026-03-01,2026-03-31\n"
                      .replace(",", "\t")).encode("utf-16"))
    rows, errors = read_invoices(path)
    assert errors == [] and rows[0].client == "Zoë"


def test_an_excel_sep_line_chooses_the_delimiter_and_still_counts_as_a_line(
        tmp_path: Path) -> None:
    path = write(tmp_path, "sep=;", HEADER.replace(",", ";"),
                 'INV-1;"Acme, Inc.";a@b.test;10,50;EUR;2026-03-01;2026-03-31')
    rows, errors = read_invoices(path)
    assert errors == []
    assert (rows[0].line, rows[0].client, rows[0].amount) == (3, "Acme, Inc.", Decimal("10.50"))


def test_a_spreadsheet_workbook_given_instead_of_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "invoices.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ImportFileError, match="export it as CSV"):
        read_invoices(path)


def test_a_missing_file_and_an_empty_file_are_import_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="not found"):
        read_invoices(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\n\n")
    with pytest.raises(ImportFileError, match="empty"):
        read_invoices(empty)


# --------------------------------------------------------------------------- payments


def test_a_payments_file_is_read_with_its_column_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "Invoice No,Payment Date,Amount Paid,Memo",
                 'INV-1,2026-03-15,"1,000.00",bank transfer 42',
                 "INV-2,16-Mar-2026,$25.50,",
                 name="payments.csv")
    rows, errors = read_payments(path)
    assert errors == []
    assert rows == [
        PaymentRow(2, "INV-1", Decimal("1000.00"), date(2026, 3, 15), "bank transfer 42"),
        PaymentRow(3, "INV-2", Decimal("25.50"), date(2026, 3, 16), None),
    ]


def test_payment_rows_with_problems_are_reported_and_the_rest_come_back(tmp_path: Path) -> None:
    path = write(tmp_path, "Num,Date,Amount,Ref",
                 "INV-1,15/03/2026,100.00,a",
                 ",16/03/2026,100.00,b",
                 "INV-3,32/03/2026,100.00,c",
                 "INV-4,17/03/2026,0,d",
                 'INV-5,18/03/2026,50.00,"x\r\nBcc: e@evil.test"',
                 name="payments.csv")
    rows, errors = read_payments(path)
    assert [(r.line, r.invoice_number, r.date) for r in rows] == [(2, "INV-1", date(2026, 3, 15))]
    assert [(e.line, e.message.split()[0]) for e in errors] == [
        (3, "invoice_number"), (4, "date"), (5, "amount"), (6, "reference")]


def test_a_payments_file_with_only_ambiguous_dates_needs_a_date_order(tmp_path: Path) -> None:
    path = write(tmp_path, "invoice_number,amount,date", "INV-1,10,02/03/2026", name="p.csv")
    with pytest.raises(ImportFileError, match="--date-order"):
        read_payments(path)
    rows, errors = read_payments(path, date_order="DMY")
    assert errors == [] and rows[0].date == date(2026, 3, 2)


def test_a_payments_file_without_an_amount_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "invoice_number,date", "INV-1,2026-03-02", name="p.csv")
    with pytest.raises(ImportFileError, match="amount") as info:
        read_payments(path)
    assert "Payment Amount" in str(info.value) and "Amount Paid" in str(info.value)
