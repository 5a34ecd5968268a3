"""Dates in a client's reply: the day they promise to pay by, and the day someone away is back.

Replies come in English, German, French, Spanish and Dutch; case and accents do not matter
("naechste Woche", "decembre"). Relative words resolve against the sender's local calendar
day ``d`` of the reply's Date header (``sent.date()``, never the UTC day):

- today / tomorrow / the day after tomorrow -> d, d+1, d+2;
- a weekday, also "next Friday" -> the next such weekday strictly after d;
- this week, end of the week -> Friday of d's ISO week; next week -> Friday of the week after;
- end of the month -> its last day; next month -> the last day of the next month;
  early next month -> the 5th of the next month;
- "the 15th", "am 15.", "le 15" -> the first 15th on or after d; an explicit date without a
  year -> the first such date on or after d; dotted numbers are day-first; 12/1 and 1/12 are
  whichever reading comes first on or after d (day-first if neither does), 12/15 can only be
  month-first; ISO dates are year-month-day; impossible dates are no dates;
- in N days / weeks -> d + N days (weeks x 7).

A few readings go beyond the list and follow its spirit: "Friday next week" is that week's
Friday, "mid December" (and "mid-month") the 15th, "early December" the 5th, "in December" its last
day, "the first of the month" the next 1st, "in a day or two" d+2, "end of the quarter" the
quarter's last day, "in 5 business days" skips weekends, "last Friday" and "yesterday" are in
the past, "Friday week" is a week after the coming Friday, "next Tues" and "by Fri" read short
weekday names, "by the weekend" is this week's Friday, "KW 49" and "week 49" the Friday of that
ISO week.

A promise is the date attached to a commitment to pay. The invoice's date, a due date, the
date of an earlier message, a past date, a day told of as done ("we paid on Monday") and the
end of someone's absence are not promises. Of the rest, a date in the same sentence as a word
for paying wins, then one after a word of deadline ("by", "bis", "avant", "antes del",
"uiterlijk"), then the later date: a client who names two days commits to the last.
Out of office, "back on X" gives X and "away until X" gives X + 1 (X is the last day away).

Everything is regular expressions compiled at import, run over a folded copy of the text
(lower case, accents removed, one character for one, so spans carry over to the original).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeAlias

from babel.dates import get_day_names, get_month_names

LOCALES = ("en", "de", "fr", "es", "nl")


@dataclass(frozen=True, slots=True)
class Found:
    day: date
    phrase: str       # the words it was read from, as written in the text
    start: int        # span of the phrase in the text
    end: int


# --- folding: lower case without accents, one character for one ----------------------------

def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x41, 0x250):
        low = chr(code).lower()
        if len(low) != 1:
            continue
        parts = unicodedata.normalize("NFD", low)
        base = parts[0] if all(unicodedata.combining(c) for c in parts[1:]) else low
        if base != chr(code):
            table[code] = base
    table.update({ord(c): "'" for c in "\u2019\u2018\u00b4`"})
    table.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014"})
    table.update({ord(c): " " for c in "\u00a0\u2009\u202f"})
    return table


_FOLD = _fold_table()
_NOT_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _key(words: str) -> str:
    """What every spelling of a phrase has in common ("Nächste  Woche", "naechste woche")."""
    s = _fold(words).replace("ß", "ss")
    for digraph, vowel in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        s = s.replace(digraph, vowel)
    return _NOT_WORD.sub("", s)


# --- word lists as regular expressions ------------------------------------------------------

_Trie: TypeAlias = "dict[str, _Trie]"
_UMLAUT = {"ä": "(?:ae|a)", "ö": "(?:oe|o)", "ü": "(?:ue|u)", "ß": "(?:ss|ß)"}
_CHOICE = re.compile(r"\{([^{}]*)\}|\[([^\[\]]*)\]")


def _atoms(phrase: str) -> list[str]:
    out = []
    for ch in phrase.lower():
        if ch in _UMLAUT:
            out.append(_UMLAUT[ch])
        elif ch == " ":
            out.append(r"\s+")
        elif ch in "-'":
            out.append(rf"[{ch}\s]?")
        else:
            out.append(re.escape(_fold(ch)))
    return out


def _expand(template: str) -> list[str]:
    """``"[the ]end of {the|this} month"``: ``{a|b}`` is a choice, ``[a|b]`` an optional one."""
    m = _CHOICE.search(template)
    if not m:
        return [" ".join(template.split())]
    options = (m[1] if m[1] is not None else m[2] + "|").split("|")
    return [p for o in options for p in _expand(template[:m.start()] + o + template[m.end():])]


def _words(*templates: str) -> list[str]:
    return [p for t in templates for p in _expand(t)]


def _union(phrases: Iterable[str]) -> str:
    """One expression for all phrases, shaped as a trie so that matching does not try each
    phrase in turn at every position; at one position the longest phrase wins."""
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: _Trie) -> str:
    branches = [atom + _trie_pattern(child) for atom, child in node.items() if atom]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _cue(*templates: str, tail: str) -> re.Pattern[str]:
    """Any of the phrases, followed by ``tail``."""
    return re.compile(rf"(?<!\w)(?:{_union(_words(*templates))}){tail}")


# --- names of months, weekdays and numbers --------------------------------------------------

def _babel_names(get: Callable[..., Mapping[int, str]]) -> dict[str, int]:
    names = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get(width, context, locale).items():
                    names[name.lower().rstrip(".")] = number
    return names


_MONTH_NAMES = _babel_names(get_month_names) | {
    "sept": 9, "mrz": 3, "jänner": 1, "febr": 2, "juil": 7, "janv": 1, "févr": 2, "avr": 4, "déc": 12,
    "setiembre": 9, "dic": 12, "okt": 10, "dez": 12}
_MONTH_OF = {_key(name): number for name, number in _MONTH_NAMES.items()}
# Only whole weekday names stand alone ("do", "mar", "sat" are everyday words).
_WEEKDAY_OF = {_key(name): number for name, number in _babel_names(get_day_names).items()
               if len(name) > 4} | {"sonnabend": 5}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "ein": 1, "eine": 1, "einer": 1, "einem": 1, "eines": 1, "eins": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "vierzehn": 14, "zwanzig": 20, "dreißig": 30,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "quinze": 15, "vingt": 20, "trente": 30,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "quince": 15, "veinte": 20, "treinta": 30,
    "a couple of": 2, "couple of": 2,
    "een": 1, "één": 1, "twee": 2, "drie": 3, "vijf": 5, "zes": 6, "zeven": 7, "negen": 9,
    "tien": 10, "veertien": 14, "twintig": 20, "dertig": 30,
}
_NUMBER_OF = {_key(word): n for word, n in _NUMBER_WORDS.items()}

_ANY_MONTH = _union(_MONTH_NAMES)
_MONTH = rf"(?P<month>{_ANY_MONTH})(?!\w)(?:\.(?=\s*\d))?"   # "Dec. 15", not a full stop
_WEEKDAY = _union(n for n in _babel_names(get_day_names) | {"sonnabend": 5} if _key(n) in _WEEKDAY_OF)
_YEAR = r"(?P<year>\d{4})(?!\d)"
# a day number on its own: "the 15th of December" is read whole, "the 2nd reminder" is no date
_COUNTED = _union(_words(
    "reminder", "notice", "time", "attempt", "letter", "warning", "demand", "request", "instalment",
    "installment", "quarter", "mahnung", "mahnstufe", "mahnlauf", "zahlungserinnerung", "erinnerung",
    "rechnung", "mal", "stufe", "rate", "quartal", "rappel", "relance", "recordatorio", "aviso",
    "herinnering", "aanmaning", "keer", "business", "working", "banking", "werktag", "arbeitstag",
    "bankarbeitstag", "jour ouvré", "jour ouvrable", "día hábil", "werkdag", "invoice", "factuur", "facture",
    "factura"))
_DAY_ALONE = rf"(?!\s*(?:of\s+|de\s+)?{_ANY_MONTH}(?!\w))(?!\s*(?:{_COUNTED})(?!\w))"


# --- the calendar ---------------------------------------------------------------------------

def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_month(d: date) -> tuple[int, int]:
    return (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)


def _next_weekday(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday() - 1) % 7 + 1)


def _previous_weekday(d: date, weekday: int) -> date:
    return d - timedelta(days=(d.weekday() - weekday - 1) % 7 + 1)


def _week_day(d: date, weekday: int, weeks: int) -> date:
    """``weekday`` of the ISO week ``weeks`` after d's."""
    return d + timedelta(days=weekday - d.weekday() + 7 * weeks)


