"""The words a client actually wrote in a reply: HTML turned into text, and the quoted
reminder, earlier messages, forwarded mail, signatures and disclaimers cut away.

The cutting is done by mail-parser-reply (quote headers, signatures and disclaimers in many
languages); what it leaves, a few more cuts made here catch: quote markers on their own
lines, forwarded-message banners, Lotus Notes reply headers, "sent from my phone" footers and
the HTML quote blocks of Outlook, Gmail and Thunderbird, which are cut before the HTML becomes
text. Answers written inside the quoted reminder (between its lines, or marked with the
writer's initials below "see my answers below") are kept, and so is a list of points the
library takes for a signature.
"""

from __future__ import annotations

import re
import unicodedata

from inscriptis import get_text
from mailparser_reply import EmailReplyParser

LANGUAGES = ("en", "de", "fr", "es", "nl")

_parser = EmailReplyParser(languages=list(LANGUAGES))

# Where the quoted part of an HTML reply begins, in the markup of common mail programs.
_HTML_QUOTE = re.compile(
    r"<div[^>]+(?:id=[\"']?(?:divRplyFwdMsg|appendonsend|mail-editor-reference-message-container)"
    r"|class=[\"']?(?:gmail_quote|moz-cite-prefix|yahoo_quoted|zmail_extra|OutlookMessageHeader))"
    r"|<blockquote|<hr[^>]+id=[\"']?stopSpelling"
    r"|<div[^>]+style=[\"'][^\"']*border-top:\s*solid\s*#[Ee]1[Ee]1[Ee]1", re.I)

# Lines where the new text ends, whatever the library kept: a quote, a forwarded message,
# an Outlook header block, a phone's footer.
_END = re.compile(
    r"^\s*(?:>"
    r"|-{2,}\s*forwarded by\b"
    r"|-{2,}\s*(?:original message|urspr.ngliche nachricht|message d'origine|mensaje original"
    r"|oorspronkelijk bericht|forwarded message|weitergeleitete nachricht|message transf.r."
    r"|mensaje reenviado|doorgestuurd bericht)"
    r"|begin forwarded message|anfang der weitergeleiteten|d.but du message (?:r.exp.di.|transf.r.)"
    r"|inicio del mensaje reenviado|begin van doorgestuurd bericht"
    r"|(?:from|von|de|van)\s*:\s.*@"
    r"|[^\n]*<[^<>\n@]+@[^<>\n]+>[ \t]*\n[ \t]*\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d\d"
    r"|(?:sent from|gesendet von|von meinem|envoy. (?:de|depuis)|enviado desde|verzonden (?:vanaf|met)"
    r"|verstuurd vanaf|get outlook for)\b"
    r"|(?:on|am|le|el|op)\s.{4,160}(?:wrote|schrieb|a .crit|escribi.|schreef|het volgende geschreven)"
    r"(?:\s*:?\s*$|\s.{0,160}:\s*$))",
    re.I | re.M)


# The library takes a line starting "- " for a signature ("-John"); a list of points is no
# signature: two such lines in a row, or one that is a sentence ("- Rita cut the check on Thursday")
_LIST = re.compile(r"[-*\u2022] ?\S[^\n]*\n\s*[-*\u2022] ?\S|[-*\u2022] ?(?:\S+ ){4,}\S")


def html_to_text(html: str) -> str:
    """Readable text of an HTML body, without its quoted part."""
    m = _HTML_QUOTE.search(html)
    return str(get_text(html[:m.start()] if m else html))


def new_text(body: str, *, html: bool = False) -> str:
    """The new words of a reply's body (plain text, or HTML when ``html``)."""
    text = html_to_text(body) if html else body
    text = text.replace("\r\n", "\n").replace("\u00a0", " ")
    try:
        replies = _parser.read(text=text).replies
        if not replies:
            kept = text
        elif _LIST.match(replies[0].signatures):
            kept = replies[0].content       # the "signature" is a list of points: keep it
        else:
            kept = replies[0].body
    except Exception:  # noqa: BLE001 - a parsing library must not lose a reply: keep it all
        kept = text
    if not kept.strip():
        kept = text
    m = _END.search(kept)
    if m and kept[:m.start()].strip():
        kept = kept[:m.start()]
    answers = _inline_answers(text) or (_tagged_answers(text) if _BELOW.search(kept) else "")
    if answers and answers not in kept:
        kept = f"{kept.rstrip()}\n\n{answers}"
    lines = [" ".join(line.split()) for line in kept.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _inline_answers(text: str) -> str:
    """Paragraphs written between the lines of a quoted message ("answers below"): unquoted
    lines that follow a blank line and have quoted lines both before and after them. A quoted
    line that the mail program wrapped goes on right after its "> " line, and is not taken."""
    lines = text.split("\n")
    quoted = [i for i, line in enumerate(lines) if line.lstrip().startswith(">")]
    if len(quoted) < 2:
        return ""
    answers: list[str] = []
    taking = False
    for i in range(quoted[0] + 1, quoted[-1]):
        line = lines[i].strip()
        if line.startswith(">"):
            taking = False
        elif not line:
            taking = True
        elif taking:
            answers.append(line)
    return "\n".join(answers)


# "see my answers below", and the answers marked with the writer's initials in the quoted
# text: "[SW] We mailed check #10382 for this on 4/8."
_BELOW = re.compile(r"\b(?:below|inline|in line|unten|ci-dessous|plus bas|abajo|debajo|hieronder|onderaan)\b",
                    re.I)
_TAGGED = re.compile(r"^[ \t]*(?:\[[A-Z]{2,4}\]|<{1,2}[A-Z]{2,4}>{1,2})[ \t]*(\S.*)$", re.M)


def _tagged_answers(text: str) -> str:
    return "\n".join(m.group(1).strip() for m in _TAGGED.finditer(text))


def looks_like_html(body: str) -> bool:
    return bool(re.match(r"\s*(?:<!doctype html|<html|<body|<div|<p[\s>]|<table|<meta|<head)",
                         body, re.I))


def fold(text: str) -> str:
    """Text as the classifier's patterns read it: lower case, accents dropped (``é`` -> ``e``,
    ``ü`` -> ``u``), typographic apostrophes made plain, runs of spaces made one."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("ß", "ss")
    return re.sub(r"[ \t]+", " ", text)
