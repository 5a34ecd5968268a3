"""The message templates: the shipped set renders, and every failure names its file and line."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from bot.core.model import Client, Invoice
from bot.templates import (
    MessageTemplates,
    TemplateError,
    default_directory,
    format_date,
    format_money,
    message_context,
    sample_context,
)

SHIPPED = MessageTemplates(default_directory())
MESSAGES = ["collections", "courtesy", "final_notice", "firm", "invoice_copy",
            "payment_not_received", "payment_thanks", "promise_missed", "reminder", "stop_service"]
LOCALES = ["de", "en"]
#: How each shipped language says that invoice copies come with the message.
ATTACHED = {"en": ("attached",), "de": ("im Anhang", "beigefügt", "liegt dieser E-Mail bei")}
COMPANY = {"name": "Acme Ltd", "email": "ar@acme.example", "phone": "", "website": "",
           "signature": "The accounts team", "payment_details": ""}
TODAY = date(2025, 3, 20)


def write(root: Path, files: dict[str, str]) -> MessageTemplates:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return MessageTemplates(root)


def invoice(number: str = "INV-1", *, amount: str = "100.00", balance: str | None = None,
            currency: str = "EUR", due: date = date(2025, 3, 10)) -> Invoice:
    return Invoice(number=number, client_id="c1", amount=Decimal(amount),
                   balance=Decimal(balance if balance is not None else amount),
                   currency=currency, issue_date=date(2025, 2, 8), due_date=due)


def context_for(client_name: str = "Acme Client", *, locale: str = "en",
                invoices: list[Invoice] | None = None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    client = Client(id="c1", name=client_name, email="pay@client.example", locale=locale)
    return message_context(company=COMPANY, client=client, invoices=invoices or [invoice()],
                           today=TODAY, locale=locale, extra=extra)


# -- the shipped set ----------------------------------------------------------------------------


def test_the_shipped_folder_has_the_ten_messages_in_english_and_german() -> None:
    assert SHIPPED.names() == MESSAGES
    assert SHIPPED.locales() == LOCALES
    assert (default_directory() / "en" / "reminder.txt").is_file()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", MESSAGES)
def test_every_shipped_message_renders_with_every_invoice_in_text_and_html(
        name: str, locale: str) -> None:
    ctx = sample_context(locale, name)
    rendered = SHIPPED.render(name, locale, ctx)
    assert rendered.locale == locale
    assert rendered.subject.strip() and "\n" not in rendered.subject
    assert rendered.text.strip() and rendered.html.strip()
    assert rendered.html.lstrip().startswith("<!DOCTYPE html>")
    for inv in ctx["invoices"]:
        for part in (rendered.text, rendered.html):
            assert inv["number"] in part
            assert inv["amount"] in part
            if name != "payment_thanks":
                assert inv["due_date"] in part
                assert inv["balance"] in part


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", MESSAGES)
def test_every_message_but_the_thank_you_says_the_invoice_copies_are_attached(
        name: str, locale: str) -> None:
    rendered = SHIPPED.render(name, locale, sample_context(locale, name))
    for part in (rendered.text, rendered.html):
        says_attached = any(phrase in part for phrase in ATTACHED[locale])
        assert says_attached == (name != "payment_thanks")


@pytest.mark.parametrize("locale", LOCALES)
def test_messages_with_a_date_of_their_own_show_it_in_subject_text_and_html(locale: str) -> None:
    for name, key in [("stop_service", "stop_date"), ("collections", "handoff_date"),
                      ("promise_missed", "promise_date")]:
        ctx = sample_context(locale, name)
        rendered = SHIPPED.render(name, locale, ctx)
        for part in (rendered.subject, rendered.text, rendered.html):
            assert ctx[key] in part, (name, part)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_thank_you_says_whether_a_balance_remains(locale: str) -> None:
    ctx = sample_context(locale, "payment_thanks")
    with_balance = SHIPPED.render("payment_thanks", locale, ctx)
    assert ctx["payment"]["remaining"] in with_balance.text
    assert ctx["payment"]["remaining"] in with_balance.html
    settled = SHIPPED.render("payment_thanks", locale,
                             {**ctx, "payment": {**ctx["payment"], "remaining": ""}})
    assert ctx["payment"]["amount"] in settled.text
    assert settled.text != with_balance.text
    settled_word = {"en": "settled", "de": "vollständig beglichen"}[locale]
    assert settled_word in settled.text and settled_word in settled.html


def test_a_single_invoice_is_named_in_the_subject() -> None:
    ctx = context_for(invoices=[invoice("INV-77")])
    for name in MESSAGES:
        extra = {k: v for k, v in sample_context("en", name).items()
                 if k in ("promise_date", "payment", "stop_date", "handoff_date")}
        rendered = SHIPPED.render(name, "en", {**ctx, **extra})
        assert "INV-77" in rendered.subject, name


def test_check_finds_no_problems_in_the_shipped_templates() -> None:
    assert SHIPPED.check() == []


# -- errors name the file and the line -----------------------------------------------------------


def test_a_syntax_error_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/broken.subject.txt": "Hello",
        "en/broken.txt": "Dear {{ client.name }},\n\nAll fine here.\n{% endfor %}\n",
        "en/broken.html": "<p>Hello</p>",
    })
    with pytest.raises(TemplateError) as info:
        templates.render("broken", "en", sample_context("en"))
    e = info.value
    assert e.name == "broken"
    assert e.path == str(tmp_path.resolve() / "en" / "broken.txt")
    assert e.line == 4
    assert "endfor" in e.reason
    assert str(e) == f"{e.path}:4: {e.reason}"


def test_an_undefined_variable_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/oops.subject.txt": "Hello",
        "en/oops.txt": "Dear {{ client.name }},\n\nYou owe {{ total_due }}.\n"
                       "{% if count %}\nPay by {{ pay_by_date }}.\n{% endif %}\n",
        "en/oops.html": "<p>Hello</p>",
    })
    with pytest.raises(TemplateError) as info:
        templates.render("oops", "en", sample_context("en"))
    e = info.value
    assert e.path.endswith("oops.txt")
    assert e.line == 5
    assert "pay_by_date" in e.reason and "undefined" in e.reason
    assert isinstance(e.__cause__, UndefinedError)


def test_an_error_inside_a_partial_names_the_partial_and_its_line(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/_footer.txt": "Regards,\n{{ company.name }}\n{{ company.fax_number }}\n",
        "en/note.subject.txt": "Hello",
        "en/note.txt": "Dear {{ client.name }},\n{% include '_footer.txt' %}",
        "en/note.html": "<p>Hello</p>",
    })
    with pytest.raises(TemplateError) as info:
        templates.render("note", "en", sample_context("en"))
    assert info.value.path.endswith("_footer.txt")
    assert info.value.line == 3
    assert info.value.name == "note"


def test_a_missing_part_of_a_message_is_reported_by_file(tmp_path: Path) -> None:
    templates = write(tmp_path, {"en/half.subject.txt": "Hello", "en/half.txt": "Hi"})
    with pytest.raises(TemplateError) as info:
        templates.render("half", "en", sample_context("en"))
    assert info.value.path == str(tmp_path.resolve() / "en" / "half.html")
    assert info.value.line is None
    assert "not found" in info.value.reason
    assert str(info.value) == f"{info.value.path}: {info.value.reason}"


def test_a_message_that_exists_nowhere_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match="no message 'nonexistent'"):
        SHIPPED.render("nonexistent", "de_AT", sample_context("de"))


def test_a_message_name_cannot_reach_outside_the_folder() -> None:
    with pytest.raises(TemplateError, match="not a message name"):
        SHIPPED.resolve_locale("../../etc/passwd", "en")


def test_check_reports_each_broken_file_once_with_its_line(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/_sig.txt": "Regards\n{{ company.name\n",
        "en/one.subject.txt": "One", "en/one.txt": "{% include '_sig.txt' %}",
        "en/one.html": "<p>One</p>",
        "en/two.subject.txt": "Two", "en/two.txt": "{% include '_sig.txt' %}",
        "en/two.html": "<p>Two</p>\n<p>{{ missing_thing }}</p>",
        "de/three.subject.txt": "Drei", "de/three.txt": "Text",
        "de/three.html": "<p>{% if %}</p>",
    })
    problems = sorted(templates.check(), key=str)
    where = sorted((Path(p.path).relative_to(tmp_path.resolve()).as_posix(), p.line)
                   for p in problems)
    assert where == [("de/three.html", 1), ("en/_sig.txt", 2), ("en/two.html", 2)]


def test_check_reports_a_missing_folder() -> None:
    problems = MessageTemplates(Path("/nonexistent/templates")).check()
    assert len(problems) == 1 and "not a folder" in problems[0].reason


# -- safety --------------------------------------------------------------------------------------


def test_the_sandbox_blocks_access_to_python_internals(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/evil.subject.txt": "Hello",
        "en/evil.txt": "Hi\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
        "en/evil.html": "<p>Hi</p>",
    })
    with pytest.raises(TemplateError) as info:
        templates.render("evil", "en", sample_context("en"))
    assert isinstance(info.value.__cause__, SecurityError)
    assert "unsafe" in info.value.reason
    assert info.value.path.endswith("evil.txt") and info.value.line == 2


def test_html_escapes_a_client_name_but_text_keeps_it_as_written() -> None:
    name = '<script>alert("x")</script> & Co'
    rendered = SHIPPED.render("reminder", "en", context_for(name))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in rendered.html
    assert name in rendered.text


def test_a_subject_with_line_breaks_from_the_data_comes_out_as_one_line() -> None:
    sneaky = invoice("INV-9\r\nBcc: victim@example.com\u2028X")
    rendered = SHIPPED.render("reminder", "en", context_for(invoices=[sneaky]))
    assert "\r" not in rendered.subject and "\n" not in rendered.subject
    assert "\u2028" not in rendered.subject
    assert "INV-9 Bcc: victim@example.com X" in rendered.subject


# -- locales and formatting ----------------------------------------------------------------------


def test_a_regional_locale_falls_back_to_its_language_and_then_to_english() -> None:
    assert SHIPPED.resolve_locale("reminder", "de_AT") == "de"
    assert SHIPPED.resolve_locale("reminder", "de-CH") == "de"
    assert SHIPPED.resolve_locale("reminder", "fr") == "en"
    assert SHIPPED.resolve_locale("reminder", "fr_CA") == "en"
    rendered = SHIPPED.render("reminder", "de_AT", sample_context("de_AT"))
    assert rendered.locale == "de"
    assert "Zahlungserinnerung" in rendered.subject
    assert SHIPPED.render("reminder", "fr", sample_context("fr")).subject.startswith("Friendly")


def test_a_regional_folder_wins_and_borrows_the_partials_of_its_language(tmp_path: Path) -> None:
    shutil.copytree(default_directory(), tmp_path, dirs_exist_ok=True)
    templates = write(tmp_path, {
        "de_AT/reminder.subject.txt": "Servus: Rechnung {{ invoices[0].number }}",
        "de_AT/reminder.txt": "Grüß Gott,\n\n{% include '_invoices.txt' %}\n"
                              "{% include '_signature.txt' %}",
        "de_AT/reminder.html": "{% extends '_layout.html' %}{% block content %}"
                               "<p>Grüß Gott</p>{% include '_invoices.html' %}{% endblock %}",
    })
    assert templates.resolve_locale("reminder", "de_AT") == "de_AT"
    assert templates.resolve_locale("firm", "de_AT") == "de"
    rendered = templates.render("reminder", "de_AT", sample_context("de_AT"))
    assert rendered.locale == "de_AT"
    assert rendered.subject == "Servus: Rechnung INV-2025-0142"
    # the German list and signature, also inside the layout shared with English
    assert "Offener Betrag" in rendered.text and "Mit freundlichen Grüßen" in rendered.text
    assert "Offener Betrag" in rendered.html and "Mit freundlichen Grüßen" in rendered.html
    assert "Kind regards" not in rendered.html
    assert 'lang="de-AT"' in rendered.html
    assert templates.check() == []


def test_german_money_is_formatted_the_german_way() -> None:
    # babel puts a no-break space between amount and symbol, so the two never wrap apart
    assert format_money(Decimal("1234.56"), "EUR", "de") == "1.234,56\u00a0€"
    assert format_money(Decimal("1234.56"), "EUR", "de").replace("\u00a0", " ") == "1.234,56 €"
    assert format_money(Decimal("1234.56"), "EUR", "en") == "€1,234.56"
    text = SHIPPED.render("reminder", "de", sample_context("de")).text
    assert "1.234,56\u00a0€" in text


def test_dates_are_written_out_in_the_clients_language() -> None:
    assert format_date(date(2025, 3, 14), "de") == "14. März 2025"
    assert format_date(date(2025, 3, 14), "en") == "March 14, 2025"
    assert format_date(date(2025, 3, 14), "en_GB") == "14 March 2025"


def test_an_unknown_locale_formats_like_english_instead_of_failing() -> None:
    assert format_money(Decimal("5"), "EUR", "xx_YY") == "€5.00"


def test_the_money_and_date_filters_format_for_the_locale_being_rendered(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/f.subject.txt": "{{ invoices[0].balance_value|money(invoices[0].currency) }}",
        "en/f.txt": "{{ when|date }} / {{ when|date('short') }} / {{ invoices[0].due_date|date }}",
        "en/f.html": "<p>{{ 1234.5|money('USD') }}</p>",
    })
    ctx = {**context_for(), "when": date(2025, 3, 14)}
    german = templates.render("f", "de", ctx)
    assert german.locale == "en"  # the files came from en ...
    assert german.subject == "100,00 €"  # ... but formatting follows the client's locale
    assert german.text == "14. März 2025 / 14.03.25 / March 10, 2025\n"
    assert "1.234,50\u00a0$" in german.html
    assert templates.render("f", "en", ctx).subject == "€100.00"


def test_the_money_filter_refuses_an_already_formatted_amount(tmp_path: Path) -> None:
    templates = write(tmp_path, {
        "en/m.subject.txt": "x", "en/m.html": "x",
        "en/m.txt": "{{ invoices[0].balance|money('EUR') }}",
    })
    with pytest.raises(TemplateError, match=r"m\.txt:1: TypeError: money: .*_value"):
        templates.render("m", "en", context_for())


# -- the context ---------------------------------------------------------------------------------


def test_the_context_lists_invoices_oldest_first_with_formatted_values() -> None:
    later = invoice("INV-2", amount="50.00", due=date(2025, 3, 25))
    earlier = invoice("INV-1", amount="1234.56", balance="234.56", due=date(2025, 3, 1))
    ctx = context_for(invoices=[later, earlier], extra={"stop_date": "April 1, 2025"})
    assert [i["number"] for i in ctx["invoices"]] == ["INV-1", "INV-2"]
    first, second = ctx["invoices"]
    assert first["amount"] == "€1,234.56" and first["balance"] == "€234.56"
    assert first["balance_value"] == Decimal("234.56") and first["currency"] == "EUR"
    assert first["due_date"] == "March 1, 2025" and first["issue_date"] == "February 8, 2025"
    assert first["days_overdue"] == 19
    assert second["days_overdue"] == -5  # not yet due
    assert ctx["total_due"] == "€284.56"
    assert ctx["count"] == 2 and ctx["today"] == "March 20, 2025"
    assert ctx["client"] == {"name": "Acme Client", "email": "pay@client.example"}
    assert ctx["stop_date"] == "April 1, 2025"


def test_totals_in_different_currencies_are_listed_side_by_side() -> None:
    ctx = context_for(invoices=[invoice("A", amount="10"), invoice("B", amount="5",
                                                                    currency="USD"),
                                invoice("C", amount="2.50")])
    assert ctx["total_due"] == "€12.50 + $5.00"


def test_company_details_left_out_by_the_caller_are_empty_rather_than_errors() -> None:
    client = Client(id="c1", name="Acme Client", email="pay@client.example")
    ctx = message_context(company={"name": "Acme Ltd"}, client=client, invoices=[invoice()],
                          today=TODAY, locale="en")
    assert ctx["company"]["payment_details"] == "" and ctx["company"]["name"] == "Acme Ltd"
    assert "Acme Ltd" in SHIPPED.render("reminder", "en", ctx).text


def test_the_sample_context_gives_each_message_only_its_own_extras() -> None:
    assert "stop_date" in sample_context("en", "stop_service")
    assert "handoff_date" in sample_context("en", "collections")
    assert "promise_date" in sample_context("en", "promise_missed")
    assert set(sample_context("de", "payment_thanks")["payment"]) == {"amount", "date",
                                                                      "remaining"}
    plain = sample_context("en", "reminder")
    assert not {"stop_date", "handoff_date", "promise_date", "payment"} & set(plain)
    assert plain["count"] == 2 and len(plain["invoices"]) == 2