def _day_of_month(d: date, day: int) -> date | None:
    """The first ``day``-th of a month on or after d."""
    year, month = d.year, d.month
    for _ in range(13):
        found = _make(year, month, day)
        if found and found >= d:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _day_of_year(d: date, month: int, day: int) -> date | None:
    """The first ``day`` of ``month`` on or after d (a 29 February may be years away)."""
    for year in range(d.year, d.year + 9):
        found = _make(year, month, day)
        if found and found >= d:
            return found
    return None


def _full_year(year: str) -> int:
    return int(year) + (2000 if len(year) == 2 else 0)


def _add_months(d: date, months: int) -> date:
    year, month = divmod(d.month - 1 + months, 12)
    year += d.year
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def _add_business_days(d: date, days: int) -> date:
    while days > 0:
        d += timedelta(days=1)
        days -= d.weekday() < 5
    return d


# --- reading one expression -----------------------------------------------------------------

def _explicit(m: re.Match[str], d: date) -> date | None:
    month, day = _MONTH_OF[_key(m["month"])], int(m["day"])
    if m["year"]:
        return _make(_full_year(m["year"]), month, day)
    return _day_of_year(d, month, day)


def _numeric(m: re.Match[str], d: date) -> date | None:
    """Day first (15.12., 05/12/2026), month first only where the day cannot be a month
    (12/15). A slash or dash date that reads both ways (12/1) is the reading that comes
    first on or after d: mail names the days ahead it means, and the writer's custom
    (1 December in Chicago, 12 January in Leeds) is not in the text."""
    first, second = int(m["a"]), int(m["b"])
    readings = [(second, first) if second > 12 >= first else (first, second)]
    if first != second and max(first, second) <= 12 and "." not in m[0]:
        readings.append((second, first))
    found = [x for x in (_make(_full_year(m["year"]), month, day) if m["year"]
                         else _day_of_year(d, month, day) for day, month in readings) if x]
    ahead = [x for x in found if x >= d]
    return min(ahead) if ahead else (found[0] if found else None)


def _iso(m: re.Match[str], d: date) -> date | None:
    return _make(int(m["year"]), int(m["a"]), int(m["b"]))


def _ordinal(m: re.Match[str], d: date) -> date | None:
    day = int(m["day"])
    return _day_of_month(d, day) if 1 <= day <= 31 else None


def _day_next_month(m: re.Match[str], d: date) -> date | None:
    return _make(*_next_month(d), int(m["day"]))


def _weekday(m: re.Match[str], d: date) -> date | None:
    weekday = _WEEKDAY_OF[_key(m["wd"])]
    if _IS_PAST.get(_key(_group(m, "modifier") + (m["after"] or "")), False):
        return _previous_weekday(d, weekday)
    return _next_weekday(d, weekday)


def _weekday_next_week(m: re.Match[str], d: date) -> date | None:
    return _week_day(d, _WEEKDAY_OF[_key(m["wd"])], 1)


#: short weekday names, read only after a word that makes them a day ("next Tues", "by Fri")
_WEEKDAY_SHORT = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4,
                  "sat": 5, "sun": 6}


def _weekday_short(m: re.Match[str], d: date) -> date | None:
    return _next_weekday(d, _WEEKDAY_SHORT[m["short"]])


def _weekday_week(m: re.Match[str], d: date) -> date | None:
    """ "Friday week": a week after the coming Friday."""
    return _next_weekday(d, _WEEKDAY_OF[_key(m["wd"])]) + timedelta(days=7)


def _calendar_week(m: re.Match[str], d: date) -> date | None:
    """ "KW 49", "week 49": the Friday of that ISO week, this year or, once past, the next."""
    week = int(m["kw"])
    for year in (d.isocalendar().year, d.isocalendar().year + 1):
        try:
            friday = date.fromisocalendar(year, week, 5)
        except ValueError:
            return None
        if friday >= d:
            return friday
    return None


# "early December", "Mitte Dezember", "fin décembre", "in December": which day of that month
_PARTS_OF_MONTH = {
    5: _words("early", "[the ]{beginning|start} of", "anfang", "zu beginn", "[au ]début [de]",
              "{principios|comienzos|inicios} de", "begin [van]"),
    15: _words("mid", "[the ]middle of", "mitte", "[la ]mi", "mediados de", "half", "medio", "midden"),
    31: _words("late", "[the ]end of", "ende", "[la ]fin [de]", "{finales|final} de", "{eind|einde} [van]",
               "in", "im", "en", "during", "in the course of", "im laufe des", "courant",
               "au cours du mois de", "dans le courant du mois de", "en el mes de", "in de loop van",
               "im monat", "in the month of", "au mois de"),
}
_PART_OF = {_key(w): day for day, words in _PARTS_OF_MONTH.items() for w in words}


def _part_of_month(m: re.Match[str], d: date) -> date | None:
    month, part = _MONTH_OF[_key(m["month"])], _PART_OF[_key(m["part"])]
    year = int(m["year"]) if m["year"] else d.year
    day = date(year, month, min(part, calendar.monthrange(year, month)[1]))
    if day < d and not m["year"]:
        day = date(year + 1, month, min(part, calendar.monthrange(year + 1, month)[1]))
    return day


_UNIT_WORDS = {
    ("days", 1): _words("day[s]", "tag[e|en]", "jour[s]", "día[s]", "dag[en]"),
    ("days", 7): _words("week[s]", "woche[n]", "semaine[s]", "semana[s]", "weken"),
    ("days", 14): _words("fortnight"),
    ("months", 1): _words("month[s]", "monat[e|en]", "mois", "mes", "meses", "maand[en]"),
    ("business", 1): _words("{business|working|bank} day[s]",
                            "{werktag|arbeitstag|bankarbeitstag|geschäftstag}[e|en]",
                            "jours {ouvrés|ouvrables}", "días {hábiles|laborables}", "werkdag[en]"),
}
_UNIT_OF = {_key(w): unit for unit, words in _UNIT_WORDS.items() for w in words}


def _duration(m: re.Match[str], d: date) -> date | None:
    count = int(m["n"]) if m["n"].isdigit() else _NUMBER_OF[_key(m["n"])]
    unit, size = _UNIT_OF[_key(m["unit"])]
    if unit == "months":
        return _add_months(d, count)
    if unit == "business":
        return _add_business_days(d, count)
    return d + timedelta(days=count * size)


_FIXED: dict[str, tuple[Callable[[date], date | None], list[str]]] = {
    "today": (lambda d: d, _words(
        "today", "later today", "this {morning|afternoon|evening|arvo}", "tonight", "end of day", "eod",
        "close of business", "heute", "heute {noch|morgen|früh|vormittag|mittag|nachmittag|abend}",
        "noch heute", "aujourd'hui", "ce {matin|midi|soir}", "cet après-midi", "dans la journée",
        "hoy", "hoy mismo", "esta {mañana|tarde|noche}", "en el día de hoy", "vandaag",
        "vandaag nog", "nog vandaag", "{vanochtend|vanmorgen|vanmiddag|vanavond}")),
    "tomorrow": (lambda d: d + timedelta(days=1), _words(
        "tomorrow", "tmrw", "tmw", "tomorrow {morning|afternoon|evening}", "morgen",
        "morgen {früh|vormittag|mittag|nachmittag|abend|vroeg}", "demain",
        "demain {matin|midi|soir|après-midi}", "mañana", "mañana por la {mañana|tarde|noche}",
        "morgen{ochtend|middag|avond}")),
    "after tomorrow": (lambda d: d + timedelta(days=2), _words(
        "[the ]day after tomorrow", "übermorgen", "après-demain", "pasado mañana", "overmorgen")),
    "yesterday": (lambda d: d - timedelta(days=1), _words(
        "yesterday", "gestern", "gestern {morgen|abend|nachmittag}", "ayer", "gisteren")),
    "this week": (lambda d: _week_day(d, 4, 0), _words(
        "this week", "[the ]end of {the|this} week", "[the ]end of week", "later this week", "eow",
        "{by|before} the weekend", "vor dem wochenende", "avant le week-end", "antes del fin de semana",
        "voor het weekend",
        "within the week", "[in ]the course of {the|this} week", "sometime this week",
        "{diese|dieser} woche", "noch diese woche", "diese woche noch", "ende {der|dieser} woche",
        "im laufe {der|dieser} woche", "innerhalb {der|dieser} woche", "cette semaine",
        "[la ]fin de {la|cette} semaine", "fin de semaine", "[dans le ]courant de {la|cette} semaine",
        "dans la semaine", "plus tard cette semaine", "esta semana", "esta misma semana",
        "[el ]{final|fin|finales} de {la|esta} semana", "a lo largo de {la|esta} semana",
        "[en ]el transcurso de {la|esta} semana", "deze week", "nog deze week", "deze week nog",
        "later deze week", "[het ]{eind|einde} van {de|deze} week", "{eind|einde} deze week",
        "in de loop van {de|deze} week")),
    "next week": (lambda d: _week_day(d, 4, 1), _words(
        "next week", "[the ]{end|beginning|start} of next week",
        "{early|later|sometime|during} next week", "[in ]the course of next week", "the coming week",
        "[the ]end of the {next|coming} week",
        "{nächste|nächster|nächsten|kommende|kommender|kommenden} woche",
        "{ende|anfang|mitte} {nächster|kommender} woche",
        "{ende|anfang|mitte} der {nächsten|kommenden} woche",
        "{im laufe|in|innerhalb} der {nächsten|kommenden} woche",
        "[la ]semaine prochaine", "[la ]{fin|début} de la semaine prochaine",
        "{fin|début} de semaine prochaine", "[dans le ]courant de la semaine prochaine",
        "dans la semaine prochaine", "la semaine qui vient",
        "[la ]{próxima semana|semana que viene|semana próxima|semana entrante}",
        "{final|fin|finales|principios|comienzos|mediados} de la {próxima semana|semana que viene}",
        "{a lo largo|el transcurso} de la {próxima semana|semana que viene}",
        "{volgende|komende} week", "{eind|einde|begin|half} {volgende|komende} week",
        "{eind|einde|begin} van [de ]{volgende|komende} week",
        "in de loop van [de ]{volgende|komende} week", "in de {volgende|komende} week")),
    "last week": (lambda d: _week_day(d, 4, -1), _words(
        "last week", "{letzte|letzten|vergangene|vergangenen|vorige|vorigen} woche",
        "la semaine {dernière|passée}", "la semana pasada", "{vorige|afgelopen} week")),
    "month end": (lambda d: _month_end(d.year, d.month), _words(
        "[the ]end of {the|this} month", "[the ]end of [the ]current month", "[the ]end of month",
        "month end", "month-end", "this month", "later this month", "[in ]the course of the month", "eom",
        "before the month is out", "before [the ]month end",
        "ende {des|dieses|diesen} monats", "ende des laufenden monats", "ende monat",
        "monatsende", "diesen monat", "diesen monat noch", "noch diesen monat",
        "[noch ]in diesem monat", "im laufe {des|dieses} monats", "monatsletzten", "ultimo",
        "[la ]fin {du|de ce|de} mois", "fin du mois en cours", "ce mois-ci", "ce mois",
        "[dans le ]courant du mois", "[el |los ]{final|fin|finales} {de|del} mes",
        "{final|fin|finales} de este mes", "{final|fin|finales} del mes en curso", "este mes",
        "este mismo mes", "a lo largo {del|de este} mes", "[het ]{eind|einde} van {de|deze} maand",
        "{eind|einde} {de|deze} maand", "{eind|einde} maand", "maandeinde", "deze maand",
        "nog deze maand", "in de loop van {de|deze} maand")),
    "next month": (lambda d: _month_end(*_next_month(d)), _words(
        "next month", "[the ]end of next month", "[the ]end of the {next|coming|following} month",
        "the coming month", "{during|sometime|later} next month", "[in ]the course of next month",
        "{nächsten|nächster|nächste|kommenden|kommender} monat[s]",
        "ende {nächsten|kommenden|des nächsten|des kommenden} monats",
        "im {nächsten|kommenden} monat", "im laufe des {nächsten|kommenden} monats",
        "[le ]mois prochain", "[la ]fin du mois prochain", "fin de mois prochain",
        "[dans le ]courant du mois prochain", "le mois qui vient",
        "[el ]{mes que viene|próximo mes|mes próximo|mes entrante}",
        "{final|fin|finales} del {mes que viene|próximo mes|mes próximo}",
        "a lo largo del {mes que viene|próximo mes}", "{volgende|komende} maand",
        "{eind|einde} [van ][de ]{volgende|komende} maand",
        "in de loop van [de ]{volgende|komende} maand")),
    "early next month": (lambda d: date(*_next_month(d), 5), _words(
        "early next month", "[the ]{beginning|start} of {next|the next|the coming|the following} month",
        "early in the {next|coming} month", "[the ]first week of next month",
        "anfang {nächsten|kommenden|des nächsten|des kommenden} monats",
        "anfang {nächster|kommender|nächsten|kommenden} monat",
        "zu beginn des {nächsten|kommenden} monats", "[le ]début {du|de} mois prochain",
        "en début de mois prochain", "début du mois qui vient",
        "{principios|comienzos|inicios} de[l] {mes que viene|próximo mes|mes próximo}",
        "begin {volgende|komende} maand", "[het ]begin van [de ]{volgende|komende} maand")),
    "mid-month": (lambda d: _day_of_month(d, 15), _words(
        "mid-month", "mid month", "[the ]middle of {the|this} month", "mitte {des|dieses} monats",
        "mitte monat", "[à la ]mi-mois", "[a ]mediados {de|del|de este} mes", "half {van |}{de|deze} maand",
        "medio {van |}{de|deze} maand")),
    "mid next month": (lambda d: date(*_next_month(d), 15), _words(
        "mid next month", "mid-next month", "[the ]middle of next month", "mitte {nächsten|kommenden} monats",
        "[à la ]mi-{mois prochain}", "[a ]mediados del {mes que viene|próximo mes}",
        "half {volgende|komende} maand", "medio {volgende|komende} maand")),
    "first of the month": (lambda d: _day_of_month(d + timedelta(days=1), 1), _words(
        "[on ][the ]{first|1st} of {the|next|the next|the coming} month",
        "[am ]{ersten|1.} des {nächsten|kommenden} monats",
        "[le ]{premier|1er} du mois prochain", "[el ]{primero|1} del {mes que viene|próximo mes}",
        "[op ]de {eerste|1e} van {de volgende|volgende} maand")),
    "day or two": (lambda d: d + timedelta(days=2), _words(
        "{in|within} {a|the next} day or two", "{in|within} {a|the next} couple of days",
        "in ein bis zwei tagen",
        "{d'ici|dans} un ou deux jours", "en uno o dos días", "{binnen|over} een dag of twee")),
    "quarter end": (lambda d: _month_end(d.year, (d.month - 1) // 3 * 3 + 3), _words(
        "[the ]end of {the|this} quarter", "quarter end", "quarter-end",
        "{quartalsende|ende des quartals}", "[la ]fin du trimestre", "[el ]{final|fin} del trimestre",
        "[het ]{eind|einde} van {het|dit} kwartaal")),
    "year end": (lambda d: date(d.year, 12, 31), _words(
        "[the ]end of {the|this} year", "year end", "year-end", "ende {des|dieses} jahres",
        "jahresende", "fin {de l'année|d'année|de cette année}", "{final|fin|finales} {de|del} año",
        "{final|fin|finales} de este año", "{eind|einde} van {het|dit} jaar", "{eind|einde} dit jaar",
        "jaareinde")),
}
_FIXED_OF = {_key(p): name for name, (_, phrases) in _FIXED.items() for p in phrases}


def _fixed(m: re.Match[str], d: date) -> date | None:
    return _FIXED[_FIXED_OF[_key(m[0])]][0](d)


# --- the rules ------------------------------------------------------------------------------

Resolve: TypeAlias = Callable[[re.Match[str], date], "date | None"]


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    resolve: Resolve | None      # None: words that look like a date and are not one ("24/7")
    not_after: re.Pattern[str]   # what may not stand right before the match


_WORD_CHAR = re.compile(r"\w")


def _rule(kind: str, pattern: str, resolve: Resolve | None, not_after: str = "") -> _Rule:
    # the start is checked after matching: a pattern that starts with a lookbehind is
    # several times slower, as the engine can no longer skip to a possible first character
    return _Rule(kind, re.compile(rf"(?:{pattern})(?!\w)"), resolve,
                 re.compile(not_after) if not_after else _WORD_CHAR)


_MODIFIERS = {
    False: _words("next", "this", "coming", "this coming", "{nächsten|nächster|nächste|kommenden|diesen}",
                  "el próximo", "este", "próximo", "aanstaande", "komende", "volgende", "deze", "ce"),
    True: _words("last", "past", "previous", "{letzten|vergangenen|vorigen}", "afgelopen", "vorige",
                 "el pasado"),
}
_MODIFIERS_AFTER = {False: _words("prochain", "qui vient", "que viene", "próximo"),
                    True: _words("dernier", "passé", "pasado")}
_IS_PAST = {_key(w): past for table in (_MODIFIERS, _MODIFIERS_AFTER) for past, words in table.items()
            for w in words}
_MODIFIER = _union(w for words in _MODIFIERS.values() for w in words)
_MODIFIER_AFTER = _union(w for words in _MODIFIERS_AFTER.values() for w in words)
_NEXT_WEEK = _union(_words(
    "next week", "{nächste|nächster|kommende|kommender} woche", "der {nächsten|kommenden} woche",
    "[de ]la semaine prochaine", "[de ]la {semana que viene|próxima semana|semana próxima}",
    "[van ]{volgende|komende} week"))
_COUNT = rf"(?P<n>\d{{1,3}}|{_union(_NUMBER_WORDS)})"
_COUNT_WORD = rf"(?P<n>[0-9]\d{{0,2}}|{_union(w for w in _NUMBER_WORDS if len(w) > 2)})"   # no "a", "un"
_UNIT = rf"(?P<unit>{_union(w for words in _UNIT_WORDS.values() for w in words)})"
_WITHIN = _union(_words(
    "in", "within", "{in|within|over} the {next|coming}", "innerhalb [von]",
    "{innerhalb|in} der {nächsten|kommenden}", "in den {nächsten|kommenden}", "binnen", "innert",
    "dans [les]", "sous", "d'ici", "binnen de",
    "dans un délai de", "en", "dentro de", "en {los próximos|las próximas}",
    "en un plazo de", "over", "[binnen ]de komende"))
_MORE = r"(?:(?:more|further|weitere[n]?|prochaine?s?|proxim[oa]s)\s+)?"
# the words that make a bare number a day of the month: "am 15.", "le 15", "el día 15"
_DAY_AFTER_GERMAN = _union(_words(
    "am", "zum", "bis [zum]", "vor dem", "ab [dem]", "den", "dem", "vom", "bis spätestens",
    "spätestens [am|zum]", "bis einschließlich"))
_DAY_AFTER_FRENCH = _union(_words(
    "le", "au", "du", "jusqu'au", "avant le", "dès le", "à partir du", "pour le", "d'ici le"))
_DAY_AFTER_DUTCH = _union(_words("op", "voor", "tot", "uiterlijk", "per", "na", "tegen", "rond", "van"))
_DAY_AFTER_SPANISH = _union(_words("el", "del", "al", "hasta el", "para el", "antes del"))
# "le 15 %", "au 01 23 45 67 89", "el 15,5": numbers that are no day of the month
_NOT_A_DAY_AFTER = r"(?![.,:/h]?\s?\d|\s*(?:%|€|\$|eur|h\b|heures|horas|uhr))" + _DAY_ALONE
_OFFICE_HOURS = (r"\s*,?\s*(?:from\s+|von\s+|de\s+|van\s+)?\d{1,2}(?:[:.h]\d\d)?\s*(?:am|pm|uhr|h)?\s*"
                 r"(?:-|to|bis|a|tot)\s*\d")
_NUMERIC_START = r"[\w./]|(?<=\w)-"   # keeps "INV-15/12" and "115.12." out, lets "10.12.-14.12." in

_RULES = (
    _rule("ignore", _union(_words("{guten|goede|am|jeden} morgen", "{la|por la|de la|toda la|cada} mañana")),
          None),
    # a weekday that recurs is no one day: "we cut checks on Thursdays", "freitags", "vrijdags"
    _rule("ignore", r"(?:mon|tues|wednes|thurs|fri|satur|sun)days|(?:mon|diens|donners|frei|sams|sonn)tags"
                    r"|mittwochs|(?:maan|dins|woens|donder|vrij|zater|zon)dags"
                    rf"|every (?:other |second )?(?:{_WEEKDAY})", None),
    _rule("ignore", rf"(?:{_WEEKDAY})\s*(?:-|to|through|bis|au|a|tot|t/m)\s*(?:{_WEEKDAY})"
                    rf"(?={_OFFICE_HOURS})", None),
    _rule("explicit", r"(?P<day>[0-9][0-9]?)(?:st|nd|rd|th|er|e|de|ste|\.)?(?:\s*|-)(?:of\s+|de\s+)?"
                      rf"{_MONTH}(?:[,-]?\s*(?:de\s+)?{_YEAR})?", _explicit),
    _rule("explicit", rf"{_MONTH}\s*(?:the\s+)?(?P<day>[0-9][0-9]?)(?:st|nd|rd|th)?(?![\d:])"
                      rf"(?:,?\s+{_YEAR})?", _explicit),
    _rule("numeric", r"(?P<year>[0-9]\d{3})(?P<sep>[-/])(?P<a>[0-9][0-9]?)(?P=sep)(?P<b>\d{1,2})(?![\d/-])",
          _iso, _NUMERIC_START),
    _rule("numeric", r"(?P<a>[0-9][0-9]?)(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?![\d/-]|\.\d)",
          _numeric, _NUMERIC_START),
    # a two-digit year wants a two-digit month: "5.1.10" is a mail server's status code
    _rule("numeric", r"(?P<a>[0-9][0-9]?)(?P<sep>[./-])(?P<b>\d\d)(?P=sep)(?P<year>\d\d)(?![\d/-]|\.\d)",
          _numeric, _NUMERIC_START),
    # 15.12. (the closing dot keeps amounts like 15.12 out) and 15/12 (two digits keep 1/2 out)
    _rule("numeric", r"(?P<a>[0-9][0-9]?)\.(?P<b>\d{1,2})\.(?P<year>)(?!\d)", _numeric, _NUMERIC_START),
    _rule("numeric", r"(?P<a>[0-9](?:\d|(?=/\d\d)))/(?P<b>\d{1,2})(?P<year>)(?![\d/])(?<!24/7)", _numeric,
          _NUMERIC_START),
    # 7/3 only after a word that asks for a day: alone it may be a fraction
    _rule("numeric", r"(?:on|by|for|until|till|before|from)\s+(?P<x>(?P<a>[0-9])/(?P<b>[0-9])(?P<year>))"
                     r"(?![\d/])", _numeric),
    # 1-12 with a dash and no year only after a word that asks for a day ("op 1-12", "am 5-1"):
    # alone it may be a range ("1-2 Tage", "3-5 units")
    _rule("numeric", r"(?:on|by|op|per|voor|uiterlijk|tegen|vanaf|am|bis|zum|le|au|el|al)\s+"
                     rf"(?P<x>(?P<a>[0-9][0-9]?)-(?P<b>[0-9][0-9]?)(?P<year>))(?![\d/-])(?!\s*{_UNIT})",
          _numeric),
    # "le 10 du mois prochain", "the 10th of next month", "am 10. nächsten Monats"
    _rule("day of next month", r"(?:(?:on|by|the|le|du|au|am|zum|el|del|op|de)\s+)?"
                               r"(?P<x>(?P<day>[0-9][0-9]?)(?:st|nd|rd|th|er|e|\.)?\s+(?:of\s+next\s+month"
                               r"|du\s+mois\s+prochain|(?:n(?:a|ae)chsten|kommenden)\s+monats"
                               r"|del\s+(?:mes\s+que\s+viene|proximo\s+mes)|van\s+(?:de\s+)?volgende\s+maand))",
          _day_next_month),
    _rule("ordinal", rf"(?P<day>[0-9][0-9]?)(?:st|nd|rd|th){_DAY_ALONE}", _ordinal),
    _rule("ordinal", rf"(?:on|by|before|until|till)\s+(?P<x>the\s+(?P<day>[0-9][0-9]?)){_NOT_A_DAY_AFTER}",
          _ordinal),
    _rule("ordinal", rf"(?:{_DAY_AFTER_GERMAN})\s+(?P<x>(?P<day>[0-9][0-9]?)\.)(?!\d){_DAY_ALONE}",
          _ordinal),
    _rule("ordinal", rf"(?:{_DAY_AFTER_FRENCH})\s+(?P<x>(?P<day>[0-9][0-9]?)(?:er)?){_NOT_A_DAY_AFTER}",
          _ordinal),
    _rule("ordinal", rf"(?:{_DAY_AFTER_SPANISH})\s+(?P<x>(?:dia\s+)?(?P<day>[0-9][0-9]?)){_NOT_A_DAY_AFTER}"
                     r"(?!\s+de\s(?!\s*este\s+mes))", _ordinal),
    _rule("ordinal", rf"(?P<x>dia\s+(?P<day>[0-9][0-9]?)){_NOT_A_DAY_AFTER}", _ordinal),
    _rule("ordinal", rf"(?:{_DAY_AFTER_DUTCH})\s+de\s+(?P<x>(?P<day>[0-9][0-9]?)(?:e|de|ste)){_DAY_ALONE}",
          _ordinal),
    _rule("ordinal", rf"de\s+(?P<x>(?P<day>[0-9][0-9]?)(?:e|ste|de)){_DAY_ALONE}", _ordinal),
    _rule("weekday", rf"(?P<wd>{_WEEKDAY})\s*,?\s+(?:of\s+|in\s+)?(?:{_NEXT_WEEK})", _weekday_next_week),
    _rule("weekday", rf"(?:{_NEXT_WEEK})\s*,?\s*(?:on\s+|am\s+|le\s+|el\s+|op\s+)?(?P<wd>{_WEEKDAY})",
          _weekday_next_week),
    _rule("weekday", rf"(?P<wd>{_WEEKDAY})\s+week(?!\w|\s+(?:of|from|after|before))", _weekday_week),
    _rule("weekday", rf"(?:next|this|coming|by|on|until|before)\s+(?P<short>{_union(_WEEKDAY_SHORT)})\.?",
          _weekday_short),
    # alone, only those that are no English word ("wed", "sat", "sun" are)
    _rule("weekday", r"(?P<short>fri|thu|thur|thurs|tue|tues)\.?", _weekday_short),
    _rule("weekday", rf"(?:the|for)\s+(?P<short>{_union(_WEEKDAY_SHORT)})\.?"
                     r"(?=\s+(?:\w+\s+)?(?:run|batch|cycle))", _weekday_short),
    _rule("weekday", r"(?:kw|kalenderwoche|calendar week|cw|wk|week|semaine|semana)\s*(?P<kw>[1-5]?\d)(?!\d)",
          _calendar_week),
    _rule("weekday", rf"(?P<wd>{_WEEKDAY})s?(?:\s+(?P<after>{_MODIFIER_AFTER}))?", _weekday),
    _rule("weekday", rf"(?P<modifier>{_MODIFIER})\s+(?P<wd>{_WEEKDAY})s?(?:\s+(?P<after>{_MODIFIER_AFTER}))?",
          _weekday),
    _rule("month", rf"(?P<part>{_union(w for words in _PARTS_OF_MONTH.values() for w in words)})[\s-]+"
                   rf"(?:of\s+|de\s+|del\s+|van\s+)?{_MONTH}(?:\s+{_YEAR})?", _part_of_month),
    # "within 5-7 business days", "in 2 or 3 weeks": the longer
    _rule("duration", rf"(?:{_WITHIN})\s+(?:\d{{1,3}}\s*(?:-|–|to|or|oder|ou|o|of|bis|à|a|tot)\s*)?{_COUNT}"
                      rf"\s+{_MORE}{_UNIT}(?:'?s?\s+time)?", _duration),
    _rule("duration", rf"{_COUNT_WORD}\s+{_UNIT}\s+from\s+(?:now|today)", _duration),
    _rule("duration", rf"(?:give|allow|grant)\s+(?:me|us)\s+(?:another\s+)?{_COUNT}\s+{_MORE}{_UNIT}",
          _duration),
    # more time asked for: "two more weeks", "noch zwei Wochen", "encore deux semaines", "nog twee weken"
    _rule("duration", rf"(?:another|noch|encore|nog)\s+{_COUNT}\s+{_MORE}{_UNIT}", _duration),
    _rule("duration", rf"{_COUNT_WORD}\s+(?:more|further|additional|extra|weitere[n]?)\s+{_UNIT}", _duration),
    _rule("duration", rf"{_COUNT_WORD}\s+{_UNIT}\s+(?:more|de\s+plus|mas|extra|mehr|meer)", _duration),
    # "ten days tops", "two weeks max"
    _rule("duration", rf"{_COUNT_WORD}\s+{_UNIT}\s*,?\s+(?:tops|max|maximum|at\s+most|h(?:o|oe)chstens"
                      r"|maximal|au\s+plus|como\s+mucho|como\s+maximo|hooguit|hoogstens)(?!\w)", _duration),
    _rule("fixed", _union(p for _, phrases in _FIXED.values() for p in phrases), _fixed),
)


# --- finding them ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Hit:
    found: Found
    kind: str          # the rule, or for fixed phrases their meaning ("next week")
    yearless: bool     # read forward from d: "Monday", "the 15th", "3 November" may mean a past one


_END_OF_DAY = re.compile(r"close of business|end of (?:the )?day|eod|cob")
_WEEKDAY_JOIN = re.compile(r"\s*,?\s*(?:(?:the|den|dem|le|el|de)\s+)?")


def _scan(text: str, folded: str, d: date) -> list[_Hit]:
    """Every date expression, left to right; where two overlap, the one that starts first
    (then the longer one) wins."""
    matches = sorted(((m, rule) for rule in _RULES for m in rule.pattern.finditer(folded)
                      if not (m.start() and rule.not_after.match(folded, m.start() - 1))),
                     key=lambda mr: (mr[0].start(), -mr[0].end()))
    hits: list[_Hit] = []
    taken = 0
    for m, rule in matches:
        if m.start() < taken:
            continue
        taken = m.end()
        day = rule.resolve(m, d) if rule.resolve else None
        if day is None:
            continue
        start, end = m.span("x") if "x" in m.re.groupindex else m.span()
        kind = _FIXED_OF[_key(m[0])] if rule.kind == "fixed" else rule.kind
        yearless = rule.kind in ("explicit", "numeric", "ordinal", "month") and not _group(m, "year")
        hit = _Hit(Found(day, text[start:end], start, end), kind, yearless)
        last = hits[-1].found if hits else None
        # "Friday, 15 December", "Freitag, den 15.": the weekday adds nothing to the date
        if (last and hits[-1].kind == "weekday" and kind in ("explicit", "numeric", "ordinal")
                and _WEEKDAY_JOIN.fullmatch(folded, last.end, start)):
            hits[-1] = replace(hit, found=Found(day, text[last.start:end], last.start, end))
        elif (last and kind == "weekday" and _END_OF_DAY.fullmatch(folded, last.start, last.end)
                and _WEEKDAY_JOIN.fullmatch(folded, last.end, start)):
            # "by close of business Thursday": the end of that day, not of today
            hits[-1] = replace(hit, found=Found(day, text[last.start:end], last.start, end))
        else:
            hits.append(hit)
    return hits


def _group(m: re.Match[str], name: str) -> str:
    return (m[name] or "") if name in m.re.groupindex else ""


# --- where a date stands: its sentence, its clause, the words around it --------------------

_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n[ \t]*(?=\n)|\n(?=\s*[-*•])")
# a comma between digits is part of an amount ("$1,306.50"), not the end of a clause; a spaced
# dash ends one ("next week - our new card hasn't come")
_CLAUSE_END = re.compile(r"(?<!\d),|,(?!\d)|[:()\[\]]|\s[-\u2013\u2014]\s"
                         r"|\s(?:and|but|und|aber|sondern|et|mais|y|pero|sino|maar|however|jedoch|cependant)(?=\s)")
_SHORT_LINE = 40   # a line break after a short line ends a sentence (greetings, signatures)


@dataclass(frozen=True, slots=True)
class _Place:
    sentence: str
    clause: str        # all of the clause, the date included
    lead: str          # the clause up to the date
    before: str        # up to 60 characters before the date, clause or not
    after: str         # the rest of the clause after the date
    rest: str          # the rest of the sentence after the date


def _cuts(folded: str, hits: Sequence[_Hit]) -> tuple[list[int], list[int]]:
    """Where sentences end and where clauses end, never inside a date ("15. Dezember")."""
    inside = {i for h in hits for i in range(h.found.start, h.found.end)}
    sentences = {m.start() for m in _SENTENCE_END.finditer(folded) if m.start() not in inside}
    line_start = 0
    for line in folded.split("\n")[:-1]:
        if len(line) < _SHORT_LINE:
            sentences.add(line_start + len(line))
        line_start += len(line) + 1
    clauses = sentences | {m.start() for m in _CLAUSE_END.finditer(folded) if m.start() not in inside}
    return sorted(sentences), sorted(clauses)


def _around(cuts: list[int], start: int, end: int, size: int) -> tuple[int, int]:
    i, j = bisect_left(cuts, start), bisect_left(cuts, end)
    return (cuts[i - 1] + 1 if i else 0), (cuts[j] if j < len(cuts) else size)


def _places(folded: str, hits: Sequence[_Hit]) -> list[_Place]:
    sentences, clauses = _cuts(folded, hits)
    places = []
    for h in hits:
        start, end = h.found.start, h.found.end
        s0, s1 = _around(sentences, start, end, len(folded))
        c0, c1 = _around(clauses, start, end, len(folded))
        places.append(_Place(folded[s0:s1], folded[c0:c1], folded[c0:start], folded[max(0, start - 60):start],
                             folded[end:c1], folded[end:s1]))
    return places


# --- the words that say what a date is for -------------------------------------------------

_ARTICLE = r"(?:(?:the|le|la|l'|el|los|las|den|dem|der|die|das|de|het)\s+)?"
_BEFORE_DATE = rf"[\s,:]*{_ARTICLE}$"

_PAYMENT = re.compile(r"""(?<!\w)(?:
    pay|pays|paying|payment|payments|paid|repay\w*|transfer\w*|wire|wired|wires|wiring|settle|settled
    |settles|settling|settlement|remit\w*|funds|fonds|fondos|money|amount|bank\s+run|pay(?:ment)?\s+run
    |(?:a|the|our)\s+(?:check|cheque)|cheque|checks|cheques|regularis\w*|regulariz\w*
    |(?:run|charge)\s+(?:the|my|our|a)\s+(?:credit\s+)?card
    |[$\u20ac\u00a3]\s?\d[\d.,]*|\d[\d.,]*\s?(?:\u20ac|eur|euros?|usd|gbp|dollars?)
    |(?:check|cheque|ap|ach|bacs|supplier|vendor|weekly|monthly|january|february|march|april|may|june|july|august
        |september|october|november|december)\s+(?:run|batch|cycle)
    |(?:be)?zahl(?:e|en|t|te|ten|st)|\w*zahlung\w*|bezahl\w*|gezahlt|\w*(?:u|ue)berw(?:ei|ie)s\w*
    |begleich\w*|beglichen|anweis\w*|angewiesen|ausgleich\w*|ausgeglichen|betrag|geld|zahllauf
    |dauerauftrag|lastschrift
    |paiement\w*|payer|paierons|paierai|paiera|paieront|payerons|payons|paye\w*
    |regl(?:er|erons|erai|era|eront|ons|e|ee|es|ement\w*)|virement\w*|vir(?:er|erons|erai|era|eront|e|ee)
    |versement\w*|vers(?:er|erons|erai|era|eront|e|ee|es|ees)|solder|prelevement\w*|montant
    |pag(?:o|os|ar|amos|aremos|are|ara|aran|ue|uemos|ado|ada|ados|adas)|abon(?:ar|aremos|amos|o|ado|ada)
    |liquidar\w*|ingres(?:o|ar|aremos)|importe|dinero|remesa\w*|domiciliacion\w*
    |betal\w*|betaal\w*|overmak\w*|overgemaakt|ma(?:ak|akt|ken)\s+(?:\S+\s+){0,6}?over|overboek\w*
    |overgeboekt|voldoen|voldaan|voldoe|voldoet|storten|gestort|bedrag|incasso
)(?!\w)""", re.X)
# the later part of a payment plan: "$600 on the 15th and the rest on the 30th"
# ("the rest of this month's suppliers" is no part of a plan; "the rest of the amount" is)
_REST = re.compile(r"""(?<!\w)(?:(?:the|den|die|le|la|el|het|de)\s+(?:
    rest(?!\s+of\s+(?!(?:the|it)\s+(?:amount|balance|money)))|remaining|remainder|balance
    |second|zweite|reste|solde|seconde|deuxieme|resto|segunda|segundo|restant|tweede
    |other\s+half|andere\s+halfte|autre\s+moitie|otra\s+mitad|andere\s+helft)
    |restbetrag|saldo|whatever(?:'s|\s+is)\s+left|what(?:'s|\s+is)\s+left|ce\s+qui\s+reste|lo\s+que\s+(?:quede|falte)
    |wat\s+(?:er\s+)?over(?:blijft|is)|was\s+(?:noch\s+)?(?:(?:u|ue)brig|offen)\s+ist)(?!\w)""", re.X)
# what clients say of an invoice they are going to pay
_COMMIT = re.compile(r"""(?<!\w)(?:
    process\w*|take\s+care|handle|approv\w*|arrang\w*|schedul\w*|clear|send|sent|retry|releas\w*
    |give\s+(?:me|us)|zeit|uitstel|aufschub|delai|plazo|dar(?:me|nos)?\s+hasta
    |you(?:'ll|\s+will|\s+should)\s+(?:see|get|receive|have)\s+it
    |get\s+(?:this|it|that|yours|the\s+\w+)\s+(?:over|sorted|done|out|to\s+you)|sort\s+(?:this|it)\s+out
    |put\s+(?:it|this|that|the\s+\w+)\s+through|(?:it|this|that)(?:'ll|\s+will)\s+go(?:\s+out)?
    |erledig\w*|k(?:u|ue)mmern|veranlass\w*|freigeb\w*|freigegeben
    |trait(?:er|erons|erai|era|e|ee)|occuper\w*
    |procesar\w*|tramitar\w*|gestionar\w*|ocuparemos
    |regelen|regel|geregeld|verwerken|verwerkt|afhandelen
)(?!\w)""", re.X)
# the clause tells of something done: "we paid on Monday", "wir haben am 15. überwiesen"
_DONE = re.compile(r"""(?<!\w)(?:
    (?:already|(?<!'ll\s)(?<!will\s)(?<!to\s)have|has|had|was|were|i|we|they)\s+(?:(?!(?:will|shall|be|going|to|can|could|should
        |would|must|need|plan|intend|get|gets)\b)[\w']+\s+){0,3}?(?:paid|transferred|wired|settled|remitted|sent
        |initiated|processed|made|executed|released|received)
  | failed|bounced|rejected|fehlgeschlagen|zur(?:u|ue)ckgebucht|storniert|echoue|rechazad[oa]|devuelt[oa]
  | mislukt|teruggeboekt
  | (?:bereits|schon|habe|haben|hat|hatte|hatten|wurde|wurden)\s+(?:\S+\s+){0,6}?(?:(?:u|ue)berwiesen
        |bezahlt|gezahlt|beglichen|ausgeglichen|geleistet|geta(?:e|)tigt|erhalten|geschickt|gesendet)
  | (?:ai|avons|a|ont|deja|ete)\s+(?:\S+\s+){0,3}?(?:paye|regle|vire|effectue|envoye|verse|emis
        |transfere|recu)e?s?
  | (?:he|hemos|ha|han|fue|fueron|sido|ya)\s+(?:\S+\s+){0,3}?(?:pagad|transferid|realizad|abonad|enviad
        |efectuad|liquidad|ingresad|recibid)[oa]s?
  | (?:heb|hebben|heeft|had|hadden|is|zijn|werd|werden|al)\s+(?:\S+\s+){0,6}?(?:betaald|overgemaakt
        |voldaan|overgeboekt|gestort|verstuurd|verzonden|ontvangen)
)(?!\w)""", re.X)
# "today is not possible", "no podemos el viernes": a day ruled out ("not before the 15th" is not)
_NEGATION = re.compile(r"""(?:(?<!\w)(?:not|cannot|unable|nicht|ne|impossible|imposible|niet|onmogelijk
    |no(?!\.?\s*\d|\s+(?:problem|worries|later|mas\s+tardar|hay\s+problema)))(?!\w)|n't(?!\w)
    |(?<!\w)n'(?=\w))""", re.X)
_NOT_BEFORE = _cue("until", "till", "before", "after", "bis", "vor", "nach dem", "ab", "avant", "jusqu'au",
                   "après [le]", "antes de[l]", "hasta [el]", "después de[l]", "voor", "tot", "na", "vanaf",
                   tail=_BEFORE_DATE)
# "we have scheduled the payment for Friday": done, but the payment is still to come
_FOR = _cue("for", "für", "pour [le]", "para [el]", "voor", "zum", "auf", tail=_BEFORE_DATE)
_DEADLINE = _cue(
    "by", "on", "before", "until", "till", "no later than", "not later than", "[at the ]latest by", "for",
    "within", "at", "in", "around", "towards", "gegen", "vers", "hacia", "rond", "bis", "bis zum", "bis zur",
    "bis spätestens", "spätestens", "spätestens am", "am", "vor", "vor dem", "zum", "für", "avant", "d'ici",
    "le", "au plus tard", "au plus tard le", "pour", "jusqu'au", "au", "à", "dès", "antes de", "antes del",
    "el", "a más tardar", "para", "hasta", "a", "como muy tarde", "voor", "uiterlijk", "op", "tegen", "per",
    "tot", "binnen", "see it", "get it", "receive it", tail=_BEFORE_DATE)
_DEADLINE_AFTER = re.compile(r"\s*,?\s*(?:at\s+the\s+(?:very\s+)?latest|latest|au\s+plus\s+tard"
                             r"|a\s+mas\s+tardar|como\s+(?:muy\s+)?tarde|sp(?:a|ae)testens|uiterlijk)(?!\w)")
_REFERENCE_NOUNS = _union(_words(
    "invoice[s]", "inv", "bill", "statement", "reminder[s]", "e-mail", "email", "mail", "message", "letter",
    "note", "notice", "order", "call", "quote", "rechnung[en]", "rg", "mahnung", "zahlungserinnerung",
    "erinnerung", "schreiben", "nachricht", "brief", "anruf", "bestellung", "facture[s]", "relance", "rappel",
    "courriel", "lettre", "appel", "commande", "devis", "factura[s]", "recordatorio", "correo", "mensaje",
    "carta", "llamada", "aviso", "pedido", "factuur", "facturen", "herinnering", "aanmaning", "bericht",
    "bestelling"))
_REFERENCE_LINKS = _union(_words(
    "of", "from", "dated", "issued on", "sent on", "vom", "von", "datiert", "du", "en date du", "datée du",
    "del", "de", "de fecha", "con fecha", "van", "d.d.", "gedateerd"))
# "your invoice no. 2026-114 of", "Ihre Mahnung vom", "su correo del"
_REFERENCE = re.compile(rf"(?<!\w)(?:{_REFERENCE_NOUNS})(?:\s+(?:no\.?|nr\.?|n°|\#|number|nummer|numero"
                        rf"|num\.?)?\s*\#?[\w/.-]*\d[\w/.-]*)?[\s,]*(?:{_REFERENCE_LINKS}){_BEFORE_DATE}")
_DATED = _cue("dated", "issued [on]", "sent [on]", "datiert [vom|auf]", "ausgestellt am", "en date du",
              "datée du", "émise le", "de fecha", "con fecha", "emitida el", "gedateerd", "d.d.",
              tail=_BEFORE_DATE)
_WILL_BE = re.compile(r"(?<!\w)(?:will|shall|to)\s+be\s+$")
_DUE = _cue("due", "due [on|by|date]", "was due [on]", "fällig [am|seit|zum]", "fälligkeit",
            "fälligkeitsdatum", "zahlungsziel", "échéance [le|au|du]", "date d'échéance",
            "échu[e] [le|depuis le]", "vencimiento", "fecha de vencimiento", "{vence|vencía|venció} [el]",
            "vencida desde [el]", "vervaldatum", "{vervalt|verviel|vervallen} [op]", "payable {on|by}",
            tail=_BEFORE_DATE)
_DUE_AFTER = re.compile(r"\s*(?:f(?:ae|a)llig|vencid[oa]|echue?|vervallen)(?!\w)")   # "am 30.11. fällig"
_WROTE = re.compile(r"[^.!?\n]{0,40}?(?<!\w)(?:wrote|schrieb|schrieben|ecrit|escribio|escribiste|schreef"
                    r"|schreven)(?!\w)")
_ABSENT = _cue(
    "away", "absent", "out of [the ]office", "on leave",
    "{sick|annual|parental|maternity|paternity|study} leave", "holiday[s]", "vacation", "ooo",
    "{i'm|i am|he's|she's|is|are|be|been|day|days|week|weeks|time} off",
    "travelling", "traveling", "sick", "abwesend", "urlaub", "nicht im büro", "nicht erreichbar",
    "außer haus", "krank", "elternzeit", "dienstreise", "absente", "congé[s]", "vacances", "en déplacement",
    "indisponible", "ausente", "vacaciones", "fuera de la oficina", "de viaje", "permiso", "afwezig",
    "vakantie", "verlof", "niet aanwezig", "niet op kantoor", "vrij", "closed", "geschlossen",
    "fermé[s|e|es]", "cerrad{o|a|os|as}", "gesloten", tail=r"(?!\w)")
# a person away, told plainly: "she's out this week", "office gal is out till Monday" (not "it's
# out", "the cheque is out")
_OUT = re.compile(r"(?<!\w)(?:(?:i|he|she|they|we)(?:'s|'m|'re|\s+is|\s+am|\s+are|\s+was|\s+were)"
                  r"|(?<!it\s)(?<!this\s)(?<!that\s)is)\s+out(?:\s+sick)?(?=\s+(?:this|today|tomorrow|until|till|til"
                  r"|through|thru|on|all|for\s+the)\b)")
_UNTIL = _cue(
    "until", "till", "til", "through", "thru", "up to and including", "to and including",
    "until and including", "until and incl", "after", "bis", "bis zum", "bis zur", "bis einschließlich",
    "bis einschl", "bis inklusive", "bis inkl", "bis und mit", "nach dem", "jusqu'au", "jusqu'à", "après le",
    "hasta [el]", "después del", "tot en met", "t/m", "tot", "na", tail=_BEFORE_DATE)
# "from 10 to 14 December": a range ends at the second date
_FROM = _cue("from", "as of", "starting [on|from]", "ab [dem|den]", "à partir du", "dès le", "a partir del",
             "desde el", "vanaf", tail=_BEFORE_DATE)
_ON = _cue("on", "am", "le", "el", "op", tail=_BEFORE_DATE)
_RANGE_END = re.compile(rf"(?:\d|\.|{_ANY_MONTH})\s*(?P<cue>-|to|au|al|a|and|und|y|et|en){_BEFORE_DATE}")
_RANGE_JOIN = re.compile(rf"\s*(?:-|to|until|till|bis|au|al|a|hasta|tot|t/m|tot en met|and|und|y|et|en)\s*"
                         rf"{_ARTICLE}")
_RETURN_WORDS = (
    "back", "return[s|ing]", "available", "reachable", "in the office", "reopen[s|ing]", "zurück", "rückkehr",
    "erreichbar", "im büro", "für sie da", "wiedereröffnung", "geöffnet", "retour", "reviens", "reviendrai",
    "rentre", "rentrerai", "reprends", "reprendrai", "reprise", "réouverture", "disponible", "joignable",
    "au bureau", "à votre disposition", "vuelta", "vuelvo", "volveré", "regreso", "regresaré", "reincorporo",
    "reincorporaré", "incorporo", "incorporaré", "en la oficina", "reapertura", "a su disposición", "terug",
    "terugkomst", "bereikbaar", "beschikbaar", "aanwezig", "op kantoor")
_RETURN = _cue(*_RETURN_WORDS, tail=r"(?!\w)")
# out of office, "again" tells of a return too ("wieder am Montag"); of a payment it does not
_BACK = _cue(*_RETURN_WORDS, "again", "wieder", "de nuevo", "nuevamente", "weer",
             "{bearbeiten|beantworten} wir", "nous {traiterons|répondrons}", "{atenderemos|responderemos}",
             "{behandelen|beantwoorden} we", "will {deal with|answer|respond|work through}", tail=r"(?!\w)")


_TAX_RETURN = re.compile(r"(?<!\w)(?:vat|tax|income|annual|gst|sales\s+tax)\s+returns?(?!\w)")
# days that are not the day of paying: "the invoice only reached us on the 20th" (past), "our
# fiscal quarter closes on the 30th" (the books)
_NOT_PAYDAY = re.compile(r"(?<!\w)(?:(?:reached|arrived|came|landed|got\s+here)"
                         r"(?:\s+(?:us|here|with\s+us|in))?|(?:quarter|month|year|books|period)\s+(?:closes|closed|ends|end))"
                         r"\s*(?:on|at)?\s*(?:the\s+)?$")
# "money's tight this month", "Geld ist diesen Monat knapp": no day of paying
_TIGHT = re.compile(r"(?<!\w)(?:money|cash|funds|geld|argent|tresorerie|dinero|liquidez)"
                    r"(?:'s|\s+is|\s+are|\s+ist|\s+est|\s+esta)?\s+(?:\S+\s+){0,2}?"
                    r"(?:tight|short|low|scarce|knapp|juste|serre|justo|escaso|krap)(?!\w)")


def _is_refused(hit: _Hit, place: _Place) -> bool:
    """Dates that are clearly not a promise: the invoice's, a due date, an earlier message's,
    the end of someone's absence, or a day told of as past."""
    dated = _DATED.search(place.before)
    if dated and _WILL_BE.search(place.before, 0, dated.start()):
        dated = None   # "a new cheque will be issued on the 20th": a day ahead
    if _REFERENCE.search(place.before) or dated or _DUE.search(place.before):
        return True
    if _DUE_AFTER.match(place.after) or _WROTE.match(place.after):
        return True
    if _OUT.search(place.clause) and not _PAYMENT.search(place.clause):    # "she's out this week"
        return True
    if _TIGHT.search(place.clause):
        return True
    if (hit.yearless or hit.kind == "weekday") and _NOT_PAYDAY.search(place.before):
        return True
    # "he is back on Monday (and will pay then)"; a tax return is no return to work
    if _RETURN.search(_ABSENT.sub(" ", _TAX_RETURN.sub(" ", place.clause))):
        if not (_PAYMENT.search(place.sentence) or _COMMIT.search(place.sentence)):
            return True
    elif _ABSENT.search(place.clause) and not _PAYMENT.search(place.clause):   # "on holiday until Friday"
        return True
    # a day ruled out is told near it: "Ende des Monats ist leider nicht möglich", not "payday is
    # friday ill send it then dont cut me off"
    if _NEGATION.search(place.lead + place.after[:20]) and not _NOT_BEFORE.search(place.before):
        return True
    may_be_past = hit.yearless or hit.kind in ("weekday", "today", "this week", "month end", "year end")
    return may_be_past and bool(_DONE.search(place.clause)) and not _FOR.search(place.before)


def _far_ahead(hit: _Hit, d: date) -> bool:
    """"3 November" written on 20 November reads as next year's; told without a year, it is
    more likely the one just past."""
    return hit.yearless and hit.kind in ("explicit", "numeric") and (hit.found.day - d).days > 300


def _promise_score(hit: _Hit, place: _Place) -> int:
    score = 0
    if _PAYMENT.search(place.sentence):
        # the payment (or the client's commitment) told in the date's own clause, not in the
        # clause beside it: "the new card comes on Monday and I pay on Friday at the latest"
        own = place.clause
        score += 5 if _PAYMENT.search(own) or _REST.search(own) or _COMMIT.search(own) else 4
    elif _COMMIT.search(place.sentence):
        score += 2
    cue = _DEADLINE.search(place.before)
    if cue and hit.kind == "weekday" and cue.group().strip() == "in":
        cue = None   # "wages go in Thursday night": no deadline
    # "... and the rest early next month": the plan's later day, told without a cue word
    if hit.kind == "duration" or cue or _DEADLINE_AFTER.match(place.after) or _REST.search(place.lead):
        score += 2
    return score


# --- the answers ----------------------------------------------------------------------------

def dates(text: str, sent: datetime) -> list[Found]:
    """Every date expression in ``text``, in order, read against the day ``sent``."""
    return [h.found for h in _scan(text, _fold(text), sent.date())]


# between the days of a list: "on Oct 10, Oct 24 and Nov 7"
_LIST_JOIN = re.compile(r"\s*(?:,|;|&|and|und|et|y|en|,\s*(?:and|und|et|y|en))\s*(?:(?:on|am|le|el|op)\s+)?")
# "this month" beside a day of it ("it'll be the 28th, when our pay run goes out this month")
_BARE_MONTH = re.compile(r"this month|diesen monat|ce mois(?:-ci)?|este mes|deze maand")


def promised_date(text: str, sent: datetime) -> Found | None:
    """The date the client commits to pay by, or None (no promise, or a promise without a date)."""
    d = sent.date()
    folded = _fold(text)
    hits = _scan(text, folded, d)
    best: tuple[int, date] | None = None
    chosen = None
    listed = 0     # the score of the day before, where the next one continues its list
    places = _places(folded, hits)
    sentences = [p.sentence for p in places]
    for i, (hit, place) in enumerate(zip(hits, places, strict=True)):
        if hit.found.day < d or _far_ahead(hit, d) or _is_refused(hit, place):
            listed = 0
            continue
        if _BARE_MONTH.fullmatch(_fold(hit.found.phrase)) and sentences.count(place.sentence) > 1:
            continue        # the month of a day told beside it
        # one commitment may name several days ("half on Friday, the rest by the 30th"): the
        # last of them is the day promised; a day in a list ("on Oct 10, Oct 24 and Nov 7")
        # counts as much as the first
        score = _promise_score(hit, place)
        if i and _LIST_JOIN.fullmatch(folded, hits[i - 1].found.end, hit.found.start):
            score = max(score, listed)
        listed = score
        rank = (score, hit.found.day)
        if best is None or rank > best:
            best, chosen = rank, hit.found
    return chosen or _next_run(text, folded, d)


# a weekday that recurs, and the next run it is part of: "cheques are signed on Thursdays, so
# it'll be in the next batch"
_RECURRING = re.compile(rf"(?:every|each|jeden|elke|chaque|cada|todos\s+los)\s+(?P<wd>{_WEEKDAY})"
                        r"|(?P<short>mon|tues|wednes|thurs|fri)days")
_NEXT_RUN = re.compile(r"(?<!\w)(?:next|nachste[nr]?|volgende|prochaine?|proxim[oa]|siguiente)\s+(?:\w+\s+)?"
                       r"(?:batch|run|cycle|zahllauf|lauf|betaalrun|lot|remesa|tanda)(?!\w)")


def _next_run(text: str, folded: str, d: date) -> Found | None:
    """The next day of a recurring run, where the promise names no day but that run."""
    for m in _RECURRING.finditer(folded):
        end = _SENTENCE_END.search(folded, m.end())
        start = max(0, m.start() - 60)      # the payment may be told just before ("cheques are signed")
        around = folded[start:end.start() if end else len(folded)]
        if _PAYMENT.search(around) and _NEXT_RUN.search(around, m.start() - start):
            weekday = (_WEEKDAY_OF[_key(m["wd"])] if m["wd"]
                       else ("mon", "tues", "wednes", "thurs", "fri").index(m["short"]))
            return Found(_next_weekday(d, weekday), text[m.start():m.end()], m.start(), m.end())
    return None


def return_date(text: str, sent: datetime) -> Found | None:
    """The first day back at work in an out-of-office reply, or None."""
    d = sent.date()
    folded = _fold(text)
    hits = _scan(text, folded, d)
    last_day: Found | None = None     # "until X": the last day away
    day_away: Found | None = None     # "out of the office on X": a day away, the only one told
    for i, (hit, place) in enumerate(zip(hits, _places(folded, hits), strict=True)):
        if hit.found.day < d or _starts_range(hits, i, folded):
            continue
        cue = _UNTIL.search(place.before) or _RANGE_END.search(place.before)
        to_next = hits[i + 1].found.start - hit.found.end if i + 1 < len(hits) else None
        to_last = hit.found.start - hits[i - 1].found.end if i else None
        if not cue and _is_back(place, to_last, to_next):
            return hit.found
        if cue and _NEGATION.search(place.lead) and _BACK.search(place.lead):
            return hit.found   # "will not return until 14 December": back on the 14th
        if cue and last_day is None:
            words = cue.start("cue") if "cue" in cue.re.groupindex else cue.start()
            last_day = _day_after(text, hit.found, hit.found.start - len(place.before) + words)
        elif not cue and day_away is None and _ABSENT.search(place.clause) and _ON.search(place.before):
            day_away = _day_after(text, hit.found, hit.found.start)
    return last_day or day_away


def _is_back(place: _Place, to_last: int | None, to_next: int | None) -> bool:
    """The date is a day back: "back on Monday", but not "nicht im Büro"; the words count
    between the dates on either side ("not in this week and back on Monday 5 October" is back
    on the 5th); after "from" they may follow in the sentence, up to the next date ("ab
    Montag, dem 30.11., wieder da")."""
    lead = place.lead if to_last is None else place.lead[max(0, len(place.lead) - to_last):]
    if _BACK.search(_ABSENT.sub(" ", lead + place.after[:to_next])):
        return True
    return bool(_FROM.search(place.before) and not _ABSENT.search(place.clause)
                and _BACK.search(place.rest[:to_next]))


def _day_after(text: str, last: Found, start: int) -> Found:
    """The day after ``last``, read from the words from ``start`` on ("until 14 December")."""
    start = len(text) - len(text[start:].lstrip())
    return Found(last.day + timedelta(days=1), text[start:last.end], start, last.end)


def _starts_range(hits: Sequence[_Hit], i: int, folded: str) -> bool:
    """"from 10 December to 14 December": the first date is where the absence starts."""
    return i + 1 < len(hits) and bool(
        _RANGE_JOIN.fullmatch(folded, hits[i].found.end, hits[i + 1].found.start))
