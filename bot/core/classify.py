"""What a reply says: paid, promise, dispute, question, out of office, bounce or other.

Rules, not a model: each label has phrases in English, German, French, Spanish and Dutch,
each with a weight. A reply's new text (``replytext.new_text``) is folded (lower case, no
accents) and searched; the phrases found are the evidence, their weights the score. The
label is chosen in the order a credit controller reads a reply:

1. mail systems first: a delivery report is a bounce, an absence notice out of office, and
   other automatic mail (a ticket receipt, "no longer with the company") other;
2. then the client's words: a contested invoice is a dispute even when it also talks about
   paying; a payment already made beats a promise of one; a promise beats a question.

The confidence grows with the winning score and shrinks when another label's phrases are
also present, so a reply that says two things goes to a person. Everything here is
deterministic and offline; nothing is learned at run time.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core import learned, when
from bot.core.replytext import fold


class Label(enum.StrEnum):
    PAID = "paid"
    PROMISE = "promise"
    DISPUTE = "dispute"
    QUESTION = "question"
    OUT_OF_OFFICE = "out_of_office"
    BOUNCE = "bounce"
    OTHER = "other"


LABELS = tuple(Label)


@dataclass(frozen=True, slots=True)
class Reading:
    """The classifier's answer for one reply."""

    label: Label
    confidence: float                       # 0..1
    evidence: tuple[str, ...]               # the phrases that decided it, as written
    promise_date: date | None = None
    promise_phrase: str | None = None
    return_date: date | None = None
    amounts: tuple[str, ...] = ()           # in paid claims, as written
    references: tuple[str, ...] = ()        # payment references in paid claims
    failed_address: str | None = None       # in bounces
    copy_request: bool = False              # a question asking for a copy of the invoice
    text: str = ""                          # the new text that was read
    scores: dict[str, float] = field(default_factory=dict)


# -- the phrases -----------------------------------------------------------------------------
# Written against folded text: lower case, no accents, "ß" as "ss", plain apostrophes.

# the stop after a day of the month ("am 15. Juni"), which ends no sentence; "invoice 2458. The"
# and "by 12/15. Ok?" do
_DAY_DOT = r"(?:(?<=[^\w/]\d)|(?<=[^\w/]\d\d)|(?<=^\d)|(?<=^\d\d))\.(?= [a-z])"
_W = rf"(?:[^.!?\n]|(?<=\d)\.(?=\d)|{_DAY_DOT}){{0,40}}?"      # a few words within one sentence ("1.250,00" stays in)
_S = rf"(?:[^.!?\n]|(?<=\d)\.(?=\d)|{_DAY_DOT}){{0,80}}?"      # further, still within the sentence

_PAY_VERB_PAST = (r"(?:paid|settled|remitted|wired|transferred|sent|made|processed|released|initiated"
                  r"|issued|mailed|posted|executed|cleared|credited|approved and sent)")
_PAY_NOUN = (r"(?:payment|transfer|wire|remittance|check|cheque|ach|funds|money|bacs|amount|balance"
             r"|invoice|bill|sum)")

# When a sentence speaks of: a time still to come, or one already past. A payment phrase in a
# sentence about the future is a promise ("Zahlung erfolgt am Freitag"), not a payment made.
_DAYS = (r"(?:monday|tuesday|wednesday|thursday|friday|montag|dienstag|mittwoch|donnerstag|freitag"
         r"|lundi|mardi|mercredi|jeudi|vendredi|lunes|martes|miercoles|jueves|viernes"
         r"|maandag|dinsdag|woensdag|donderdag|vrijdag)")
_FUTURE = re.compile(
    r"\b(?:tomorrow|day after tomorrow|next (?:week|month|friday|monday|tuesday|wednesday|thursday|payment|pay|run|batch|cycle)"
    r"|(?:this|the coming|end of (?:the|this|next)) (?:week|month)|end of (?:the )?(?:week|month|year|day)|(?:by|until|before) (?:the )?\d"
    r"|within (?:\d+|a|one|two|three|the next) |in (?:\d+|a few|two|three)(?:-\d+)? (?:working |business )?days|asap|as soon as"
    r"|soon|shortly|later (?:this|today)|on the \d+(?:st|nd|rd|th)"
    rf"|(?:on|by|this|next|until) {_DAYS}s?|{_DAYS}s?\b(?! \d{{1,2}}\.? \w+ \d{{4}})"
    r"|(?<!guten )(?<!heute )morgen|ubermorgen|nachste[nr]? (?:woche|monat)|(?:diese[nr]?|kommende[nr]?) (?:woche|monat)|ende (?:des|dieses|nachsten) monats"
    r"|monatsende|innerhalb (?:von|der)|bis (?:zum|ende|spatestens|nachste)|in den nachsten|demnachst|zeitnah|baldmoglichst|sobald|am \d+(?=\. )"
    r"|so bald (?:als|wie) moglich|schnellstmoglich|so schnell wie moglich"
    r"|demain|apres-demain|(?:la )?semaine prochaine|cette semaine|d'ici|fin (?:du|de|de ce) mois|sous \d+|dans les (?:prochains|\d+) jours"
    r"|prochainement|des que|rapidement|(?:avant|pour|d'ici) le \d+\b"
    r"|(?<!esta )manana|pasado manana|(?:la )?(?:proxima|siguiente) semana|semana que viene|mes que viene|esta semana|(?:a )?final(?:es)? de(?:l)? mes|fin de mes|en \d+ dias"
    r"|pronto|cuanto antes|lo antes posible|en cuanto|proxima remesa|el dia \d+"
    r"|overmorgen|volgende (?:week|maand)|deze (?:week|maand)|einde? (?:van )?(?:de|deze|het|volgende) (?:week|maand)|binnen \d+|zsm|zo snel mogelijk"
    r"|binnenkort|zodra|op de \d+)\b")
# a future tense or a plan in the same sentence, stronger than a time word
_WILL = re.compile(
    r"\b(?:will|'ll|shall|going to|gonna|werden|wird|werde|allons|vais|va|vont|sera|seront|partira|partiront|vamos a|voy a|va a"
    r"|zullen|zal|gaan|ga|wordt|worden)\b"
    r"|\b(?:hope|hoping|plan|planning|expect|expecting|intend|aim|aiming|try to|trying to|hoffen|hoffe|planen|geplant|vorgesehen"
    r"|esperons|espere|prevoyons|prevu|comptons|esperamos|espero|pensamos|intentaremos|previsto|hopen|hoop|verwachten|verwacht"
    r"|proberen|van plan|gepland)\b"
    r"|\b(?:paier|payer|regler|virer|verser|effectuer|solder|enverr|procederer|fer)(?:ai|a|ons|ont)\b"
    r"|\b(?:pagar|abonar|transferir|liquidar|saldr|quedar|har|realizar|enviar|efectuar|ingresar|incluir|procesar|emitir|tramitar)"
    r"(?:a|an|e|emos)\b")
_PAST = re.compile(
    r"\b(?:yesterday|already|ago|last (?:week|month|friday|monday|tuesday|wednesday|thursday)|this morning|earlier today|today|"
    r"gestern|bereits|schon|heute|hier|deja|ce (?:jour|matin)|aujourd'hui|ayer|ya|esta manana|hoy|gisteren|reeds|vandaag|vanochtend"
    r"|vanmorgen)\b")
_PAST_VERB = re.compile(
    r"\b(?:went|was|were|been|did|done|made|sent|initiated|paid|settled|transferred|wired|remitted|cleared"
    r"|bezahlt|uberwiesen|beglichen|gezahlt|payee|reglee|viree|pagad[oa]|abonad[oa]|betaald|overgemaakt|voldaan"
    r"|ist raus|ist erfolgt|wurde|haben|habe|a ete|ont ete|left|came|submitted|posted|mailed|executed|effected|cut"
    r"|est parti|hemos|se realizo|se hizo|hicimos|salio|hebben|heb|heeft|is verstuurd|gedaan|dropped|delivered|handed"
    r"|(?:ai|avons|a|ont) (?:deja )?(?:paye|regle|vire|verse|envoye|effectue)|took|se (?:pago|abono|transfirio|ingreso)"
    r"|(?:i|we) have (?:pay|send|make|made))\b")
_PAST_SURE = re.compile(
    r"\b(?:yesterday|already|ago|last (?:week|month)|statement shows|gestern|bereits|schon|hier|deja|ayer|gisteren|reeds"
    r"|ist\b[^.!?\n]{0,25}\braus|worden"
    r"|letzte (?:woche|monat)|(?:la )?semaine (?:derniere|passee)|le mois (?:dernier|passe)|(?:la )?semana pasada|el mes pasado"
    r"|vorige (?:week|maand)|afgelopen (?:week|maand))\b"
    rf"|\b(?:last|letzten|vergangenen|vorigen|vorige|afgelopen|el pasado) {_DAYS}\b|\b{_DAYS} (?:dernier|passe|pasado)\b")
# a day still to come, named outright: it outweighs a past participle ("Morgen betaald", "lo dejamos pagado a final de mes")
_FUTURE_SURE = re.compile(
    r"\b(?:tomorrow|day after tomorrow|next (?:week|month)|end of (?:the |this |next )?(?:week|month)|(?<!guten )(?<!heute )morgen|ubermorgen"
    r"|nachste[nr]? (?:woche|monat)|ende (?:des|dieses|nachsten) monats|monatsende|demain|(?:la )?semaine prochaine|le mois prochain"
    r"|fin (?:du|de ce) mois|(?<!esta )manana|semana que viene|mes que viene|(?:la )?(?:proxima|siguiente) semana|el (?:proximo|siguiente) mes|(?:a )?final(?:es)? de(?:l)? mes"
    r"|fin de mes|overmorgen|volgende (?:week|maand)|einde? (?:van )?(?:de|deze|het|volgende) (?:week|maand))\b")
# a clause ends at a stop (not the one in "am 15." or "1.250,00") or a comma
_CLAUSE = re.compile(rf"(?:[^.!?\n,;:]|(?<=\d)[.,](?=\d)|{_DAY_DOT}|\.(?=\w))+")
_STOP = re.compile(rf"[!?\n]|(?!{_DAY_DOT})\.(?!\w)")
_SENTENCE = re.compile(rf"(?:[^.!?\n]|(?<=\d)\.(?=\d)|{_DAY_DOT}|\.(?=\w))+")
_NEGATION = re.compile(r"\b(?:not|n't|never|nicht|kein\w*|nie|pas|jamais|no(?!\s*$)|nunca|niet|geen|nooit)\b|n't\b")
# a payment word in the past: a claim that it was made, when nothing in the clause doubts it
_PAID_FORM = re.compile(
    r"\b(?:paid|settled|transferred|wired|remitted|bezahlt|uberwiesen|beglichen|gezahlt|angewiesen|erledigt"
    r"|payee?s?|reglee?s?|viree?s?|versee?s?|pagad[oa]s?|abonad[oa]s?|transferid[oa]s?|ingresad[oa]s?|depositad[oa]s?|liquidad[oa]s?"
    r"|pagamos ayer|ya (?:pagamos|abonamos|transferimos|depositamos)|se (?:pago|abono|transfirio|liquido|deposito)"
    r"|betaald|overgemaakt|voldaan|overgeboekt)\b")
# a past participle or past tense that says a payment happened, when a payment word is near
_DONE = re.compile(
    r"\b(?:paid|payed|settled|sent|made|submitted|executed|posted|mailed|processed|initiated|issued|cut|completed|effected"
    r"|released|transferred|wired|remitted|cleared|went (?:out|through)|left (?:our|my) (?:account|bank)"
    r"|bezahlt|uberwiesen|beglichen|gezahlt|angewiesen|ausgefuhrt|veranlasst|erledigt|rausgegangen|getatigt|geleistet|erfolgt"
    r"|payee?s?|reglee?s?|viree?s?|effectuee?s?|executee?s?|faite?s?|postee?s?|envoyee?s?|versee?s?|emise?s?|expediee?s?|partie?s?"
    r"|pagad[oa]s?|abonad[oa]s?|transferid[oa]s?|realizad[oa]s?|efectuad[oa]s?|enviad[oa]s?|hech[oa]s?|ordenad[oa]s?|ingresad[oa]s?"
    r"|depositad[oa]s?|pague|pagamos|transferi|transferimos|abonamos|ingresamos|enviamos|realizamos|hicimos|efectuamos|ordenamos"
    r"|se (?:\w+o)|acab(?:o|amos) de"
    r"|betaald|overgemaakt|voldaan|overgeboekt|gestort|gedaan|uitgevoerd|verstuurd|verwerkt)\b")
# the same, with an auxiliary or ending no future can borrow ("was submitted on Monday", "se ordenó el viernes")
_DONE_FIRM = re.compile(
    r"\b(?:was|were|has been|have been|had been|'ve|we've|i've|'s been|its been|it's been|got)\b"
    r"|\b(?:wurde|wurden|worden|a ete|ont ete|avons|fue|ha sido|hemos|se \w+o|werd|hebben|heb)\b")
# anything about the invoice or money at all
_MONEY = re.compile(
    r"\b(?:invoice|bill|amount|balance|statement|account|bank|iban|vat|tax|credit|debit|po|order|price|rate|fee|charge|receipt"
    r"|rechnung|betrag|konto|mahnung|steuer|mwst|facture|montant|compte|tva|avoir|factura|importe|cuenta|iva|factuur|bedrag"
    r"|rekening|btw|herinnering|banco|cbu|amex|visa|mastercard|card|karte|carte|tarjeta|rechnungen|factures|facturas|facturen"
    r"|pay|paid|payment|payments|remittance|wire|transfer|instal+ment|raten|plazos|termijnen)s?\b|[€$£]|\d+[.,]\d{2}\b")
# "a large client has paid us late": someone paying the client, not the client paying
_THEIR_CUSTOMER = re.compile(r"\b(?:paid|pays?|paying) (?:us|me)\b|\bonly pays?\b|\bpays? (?:invoices|suppliers|vendors) (?:submitted|sent|that)\b"
                             r"|\b(?:payments?|invoices?|checks?|cheques?)(?: and \w+)? received (?:during|after|before|while|over|in)\b|\b(?:bezahlt|zahlt) uns\b|\bnous (?:a|ont) paye\b|\bnos (?:pago|pagaron)\b")
_IF = re.compile(r"\b(?:if|unless|should you|wenn|falls|sollten sie|si|als|indien|mocht)\b")
_DUE = re.compile(r"\b(?:due|overdue|fallig|echeance|echu|vencid[oa]|vencimiento|vervallen|vervaldatum)\b")
_TO_BE = re.compile(r"\b(?:to be|due to be|will be) (?:paid|settled|released|transferred|wired)\b")
_SCHEDULED = re.compile(
    r"\b(?:schedul\w*|planned|booked|queued|approved|authori[sz]ed|arranged|set up|lined up|eingeplant|vorgemerkt|terminiert"
    r"|programm\w*|planifie\w*|prevu\w*|gepland|ingepland|goedgekeurd|aprobad\w*|agendad\w*)\b")
_MODAL = re.compile(r"\b(?:can|could|should|must|need to|needs to|has to|have to|would|to) be\b|\bplease\b|\bkindly\b"
                    r"|\b(?:can|could|may|must|will|would) (?:only |not |never )?pay\b"
                    r"|\b(?:need|needs|needed) (?:your|a|the|our)\b"
                    r"|\b(?:are|get|gets) (?:released|sent|issued|mailed|cut|printed)\b")   # what usually happens
# "some of these might already have been paid": a guess, not a claim
_HEDGE = re.compile(r"\b(?:might|may have|maybe|perhaps|possibly|probably|not sure|vielleicht|eventuell|moglicherweise|peut-etre"
                    r"|quizas|quiza|tal vez|misschien|wellicht|mogelijk|i thought|creia que|crei que|pensaba que|ich dachte|je pensais"
                    r"|je croyais|ik dacht|normally|usually|typically|generally|normalerweise|normalement|normalmente|normaal gesproken)\b")
# "... and the rest next week": a new clause, so a part paid now is not read with the rest to come
_CLAUSE_BREAK = re.compile(r"\b(?:and|y|et|und|en)(?= (?:(?:i|we)(?:'ll| will) |will |(?:je|nous) vous |(?:ich|wir) )?(?:\w+ ){0,2}?"
                           r"(?:the |el |le |den |het )?(?:rest|remainder|balance|saldo|resto|solde|reste|restant|restbetrag"
                           r"|remaining|another))|(?<= )[-\u2013\u2014](?= )")
_DOUBT = re.compile(r"\b(?:if|once|when|whether|until|unless|before|wenn|sobald|ob|bis|falls|si|quand|des que|cuando|en cuanto|hasta"
                    r"|als|zodra|of (?:het|u|we|wij|jullie|ze|die|deze)|tot|indien)\b")
# any word about paying, in any tense
_PAY_ANY = re.compile(
    r"\b(?:pay(?!ables?\b)|paid|payed|paying|payment|settle|settled|transfer|wire|remit|cheque|(?:a|the|our|your) check|check (?:no|number|#)"
    r"|funds|taken care of|take care of|send it over|get (?:it|this|that) (?:over|paid|sorted)|get to (?:it|this|that)"
    r"|sort (?:it|this|that) out|clear(?:ing)? (?:the |this |that |it |our )?(?:full |remaining |outstanding )?(?:rest|balance|invoice|amount)"
    r"|clear (?:it|this)|(?:credited|transferred) to (?:your|the) account|(?:hit|reach|be in) your (?:bank |bank account|account)"
    r"|in the (?:payment |next |weekly |monthly )?(?:queue|batch|run)|goe?s? out|going out|bizum|paypal|zelle|venmo|standing order|replacement (?:check|cheque)|(?:run|charge|put it on) (?:the|my|our|a) (?:card|credit card)"
    r"|release (?:it|this|the (?:payment|funds|money|balance|invoice))|released|set (?:it|both|them|this|that|the (?:payment|transfer)s?) up|push (?:it|this|that|the payment) through)"
    r"|\b(?:zahl|bezahl|uberweis|uberwies|begleich|beglich|anweis|ausgleich|zahllauf)\w*|\braus\b|\bkummern uns\b|\bdarum kummern\b|\bdauerauftrag\b"
    r"|\b(?:paie|paye|payer|paiement|regl|vire|virer|virement|verse|verser|versement|solde|acompte)\w*|\b(?:nous|je) (?:nous en|m'en) occup"
    r"|\b(?:pag|abon|transferi|transferencia|liquid|deposit|ingres|remesa)\w*|\bnos encargamos\b"
    r"|\b(?:betaal|betaald|betalen|betaling|deelbetaling|overmak|overgemaakt|voldo|voldaan|overboek)\w*|\bmaak\w* [^.!?\n]{0,25}\bover\b"
    r"|\bop (?:jullie|uw|je) rekening\b|\bregel(?:en)? (?:ik|we|wij)\b")

# the client paid more than it owed: "we paid $4,500 by mistake instead of $4,100"
_OVERPAID_WORDS = (r"\b(?:we|i)(?:'ve| have)? (?:paid|transferred|wired) (?:[^.!?\n]|(?<=\d)\.(?=\d)){0,30}"
                   r"(?:by mistake|too much|twice|in error)\b|\b(?:we|i)(?:'ve| have)? overpaid\b|\boverpayment\b"
                   r"|\b(?:doppelt|zweimal|zu ?viel) (?:bezahlt|gezahlt|uberwiesen)\b|\buberzahlung\b"
                   r"|\b(?:paye|regle|vire)e? (?:deux fois|en double|en trop)\b|\btrop (?:paye|percu|verse)\b"
                   r"|\b(?:pagado|pagamos|abonado|transferido) (?:dos veces|de mas|por duplicado)\b|\bpago duplicado\b"
                   r"|\b(?:dubbel|twee keer|tweemaal|te ?veel) (?:betaald|overgemaakt|overgeboekt)\b")

_PAID = (
    (1.0, r"\b(?:we|i|my client|our (?:company|bank|team|accounts? (?:payable|department)))(?:'ve| have| has| had)?"
          r"(?: already| just| now| finally)? (?:paid|settled|remitted|wired|transferred|cleared)\b"),
    (1.0, rf"\b{_PAY_NOUN}s? (?:has|have|had|was|were) (?:already |just |now )?(?:been )?{_PAY_VERB_PAST}\b"),
    (0.9, r"\b(?:has|have|had|was|were) (?:already |just )?(?:been )?paid\b(?! us\b| me\b)"),
    (0.9, r"\b(?:is|are) (?:already |now )?(?:paid|settled)\b"),
    (1.0, r"\b(?:already|just) (?:paid|settled|sent (?:the )?payment|made (?:the )?payment)\b"),
    (1.0, r"\b(?:paid|settled|transferred|wired|remitted) (?:it |this |that |the (?:invoice|amount|balance|bill) |in full )?"
          r"(?:on (?:the )?\d|on (?:mon|tue|wed|thu|fri|sat|sun)|yesterday|today|this morning|last (?:week|month|friday|monday)|earlier)"),
    (1.0, r"\b(?:we|i) (?:sent|mailed|posted|made|initiated|released|issued|processed|submitted|wired) "
          r"(?:you |out )?(?:a |the |our |your )?(?:payment|check|cheque|transfer|wire|remittance|funds|money)\b"),
    (1.0, r"\b(?:(?<!your )remittance (?:advice|slip|copy|attached|enclosed)|(?:attached|see|our) remittance|proof of payment|payment (?:confirmation|receipt|advice)|transfer confirmation"
          r"|confirmation of (?:payment|transfer)|wire confirmation|swift (?:copy|confirmation))\b"),
    (0.5, r"\b(?:check|cheque) (?:no\.?|number|#) ?\d+"),
    # the payables run it left in: "salió hoy en la dispersión de pagos"
    (1.0, r"\b(?:salio|se fue|se incluyo|entro|se pago) (?:hoy |ayer |esta manana )?en (?:la |el )?(?:dispersion|remesa|corrida|lote)\b"),
    (1.0, r"\b(?:we|i)(?:'ve| have)? (?:sent|paid|transferred|wired) (?:you )?(?:[$€£]\s?\d|\d[\d.,]*\s?(?:€|eur|euros?|usd|gbp)\b)"
          r"|\b(?:i|we)(?:'ve| have)? (?:just )?(?:put (?:it|this|the payment) through|set up the (?:bank )?(?:transfer|payment) for)\b"
          r"|\b(?:my|our) (?:bank )?statement shows\b[^.!?\n]{0,40}(?:[$€£]\s?\d|\d[\d.,]*\s?(?:€|eur))"),
    # "sent it thru the banking app just now", "that went across on Tuesday - £1,148.00"
    (1.0, r"\bsent (?:it|this|that|the (?:money|payment|funds)) (?:thr?u|through|via|by|from|over|with|using|in)\b[^.!?\n]{0,30}"
          r"\b(?:bank\w*|app|online|transfer|ach|bacs|paypal|zelle|venmo|card)\b"
          r"|\b(?:went|gone) across\b(?:[^.!?\n]{0,40}(?:[$€£]\s?\d|\d[\d.,]*\s?(?:€|eur|gbp|usd))| (?:on|yesterday|today|this|last))"),
    (1.0, r"\b(?:check|cheque|payment|wire|transfer)s? (?:is|are) (?:in the mail|on (?:its|the) way|in transit)\b"),
    (1.0, r"\b(?:we|i)(?:'ve| have)? (?:sent|mailed|wired|paid|processed|submitted|released|made)"
          r" (?:it|this|that|them|the (?:balance|amount|full amount|invoice|bill))"
          r" (?:on|via|by|through|online|last|yesterday|today|this|earlier)\b"),
    (1.0, rf"\A\W*(?:sent|paid|mailed|wired|posted|transferred|dropped) (?:it|this|that|the (?:check|cheque|payment|balance))"
          rf"(?: over| off| across)? (?:on |last |yesterday|today|this morning|{_DAYS})"),
    (1.0, r"\b(?:paid|settled) (?:via|by|through|online|with|using) (?:ach|eft|wire|bank|check|cheque|credit card|card|paypal|bacs|sepa)\b"),
    (0.9, r"\b(?:you should (?:have|already have) (?:received|gotten|got)|should have (?:reached|arrived|cleared))\b"),
    (0.9, r"\b(?:has|have) been taken care of\b|\bwent out (?:on|yesterday|today|last)\b|\bcleared (?:our|the) bank\b"
          r"|\b(?:it|this|that)(?:'s| is) been taken care of\b"),
    (1.0, r"\b(?:charge|payment|transfer|card payment|direct debit|wire)\b(?:(?! never| not)[^.!?\n]){0,20}\bwent through\b"
          r"|\b(?:you|they|your (?:\w+ )?(?:team|office|colleague|staff))(?: already)? (?:took|have taken|processed|charged) (?:the |my |our )?(?:payment|card)\b"
          r"|\b(?:transfer|payment|wire|money|funds)\b[^.!?\n]{0,15}\bleft (?:us|our (?:account|bank))\b"
          r"|\b(?:we|i)(?:'ve| have)? (?:paid|settled|cleared) (?:your|the|this|that|our) (?:bill|invoice|account|balance) in full\b"),
    (0.9, r"\A\W*(?:done|handled|sorted|taken care of|all (?:squared|sorted) (?:away|out)|cleared|wired)\b[ \t\-.!,]*(?:thx|thanks|ty|cheers)?\W*(?:\n|\Z)"
          r"|\b(?:that|this)(?: one)?(?:'s| is| has been) (?:done|sorted|handled|cleared)(?: now)?\b"),
    # a payment with a grumble: "paid last week, why am I still getting these?"
    (0.5, r"\bwhy (?:am i|are we|do i|do we|is (?:this|it)) still (?:getting|receiving|being sent|showing)\b"
          r"|\bwaarom krijg (?:ik|wij|we) (?:dan )?nog (?:steeds|altijd)\b|\bwarum (?:bekomme|erhalte|bekommen|erhalten) (?:ich|wir) (?:dann )?(?:noch|immer noch)\b"
          r"|\bpourquoi (?:je recois|nous recevons|est-ce que je recois) (?:encore|toujours)\b|\bpor que (?:sigo|seguimos) recibiendo\b"),
    # a cheque brought round: "the check was hand-delivered to your front desk"
    (1.0, r"\b(?:check|cheque|payment)s? (?:was|were|has been|have been) (?:hand[- ]delivered|dropped off|dropped in|left|handed in)\b"
          r"|\b(?:i|we)(?:'ve| have)? (?:left|dropped|put|posted) (?:a|the|our|my) (?:cheque|check)\b"
          r"|\b(?:j'ai|nous avons) (?:depose|laisse|poste) (?:un|le|notre) cheque\b"),
    (0.8, r"\b(?:confirmation|transaction|reference|trace) (?:no\.?|number|#|id)\b|\b(?:ach|wire|fedwire|imad) trace\b"),
    (1.0, r"\b(?:we|i) (?:show|have) (?:this|it|that|the invoice) (?:as )?(?:paid|settled|cleared)\b"
          r"|\b(?:our|my) records show (?:this|it|that|the invoice) (?:as )?(?:paid|settled)\b"
          r"|\b(?:check|cheque|payment|wire|transfer)(?: no\.?| number| #)? ?\d* (?:cleared|was cashed|has been cashed|was deposited)\b"
          r"|\byou(?:'ve| have) (?:got|received) (?:the|our) (?:funds|money|payment)\b"),
    (0.9, rf"\b(?:payment|wire|transfer|check|cheque|funds|money|ach|remittance|bacs|eft|balance|amount|sum|total)\b{_W}\bwent (?:out|to you|across)\b"
          r"|(?:\A|[-:.\n] ?)\s*went out\b|\bwent in(?:to)? (?:our|the) (?:bank'?s? |bulk |payment |bacs |ach )*(?:file|run|batch)\b"),
    (0.9, r"\A\W*(?:all )?(?:done|erledigt|c'est fait|fait|hecho|gedaan|geregeld)\W*(?:\n|\Z)"),
    (1.0, r"\b(?:sent|paid|transferred|wired)\b[^.!?\n]{0,20}\b(?:today|yesterday|this morning)\b[^.!?\n]{0,10}\b(?:by|via|through) (?:zelle|venmo|paypal|cash app|wire|ach|bacs|check|cheque|card)\b"
          r"|\b(?:treasury|ap|accounts payable|our (?:bank|treasury|ap team|office)) (?:released|sent|wired|initiated|processed) (?:the |a |our )?(?:wire|payment|transfer|funds|ach|check|cheque)\b"),
    (1.0, r"^\s*payment (?:date|amount)\s*:"),
    (1.0, r"\b(?:zelle|venmo|paypal)'?d\b|\b(?:dropped|left|put) (?:a |the |our )?(?:check|cheque|payment) (?:in|into|at|off)\b"
          rf"|{_OVERPAID_WORDS}"),
    (0.9, r"^\s*payment (?:number|method|reference)\s*:"),
    (0.6, r"\bpaid in full\b"),
    (1.0, r"\b(?:was|were|has been|have been|got) (?:already |just )?(?:remitted|wired|transferred|initiated|released|processed|settled|paid|cleared)\b"),
    (1.0, r"\b(?:made|sent|initiated|did|completed|submitted|scheduled and sent) (?:a |the |our |an? )?(?:part(?:ial)? |full |final |bank |online )?"
          r"(?:payment|transfer|wire|remittance|deposit)\b"),
    (1.0, r"\b(?:payment|transfer|wire|remittance|bank transfer|ach)s? (?:done|made|sent|initiated|completed|processed|released|executed|went out)\b"),
    (1.0, r"^\W*(?:paid|all paid|payment made|settled)\b"),
    (1.0, r"\b(?:payment|transfer|wire|it|this)(?: has| had)? (?:went|gone|been put|gone) through\b"),
    (1.0, r"\b(?:left|came out of|debited from|taken from|went out of) (?:our|my) (?:bank )?account\b|\babgebucht\b|\bpreleve\w*"
          r"|\bgeincasseerd\b|\bafgeschreven\b|\bcargad[oa] en (?:nuestra|mi) cuenta\b"),
    (0.5, r"\b(?:direct debit|lastschrift|prelevement|domiciliacion|automatische incasso)\b"),
    (0.9, r"\bdeja pay\w*"),
    (0.9, r"\bsorted (?:this morning|yesterday|today|earlier|now|last)\b|^\W*(?:all )?sorted\b"),
    (1.0, r"\b(?:factura|saldo|monto|importe|deuda)\b[^.!?\n]{0,30}\b(?:fue|ya|esta|quedo) (?:ya )?cancelad[oa]\b|\bcancelad[oa] en su totalidad\b"),
    # the account it left, told as a status: "the transfer shows as completed on our side", "BACS has gone out"
    (1.0, r"\b(?:transfer|payment|wire|ach|bacs|eft)s? (?:shows?|is showing|appears) as (?:completed|sent|paid|processed|executed)\b"
          rf"|\b{_PAY_NOUN} (?:has|have) gone (?:out|through|across)\b"
          r"|\b(?:we|i)(?:'ve| have)? (?:sent|paid|transferred|wired) (?:you )?\d[\d.,]* (?:now|today|this morning|just now)\b"
          r"|\bproof of (?:payment|pmt)\b|\b(?:gave|handed) (?:your|the) \w+ a (?:check|cheque)\b"),
    # de
    (1.0, rf"\b(?:haben|habe|hat|wurde|wurden|ist|sind|bereits|schon|heute|gestern){_S}"
          rf"\b(?:bezahlt|uberwiesen|beglichen|angewiesen|gezahlt|ausgeglichen|veranlasst|ausgefuhrt|geleistet|getatigt)\b"),
    (1.0, r"\b(?:zahlung|uberweisung|uberweisungsauftrag)(?: ist| wurde| wurden)?(?: bereits| schon| heute| gestern)?"
          r" (?:erfolgt|veranlasst|ausgefuhrt|getatigt|raus|unterwegs|angewiesen|freigegeben)\b"),
    (1.0, r"\b(?:zahlungsbestatigung|uberweisungsbeleg|zahlungsnachweis|zahlungseingang bestatigt)\b"
          r"|\b(?:anbei|beigefugt|im anhang)\b[^.!?\n]{0,30}\bzahlungsavis\b|\bzahlungsavis (?:anbei|im anhang|beigefugt)\b"),
    (1.0, r"\b(?:ist|sind|wurde) (?:bereits |schon |gestern |heute )*(?:raus|rausgegangen|rausgeschickt|erledigt)\b"
          r"|\brausgegangen\b|\bist\b[^.!?\n]{0,25}\braus\b|\bzahlung (?:ist )?(?:durch|durchgegangen)\b"),
    # fr
    (1.0, rf"\b(?:avons|ai|a|ont|deja|bien|hier|aujourd'hui){_W} (?:paye|payee|regle|reglee|vire|viree|acquitte|solde)\b"),
    (1.0, r"\b(?:virement|paiement|reglement|versement)(?: a| ont)?(?: bien| deja)?(?: ete)? (?:effectue|envoye|emis|execute|realise|passe)s?\b"),
    (1.0, r"\b(?:procede|effectue)(?: au| le) (?:paiement|reglement|virement)\b"),
    (1.0, r"\b(?:virement|paiement|reglement|versement|cheque)\b[^.!?\n]{0,40}\b(?:a ete|ont ete|est|est bien|bien) "
          r"(?:effectue|envoye|emis|execute|realise|parti|passe|expedie)e?s?\b"),
    (1.0, r"\b(?:paiement|virement|reglement|versement) (?:effectue|execute|envoye|emis|realise|fait)e?s?\b"),
    (1.0, r"\b(?:avons|ai|a) (?:fait|effectue|envoye|emis|passe|lance|ordonne) (?:le|un|notre|votre|mon) (?:virement|paiement|reglement|versement|cheque)\b"),
    (1.0, r"\b(?:c'est|c est|est|a ete) (?:deja |bien )?(?:paye|regle)e?\b|^\W*(?:regle|paye)e?s?\b|\b(?:parti|envoye|poste) hier\b"),
    (1.0, r"\b(?:avis de virement|preuve de (?:paiement|virement)|justificatif de (?:paiement|virement)|confirmation de (?:paiement|virement))\b"),
    (0.9, r"\b(?:facture|montant|somme) (?:est|a ete) (?:deja |bien )?(?:payee|reglee|soldee|acquittee)\b"),
    (1.0, r"\bvirement (?:passe|parti|fait|effectue|envoye|execute)\b"),
    # es
    (1.0, rf"\b(?:hemos|he|ha|han|ya|ayer|hoy){_W} (?:pagado|abonado|transferido|liquidado|saldado|ingresado)\b"),
    (1.0, r"\b(?:pago|transferencia|abono|ingreso)(?: ya)?(?: fue| ha sido| se ha| se hizo| esta)?(?: ya)?"
          r" (?:realizad[oa]|efectuad[oa]|enviad[oa]|hech[oa]|emitid[oa]|ordenad[oa])\b"),
    (1.0, r"\b(?:realizamos|hicimos|efectuamos|enviamos|ordenamos) (?:el|la) (?:pago|transferencia|abono)\b"),
    (1.0, r"\b(?:comprobante|justificante|confirmacion) de (?:pago|transferencia)\b"),
    (1.0, r"\b(?:transferencia|pago|deposito|ingreso|abono) (?:ya )?se (?:hizo|realizo|efectuo|envio|mando|ordeno)\b"),
    (1.0, r"\b(?:se realizo|se hizo|se efectuo|se envio|se mando|realizamos|hicimos|efectuamos|enviamos|ingresamos)\b[^.!?\n]{0,30}"
          r"\b(?:deposito|pago|transferencia|abono|ingreso)\b"),
    (0.9, r"\b(?:factura|importe) (?:ya )?(?:esta|fue|ha sido) (?:pagad[oa]|abonad[oa]|liquidad[oa])\b"),
    (1.0, r"\bya (?:esta|quedo|fue|se) (?:pagad[oa]|abonad[oa]|liquidad[oa]|saldad[oa]|pago|abono|transfirio)\b"),
    # nl
    (1.0, rf"\b(?:hebben|heb|heeft|is|zijn|werd|reeds|al|gisteren|vandaag){_S}"
          rf"\b(?:betaald|overgemaakt|voldaan|overgeboekt|gestort|uitbetaald)\b"),
    (1.0, r"\b(?:betaling|overboeking|overschrijving)(?: is| werd)?(?: al| reeds| vandaag| gisteren)?"
          r" (?:uitgevoerd|verricht|verstuurd|gedaan|verwerkt|onderweg)\b"),
    (1.0, r"\b(?:betaalbewijs|bewijs van betaling|betalingsbewijs|betalingsbevestiging)\b"),
    (1.0, r"\b(?:betaalopdracht|betaling|overboeking|deelbetaling|overschrijving)\b[^.!?\n]{0,30}"
          r"\b(?:is |werd )?(?:verstuurd|gedaan|uitgevoerd|verricht|verwerkt|ingediend)\b|\bnet (?:via \w+ )?betaald\b"
          r"|\b(?:betaling|overboeking|incasso) (?:is )?(?:gelukt|geslaagd)\b"),
    (0.9, r"\bya (?:se |os |te |les )?(?:lo|la|los|las) (?:mande|envie|transferi|pague|abone|ingrese|deposite)\b"),
)

_PAID_NOT = (
    r"\b(?:not|never|n't)(?: yet| been)*(?: been)? (?:paid|settled|received|sent|processed)\b",
    r"\b(?:haven't|have not|hasn't|has not|didn't|did not|can't|cannot|won't|will not|unable to)"
    r"(?: yet)? (?:pay|paid|settle|transfer|process)\b",
    r"\bnoch nicht\b[^.!?\n]{0,30}(?:bezahlt|uberwiesen|beglichen|gezahlt)\b",
    r"\bnicht (?:bezahlt|uberwiesen|beglichen|gezahlt)\b",
    r"\b(?:pas encore|pas) (?:ete )?(?:paye|regle|vire)\b|\bn'(?:avons|ai) pas (?:encore )?(?:paye|regle)\b",
    r"\b(?:todavia|aun) no\b[^.!?\n]{0,20}(?:pagado|abonado|transferido)\b|\bno (?:hemos|he) (?:pagado|abonado)\b",
    r"\bnog niet\b[^.!?\n]{0,20}(?:betaald|overgemaakt|voldaan)\b|\bniet (?:betaald|overgemaakt)\b",
    r"\b(?:will|shall|going to|once|after|when|as soon as)\b[^.!?\n]{0,25}\b(?:paid|settled|transferred)\b",
    r"\bje (?:suis|serai) paye\b|\bquand je (?:suis|serai) paye\b",
    # the bank sent it back: nothing has arrived
    r"\b(?:was|has been|got|were|have been) (?:returned|rejected|bounced|reversed|sent back) by (?:the|our|your) bank\b"
    r"|\b(?:von der bank )?zuruckgekommen\b|\b(?:rejete|retourne) par (?:la|notre) banque\b|\b(?:devuelt[oa]|rechazad[oa]) por el banco\b"
    r"|\b(?:teruggestort|geweigerd) door de bank\b",
    r"\b(?:whether|if|ob|si|of)\b[^.!?\n]{0,30}\b(?:paid|settled|bezahlt|beglichen|paye|regle|pagad[oa]|betaald)\b",
)

_SHOULD_BE_PAID = r"(?:\b(?:it|this|that|these|they|the rest) |^|[.!?]\s+)should (?:be|get) (?:paid|settled|processed|released)"
_A_DAY_FOLLOWS = r"within|by|on|in|before|next|this|tomorrow"

_PROMISE = (
    (1.0, r"\b(?:we|i)(?:'ll| will| shall| are going to| am going to| intend to| plan to| expect to| aim to"
          r"| hope to| can| should be able to| would like to| are planning to| want to)"
          r"(?: be able to)?(?: make| get| have)?(?: the| a| our| this)?(?: full| final| first| partial)?"
          r" (?:pay|settle|remit|transfer|wire|payment|clear|process (?:the |your )?payment|send (?:you )?(?:the |a )?"
          r"(?:payment|funds|money|check|cheque|transfer|wire))"),
    (1.0, r"\b(?:payment|transfer|wire|check|cheque|funds|remittance|balance|invoice)s? (?:will|shall|should|is going to)"
          r" (?:be )?(?:go out|be made|made|sent|processed|released|initiated|issued|scheduled|wired|paid|settled"
          r"|follow|reach you|arrive|be with you|be in your account|hit your account)"),
    (1.0, r"\b(?:scheduled|queued|approved|lined up|set up) for (?:payment|our next (?:payment|check) run)\b"),
    (1.0, r"\b(?:payment|transfer|it|this|the balance)(?: is| has been| was)? (?:scheduled|booked|queued|planned|set) (?:for|on)\b"
          r"|\b(?:payment|transfer)\b[^.!?\n]{0,40}\b(?:is|has been) (?:scheduled|booked|queued|planned|set) (?:for|on)\b"
          r"|\breplacement (?:check|cheque|payment)? ?will be (?:issued|sent|cut|mailed)\b|\b(?:i|we) (?:can )?commit to (?:pay|paying|settle|settling)\b"),
    (0.9, r"(?:[$€£]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|eur|euros?|usd|dollars?))\s+(?:on|by|at|before)\b[^.!?\n]{0,40}(?:[$€£]\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|eur|euros?|usd|dollars?))\s+(?:on|by|at|before)\b"),
    (0.9, r"\b(?:next|upcoming|coming|weekly|monthly) (?:payment|check|cheque|pay) (?:run|cycle|batch)\b"),
    (0.9, r"\b(?:next|this) (?:week|month)'s (?:payment |pay |check |cheque )?(?:run|batch|cycle)\b"
          r"|\bon (?:our|my|the) (?:list|schedule) for (?:next|this|the)\b"),
    (1.0, r"\b(?:with|in|into|on|for|in time for) (?:our|the|this|next) (?:next |upcoming )?(?:payment|check|cheque|pay) (?:run|cycle|batch)\b"),
    (0.9, r"\byou (?:will|should|can expect to) (?:have|receive|see|get) (?:the |our |your )?(?:payment|funds|money|check|cheque|transfer)\b"),
    (0.9, r"\b(?:please )?allow (?:us |me )?(?:until|till|up to|another|an extra|a few|\d+|one|two|three) ?(?:more |extra )?(?:days?|weeks?|business|working|\d)"),
    (0.8, r"\b(?:payment|instal+ment) plan\b|\bin (?:two|three|four|\d) (?:instal+ments|payments|parts)\b"),
    (0.7, r"\b(?:can|could|may) (?:we|i) (?:pay|settle) (?:\w+ ){0,2}?(?:in|by|on|before|over|this|next)\b"),
    # second-language English: the present for what is to come ("we pay it in two weeks")
    (1.0, r"\b(?:we|i) pay (?:it|this|the invoice|the rest|the balance) (?:in|on|by|next|this|within|end of)\b"),
    (1.0, r"\b(?:we|i)(?:'ll| will| shall)(?: be)? (?:send|sending|mail|mailing|get|getting|cut|issue|issuing|process|processing|release|releasing|wire|wiring|have)"
          r"(?: you| out| over)?(?: a| the| our| your| this| it)? ?(?:check|cheque|payment|funds|wire|transfer|it paid|this paid|paid|out)\b"),
    (0.9, r"\b(?:will|shall) be (?:paying|sending|mailing|wiring|processing|remitting|settling)\b"),
    (1.0, r"\b(?:it|this|that|these|they|the rest)(?:'ll| will| is going to| are going to) (?:be|get) (?:paid|settled|processed|released)\b"),
    # "should be paid": a hope, unless a day follows ("should be paid within 10 days")
    (0.9, rf"{_SHOULD_BE_PAID}\b(?! (?:already|by now|{_A_DAY_FOLLOWS})\b)"),
    (1.0, rf"{_SHOULD_BE_PAID} (?:{_A_DAY_FOLLOWS})\b"),
    (0.8, r"\b(?:should|will) (?:be|go) out (?:by|on|next|this|tomorrow|early|later)\b|\bexpect (?:to (?:pay|send|make)|payment)\b"),
    (0.8, r"\b(?:payment arrangement|arrange (?:a )?payment|pay (?:it |this |the balance )?(?:off )?in (?:full|instal+ments))\b"
          r"|\b(?:two|three|four|five|six|[2-9]) (?:equal |monthly |weekly )?(?:payments|instal+ments) of\b"),
    (0.8, r"\b(?:being processed|in process|in progress|in bearbeitung|wird bearbeitet|en cours de (?:traitement|paiement|validation|reglement)"
          r"|en tramite|en proceso|in behandeling|wordt verwerkt)\b"),
    (1.0, r"\byou(?:'ll| will| should) (?:have|get|receive) (?:it|this|them|the (?:money|payment|funds|balance|check|cheque))\b"),
    (0.9, r"\b(?:could|can|may) (?:we|i) have (?:until|till|another|a few|more|two|three|an extra)\b"),
    (1.0, r"\A\W*(?:by |before )?(?:eow|eom|(?:the )?end of (?:the |this )?(?:week|month)|cob (?:today|tomorrow|friday|monday))\W*"
          r"(?:\n+\s*[a-z]+\.?\s*)?\Z|\b(?:first|next) in line\b"),
    (1.0, r"\byou(?:'re| are) (?:on|in|included in) (?:it|the (?:list|run|batch|cycle|file))\b|\bpencil+ed in\b"
          r"|\bin the queue for\b|\bin the (?:payment |ap |check |cheque )?queue\b(?![^.!?\n]*\?)|\b(?:next|upcoming) (?:disbursement|ach|eft|bacs|check|cheque) (?:list|cycle|run|batch)\b"
          r"|\A\W*approved[,.;]? (?:and )?(?:processing|in process|being processed)\b"),
    (0.9, rf"\b(?:{_DAYS}|week|month|tomorrow|\d{{1,2}}(?:st|nd|rd|th)?)\b[^.!?\n]{{0,20}}\b(?:at the )?latest\b|\blatest (?:by|on)\b"
          r"|\bspatestens\b|\bau plus tard\b|\ba mas tardar\b|\buiterlijk\b"),
    (0.6, r"\b(?:give|grant|allow) us (?:until|till|another|a few|more|two|three|an extra)\b|\b(?:more|extra|additional) time to pay\b"),
    # a payment the bank sent back, made again: "will resend it Friday", "überweisen am Freitag erneut"
    (1.0, r"\b(?:will|shall|going to|'ll) (?:re-?send|resubmit|re-?issue|redo) (?:it|the payment|the transfer|the wire|payment)\b"
          rf"|\b(?:will|shall|'ll) re-?send (?:(?:it|the ach|the wire|payment) )?(?:on |by |this |next |tomorrow|today|{_DAYS})"
          r"|\b(?:we|i) propose to pay\b"),
    (1.0, r"\b(?:we|i) (?:can|could|will|'ll|should) (?:have|get) (?:it|this|that|the (?:money|payment|balance|check|cheque|funds))"
          r" (?:over )?(?:to you|with you|in your account|into your account)\b"
          r"|\b(?:check|cheque|payment)s? (?:should|will|is going to|'ll) (?:be|get) (?:cut|mailed|cut and mailed|released|sent out)\b"),
    (1.0, r"\b(?:put|include|add) (?:it|this|you|yours|the invoice|your invoice) (?:in|into|on|with) (?:\w+'s |the |our |next |this )?"
          r"(?:batch|run|payment run|pay run|check run|cheque run|bacs run)\b"
          r"|\A\W*(?:it|that|payment)(?:'ll| will) be (?:next|this|on|by|tomorrow|early|later|end)\b"),
    (0.9, r"\b(?:he|she|they|we|i)(?:'ll| will) (?:sort|settle|clear|deal with|take care of) (?:it|this|that|the (?:bill|invoice|balance|account))\b"
          r"|\A\W*(?:will do|on it|wird erledigt|doe ik(?: \w+)?|je m'en occupe|me encargo|ik regel het|ich erledige das)\b"
          r"|\A\W*(?:ok|oui|d'accord|yes|ja|si|vale)\W+(?:sous|dans|in|binnen|en|within) (?:\w+ ){0,2}"
          r"(?:jours|days|tagen|dagen|dias|semaines|weeks|wochen|weken|semanas)\b"),
    (1.0, r"\b(?:is|it's|has been|was) (?:set|scheduled|slated|queued|lined up) for (?:our |the |this |next )?(?:\w+ )?"
          r"(?:check|cheque|payment|pay|ach|bacs|supplier) (?:run|batch|cycle)\b"
          r"|\b(?:he|she|they|we|i)(?:'ll| will) put (?:it|this|the payment|the charge) through\b"),
    (1.0, r"\b(?:je|nous) vous propos\w* de (?:regler|payer|verser|virer|solder)\b|\bregler en (?:deux|trois|quatre|\d) (?:fois|versements)\b"),
    # de
    (1.0, rf"\b(?:werden|wird|werde){_S}\b(?:bezahlen|uberweisen|begleichen|zahlen|anweisen|ausgleichen|veranlassen"
          rf"|uberwiesen|bezahlt|beglichen|angewiesen|ausgeglichen)\b"),
    (0.9, r"\b(?:wir (?:uberweisen|zahlen|bezahlen|begleichen|veranlassen)|ich (?:uberweise|zahle|bezahle|begleiche))\b"),
    (0.9, r"\b(?:(?:uberweisen|zahlen|bezahlen|begleichen|veranlassen) wir|(?:uberweise|zahle|bezahle|begleiche) ich)\b"),
    (0.9, r"\bwird\b[^.!?\n]{0,40}\b(?:eingezogen|abgebucht)\b|\b(?:bis \w+ )?zeit geben\b|\b(?:zahlungs)?aufschub\b"),
    (0.9, r"\b(?:(?:aus)?zahlung|uberweisung|betrag|ausgleich)(?: erfolgt| folgt| geht| kommt)\b"),
    (0.8, r"\b(?:nachsten|kommenden) zahlungslauf\b|\bratenzahlung\b|\bin (?:\w+ )?raten\b|\bin (?:zwei|drei|vier|\d+) (?:teilbetragen|monatsraten)\b"),
    (1.0, r"\b(?:ausgezahlt|uberwiesen|uberweisen|uberweist|bezahlt) wird\b"
          r"|\bmit (?:einem )?(?:der |dem )?(?:kommenden|nachsten) zahll(?:auf|aufe|aufen)\b"
          r"|\b(?:uberweisen|zahlen) (?:wir )?(?:am|bis) (?:montag|dienstag|mittwoch|donnerstag|freitag)\b"
          r"|\b(?:schlagen|schlage) (?:wir |ich )?vor\b[^.!?\n]{0,40}\b(?:zu zahlen|zu uberweisen)\b"),
    # fr
    (1.0, r"\b(?:nous|je) (?:allons|vais|pourrons|pourrions|comptons|prevoyons|devrions)"
          r" (?:vous )?(?:regler|payer|proceder|effectuer|virer|envoyer le (?:paiement|virement|reglement))\b"),
    (1.0, r"\b(?:reglerons|paierons|payerons|effectuerons|virerons|procederons|solderons|enverrons le (?:paiement|virement))\b"),
    (1.0, r"\b(?:paiement|reglement|virement|versement)s? (?:sera|seront|va etre|vont etre|interviendra|partira)\b"),
    (0.9, r"\b(?:sera|seront) (?:reglee?s?|payee?s?|soldee?s?|viree?s?)\b"),
    (0.9, r"\bje (?:regle|paie|paye|vire) (?:la facture|le solde|le montant|tout|le reste)\b|\bun (?:petit )?delai\b"),
    (0.8, r"\bech[ea]ncier\b|\ben plusieurs (?:fois|versements|mensualites)\b|\bprochaine? (?:campagne|cycle) de (?:paiement|reglement)s?\b"),
    (1.0, r"\b(?:nous )?proposons de (?:payer|regler|verser|virer)\b"),
    # es
    (1.0, r"\b(?:vamos a|voy a|procederemos a|podremos|podriamos|pensamos|esperamos|tenemos previsto)"
          r" (?:pagar|abonar|transferir|liquidar|saldar|realizar (?:el|la) (?:pago|transferencia)|hacer (?:el|la) (?:pago|transferencia))\b"),
    (1.0, r"\b(?:pagaremos|abonaremos|transferiremos|liquidaremos|saldaremos|realizaremos|haremos|efectuaremos|enviaremos)\b"),
    (1.0, r"\b(?:el|la) (?:pago|transferencia|abono) (?:se realizara|sera realizad[oa]|se hara|se efectuara|saldra|llegara|se enviara)\b"),
    (0.9, r"\b(?:sera|seran) (?:pagad[oa]s?|abonad[oa]s?|liquidad[oa]s?)\b"),
    (0.9, r"\bdar(?:me|nos)? hasta\b|\b(?:una )?prorroga\b|\bmas tiempo\b|\blo pago\b"),
    (0.8, r"\bplan de pagos?\b|\ba plazos\b|\ben (?:dos|tres|cuatro|\d) (?:pagos|plazos|cuotas)\b"),
    (1.0, r"\bproponemos (?:pagar|abonar|transferir|liquidar)\b"),
    # nl
    (1.0, rf"\b(?:we|wij|ik) (?:zullen|gaan|zal|ga){_S}\b(?:betalen|overmaken|voldoen|overboeken|betaald|overgemaakt|voldaan)\b"),
    (0.9, r"\b(?:ik|we|wij) (?:kan|kunnen) (?:het|dit|de factuur|de rest) (?:\w+ ){0,4}betalen\b"
          r"|\b(?:betalen|maken|voldoen|betaal|storten) (?:we|wij|ik)\b|\b(?:we|wij|ik) (?:betalen|maken .{0,30}over|voldoen|storten)\b"
          r"|\buitstel\b"),
    (1.0, r"\b(?:betaling|overboeking)(?: volgt| wordt| zal)\b|\bwordt .{0,30}(?:betaald|overgemaakt|voldaan)\b"),
    (1.0, r"\b(?:ingepland|eingeplant|vorgemerkt)\b[^.!?\n]{0,40}\b(?:betaalrun|betaling|zahlung|zahllauf)|\b(?:staat|staan) (?:\w+ )?ingepland\b"),
    (0.8, r"\bbetalingsregeling\b|\bin (?:twee|drie|vier|\d) (?:termijnen|delen)\b|\bvolgende betaalrun\b"),
    (1.0, r"\b(?:stellen|stel) (?:wij |we |ik )?voor om\b[^!?\n]{0,60}\b(?:over te maken|te betalen|te voldoen)\b"),
)

_DISPUTE = (
    (1.0, r"\b(?:invoice|amount|charge|bill|price|rate|quantity|total|figure|calculation|hours)s? (?:is|are|seems?|looks?|appears? to be)"
          r" (?:incorrect|wrong|too high|inaccurate|not correct|not right|excessive|in error|off)\b"),
    (1.0, r"\b(?:we|i)(?: do not| don't| did not| didn't| never| have never| haven't)"
          r" (?:agree|order|ordered|authori[sz]e|authori[sz]ed|sign|signed|approve|approved|owe|contract|request|requested)\b"),
    (1.0, r"\b(?:never|not|n't|have not|has not|did not)(?: yet)? (?:received|got|get|had) (?:the |any |these |those |your |our |all )?(?:goods|items|units|parts|products|delivery"
          r"|shipment|order|services?|work|materials?|equipment)\b"),
    (1.0, r"\b(?:work|job|project|installation|service|repair|order|delivery)s? (?:is|was|has|have|were)(?: still)? (?:not|never) (?:been )?(?:completed|finished|done|delivered|carried out)\b"),
    (1.0, r"\b(?:dispute|disputing|disputed|contest(?= (?:the|this|that|your|these|those|it|them|any|all)\b)|contested|contesting|challenge|challenging|object to|reject|rejecting)\b"),
    (1.0, r"\b(?:overcharg\w*|over-?billed|double[- ]?(?:billed|charged|invoiced)|billed twice|charged twice|invoiced twice"
          r"|duplicate (?:invoice|charge|billing)|(?:is|was|looks like) a duplicate|duplicate of)\b"),
    (1.0, r"\b(?:damaged|defective|faulty|broken|missing|incomplete|wrong|unusable|poor quality)"
          r" (?:goods|items?|units?|parts?|products?|delivery|shipment|pallets?|work|service)\b"),
    (0.9, r"\bnot (?:as|what we) (?:ordered|agreed|quoted|contracted)\b|\bdoes(?:n't| not) match (?:the|our) (?:po|purchase order|quote|contract|agreement)\b"),
    (0.9, r"\b(?:credit note|credit memo|corrected invoice|revised invoice|issue a credit)\b"),
    (1.0, r"\b(?:withhold|(?<!backup )withholding(?! tax)|hold back|holding back|hold off on|refuse to pay|won't pay|will not pay|not going to pay)\b"),
    (0.9, r"\b(?:cancel+ed|terminated) (?:the |our |this )?(?:order|contract|subscription|service|agreement|booking)\b"),
    (0.9, r"\b(?:not our|isn't ours|not ours|not for us|wrong (?:company|entity|customer|address|recipient))\b"
          r"|\b(?:don't|do not|never) (?:think we )?(?:do|did|have done) (?:any )?business with you\b"
          r"|\bnever heard of (?:you|your company|this company)\b|\b(?:not|never been) (?:a )?customers? of yours\b"),
    (1.0, r"\b(?:once|when|after|until|til|till|as soon as|only if|provided)\b[^.!?\n]{0,60}\b(?:replaced|fixed|fix|repair|replace|credited|corrected"
          r"|resolved|refunded|reissued|re-issued|delivered|completed|rectified|live and tested|(?:actually |properly )?working(?: again| properly)?"
          r"|replacements?(?! (?:check|cheque|payment|card))|(?:snag(?:ging)?|punch) list)\b"),
    (1.0, r"\bnot paying\b|\b(?:please )?correct (?:it|this|that|the (?:invoice|amount|hours))\b|\bno longer (?:due|owed|payable)\b"
          r"|\bshould be (?:zero|nil|0)\b|\b(?:only )?adds? up to\b|\btake (?:the |that |this )?(?:[$€£]?\d[\d.,]*|charges?|fees?|surcharges?|interest|amount|lines?|items?|hours?|\w+ (?:fee|charge|surcharge)s?)"
          r"(?: \w+)? off\b"),
    (0.9, r"\b(?:you've|you have) (?:charged|invoiced|billed)\b[^.!?\n]{0,60}\bbut\b|\breverse[- ]charged?\b"
          r"|\b(?:cancel|void) (?:this|it) and reissue\b|\breissue (?:it|this) to\b"),
    (1.0, r"\b(?:we|i) show a different\b|\bshows? a different (?:amount|figure|quantity|volume|total)\b"
          r"|\b(?:does not|doesn't|do not|don't|cannot|can't|could not) (?:tie|reconcile)\b|\bcomes? to\b[^.!?\n]{0,40}\brather than\b"
          r"|\bcannot be (?:approved|paid|accepted|processed) (?:in its current form|as (?:submitted|invoiced|billed|it stands))"
          r"|\bnot in a position to (?:approve|accept|pay)\b"
          r"|\bnot able to (?:approve|accept) (?:the|this|your) invoice\b|\bnot (?:our|my) (?:liability|responsibility)\b"
          r"|\b(?:issue|send|raise) (?:us |me )?a credit (?:note|memo)\b|\b(?:re-?bill|rebill|re-?invoice)\b"
          r"|\bbill (?:us )?at the (?:confirmed|agreed|contracted|quoted)\b|\bnever (?:countersigned|signed|agreed|approved|confirmed)\b"
          r"|\bno (?:confirm|confirmation|change request|cr|po|purchase order) was (?:ever )?(?:exchanged|raised|issued|approved|signed)\b"
          r"|\bno record of (?:a |any |the |this |these |your )?(?:deliver|vehicle|collection|shipment|order|consignment|work|service"
          r"|visit|pallet|goods|call-?out)\w*"),
    (0.9, r"\b(?:under the impression|it was our understanding|our understanding (?:is|was) that)\b|\bwaived\b|\bestimated reads?\b"
          r"|\b(?:are|is|were) (?:still )?not able to pay\b|\bstill not (?:able|prepared|willing) to\b"),
    (0.6, r"\b(?:bills?|billed|charges?|charged|invoiced?)\b[^.!?\n]{0,60}\b(?:but|whereas|however|while)\b|\brather than\b"
          r"|\binstead of\b|\b(?:caps?|capped) (?:\w+ ){0,3}at\b|\bexceeds?\b|\b(?:our|the) (?:records|meter data|data|figures) (?:show|indicate)s?\b"),
    (0.6, r"\b(?:included in|part of) (?:the|our|your) (?:quote|quotation|price|contract|package|fixed fee)\b|\bridiculous\b|\brediculous\b"),
    (0.8, r"\b(?:undisputed|disputed) (?:part|portion|amount|items?)\b|\bonly pay (?:for )?(?:the )?(?:part|portion|items)\b"),
    # what was agreed set against what was billed, and the difference asked about: "the quote
    # said 2,350 ... can you explain where the difference comes from?"
    (1.2, r"\b(?:quote[ds]?|quotation|estimate|offer(?:ed)?|agreed|price list|offerte|afgesproken|devis|convenu|angebot"
          r"|vereinbart|presupuesto|acordad[oa]|me dijeron)\b[^?]{0,300}\b(?:difference|discrepancy|verschil|diferencia"
          r"|unterschied|(?:other|extra|additional) [^?\s]{1,12} comes? from)\b"
          r"|\b(?:show|tell) (?:me|us) where (?:we|i) (?:agreed|asked|ordered|signed|approved)\b"
          r"|\bwhere (?:did|do) we (?:agree|ask|order|sign|approve)\b|\bou figure (?:notre|votre|l') accord\b"
          r"|\b(?:you|your \w+) (?:offered|agreed|promised|quoted)\b[^.!?\n]{0,80}\bbut (?:the|your|this) invoice\b"
          r"|\btold (?:me|us)\b[^.!?\n]{0,60}\b(?:included|free of charge|no charge|covered)\b"
          r"|\b(?:seems?|looks?|appears?) (?:\w+ ){0,3}(?:higher|more|larger|greater) than (?:our|my|the|what)\b"),
    # asked to take a line off: "please take them off and send a revised invoice"
    (1.0, r"\b(?:adjust|amend|correct) (?:it|this|the invoice) and (?:resend|reissue)\b"
          r"|\btake (?:them|those|these) (?:\w+ )?off\b|\b(?:don't|do not) think (?:those|these|that|this|it)\b[^.!?\n]{0,30}"
          r"\b(?:belongs?|should be) on (?:our|the|this) (?:bill|invoice)\b|\b(?:an|a new) invoice without (?:it|them|that|this|those)\b"
          r"|\bretirer (?:ces|les) frais\b|\brechnung ohne (?:sie|diese|die)\b|\b(?:position|gebuhr) (?:streichen|herausnehmen)\b"
          r"|\bquit(?:ar|en|eis) (?:los|esos|estos|ese|este) (?:cargos?|gastos?)\b|\b(?:kosten|post) (?:schrappen|eraf halen)\b"
          r"|\b(?:hat|haben) nicht (?:\w+ ){0,3}beauftragt\b|\b(?:our|my) (?:records|notes|chart notes|logs|books) (?:show|say|indicate)s? only\b"
          r"|\bnothing\b[^.!?\n]{0,50}\bhas changed\b[^.!?\n]{0,20}\byet\b"
          r"|\b(?:i|we)(?:'ll| will) (?:only )?pay for (?:the |that )?one\b|\bre-?issue (?:it |the invoice )?for (?:that|one|\d)"
          r"|\bsame (?:load|invoice|shipment|order|job|delivery|charge|work) as\b"
          r"|\b(?:can't|cannot|can not|don't|do not) find (?:it|this|them|that|these)\b[^.!?\n]{0,20}\b(?:in|on) (?:the|our|your|any)"
          r" (?:signed )?(?:quote|contract|order|po|purchase order|agreement)\b"
          r"|\bne (?:les|le|la) retrouve (?:ni |pas )?dans (?:le|notre|votre) (?:devis|contrat|bon de commande)\b"),
    # the undisputed part paid, the rest left open; the invoice paid, but not its late fee
    (1.0, r"\b(?:paid|pay|paying|settled?|remitted|released) (?:only )?the undisputed\b"
          r"|\bbut not (?:the|for the|any|this|that|your)\b[^.!?\n]{0,30}\b(?:fees?|charges?|surcharges?|interest|penalty|penalties|costs?)\b"
          r"|\b(?:won't|will not|do not|don't|not going to|refuse to) (?:be )?pay(?:ing)? (?:the|any|this|that|your)\b[^.!?\n]{0,20}"
          r"\b(?:late|interest|admin\w*|penalty|reminder|collection)\b"),
    # "why are we billed 12 hours when your team was only here for 6?", "how do you get to 12
    # hours?": asked, but only the supplier's mistake can answer it, so it outweighs the
    # question it is put as
    (1.2, r"\b(?:why|warum|wieso|weshalb|pourquoi|por que|waarom)\b[^?\n]{0,80}\b(?:charged|billed|invoiced|berechnet"
          r"|in rechnung gestellt|facture\w*|cobra\w*|cobrad\w*|factura\w*|gefactureerd|aangerekend|in rekening gebracht)\b"
          r"[^?\n]{0,100}\b(?:only|nur|seulement|solo|solamente|slechts|maar)\b"
          r"|\b(?:how (?:do|did) you (?:get|arrive at|come to)|comment (?:arrivez|etes)-vous (?:a|arrives a)|wie kommen sie auf"
          r"|como (?:llegan|llegaron|llego) a|hoe komen (?:jullie|u) (?:op|aan))\b[^?\n]{0,15}\d"),
    (0.6, r"\b(?:complaint|discrepancy|unacceptable|not acceptable|not satisfied|dissatisfied)\b"),
    (1.0, r"\b(?:should not|shouldn't|should never) (?:have been|be) (?:charged|billed|invoiced)\b|\bnot (?:been )?authori[sz]ed\b"),
    (1.0, r"\b(?:do not|don't|does not|doesn't) (?:owe|agree|recogni[sz]e)\b|\bnot (?:responsible|liable) for\b"),
    (1.0, r"\b(?:we|i) (?:returned|sent back|cancel+ed|terminated|rejected)\b"),
    (0.9, r"\b(?:billed|charged|invoiced) (?:us |me )?(?:for|twice|incorrectly|wrongly|in error|the wrong)\b"),
    (0.9, r"\b(?:was|were|is|are) (?:supposed|meant) to be\b|\b(?:agreed|quoted|contracted) (?:price|rate|amount|fee)\b"),
    (0.6, r"\b(?:incorrect|inaccurate|erroneous|(?<!by )(?<!our )(?<!my )mistake|in error|wrong(?! (?:person|contact|place|department|e-?mail|inbox))|(?<!our )(?<!my )error)\b"),
    (0.6, r"\b(?:falsch|fehler\w*|unrichtig|erreur|errone\w*|inexact\w*|errores|incorrect[oa]s?|equivocad[oa]|fout(?:ief)?|onjuist|niet correct)\b"),
    (0.6, r"\b(?:never (?:arrived|came|turned up)|not (?:yet )?(?:delivered|arrived)|still waiting for (?:the )?(?:delivery|goods|parts|order))\b"
          r"|\b(?:nicht|noch nicht|nie) (?:geliefert|angekommen)\b|\b(?:pas|jamais) (?:ete )?(?:livre|recu la marchandise|arrive)\w*"
          r"|\bno (?:ha|han) (?:llegado|sido entregad\w*)\b|\b(?:niet|nooit) (?:aangekomen|geleverd)\b"),
    (0.6, r"\b(?:quality (?:issue|problem)|not happy|unhappy|problem with|issue with|returned the|sent back"
          r"|zuruckgeschickt|zuruckgesandt|mangel\w*|retourne\w*|renvoye\w*|devuelt[oa]s?|devolucion|teruggestuurd|retour gestuurd)\b"),
    (0.6, r"\b(?:refund|reimburse\w*|credit (?:back|us|our account|the account))\b"),
    (0.7, r"\b(?:our|my|the|to (?:our|my)) (?:attorneys?|lawyers?|solicitors?)\b|\b(?:legal action|legal department|small claims)\b"),
    (1.0, r"\b(?:won't|will not|not going to|refuse to|do not intend to|don't intend to|are not|aren't|am not|we're not)(?: be)? pay(?:ing)?\b"
          r"|\bnot to (?:make any|pay|release)\b|\b(?:never|wasn't|was not|weren't|were not|not) (?:agreed|quoted|ordered|approved)\b"),
    (1.5, r"\b(?:please |kindly )?(?:reissue|re-issue|correct|amend|cancel|withdraw|void) (?:the |this |your )?(?:invoice|bill|charge)\b"
          r"|\breissue (?:it|at|in|with)\b|\bshould not (?:exist|be there|apply)\b"
          r"|\bre-?issue (?:it |this |the invoice )?(?:without|minus|less|excluding)\b"),
    (1.0, r"\b(?:does not|doesn't|do not|don't) (?:match|correspond|reflect|agree with)\b|\bnot the (?:agreed|quoted|correct) (?:rate|price|amount)\b"
          r"|\b(?:our|the) (?:contract|agreement|quote|quotation|po) (?:states|says|shows|specifies)\b|\b(?:not|isn't|wasn't|never) as agreed\b"),
    (0.9, r"\b(?:querying|query(?:ing)? (?:this|the|your) (?:invoice|bill|charge)|(?:put|placed?|kept?|keep) (?:\w+ ){0,3}on hold)\b"
          r"|\bonly (?:received|got) (?:half|part|some|\d+)\b|\breceived only (?:half|part|some|\d+)\b"),
    (0.9, r"\b(?:deduct|deducting|set off|offset)\b|\b(?:was|were) told\b[^.!?\n]{0,60}\bfree\b"),
    (0.9, r"\bwhy (?:are|am|were|was|have|has) (?:we|i|you) (?:being |been )?(?:billed|charged|invoiced)\b"),
    (0.6, r"\b(?:you|they)(?:'ve| have)? (?:billed|charged|invoiced)\b|\b(?:sie|ihr) (?:berechnen|berechnet|stellen [^.!?\n]{0,20}in rechnung)\b"
          r"|\bvous (?:facturez|avez facture)\b|\b(?:nos )?(?:cobrais|cobran|facturais|facturan|han facturado|habeis facturado)\b"
          r"|\b(?:u|jullie) (?:rekent|rekenen|factureert|factureren|heeft gefactureerd|hebben gefactureerd)\b"),
    (0.9, r"(?<![\d/])\d[\d.,]*(?: ?%|(?: [a-z]+(?:/[a-z]+)?){1,3})?,? not (?:the )?[$€£]?\d"),
    (1.0, r"\bnot what (?:we|was|had been) (?:agreed|quoted|ordered|discussed)\b|\bthat(?:'s| is) not what (?:we|was)\b"
          r"|\bpas ce qui (?:etait|a ete|avait ete) (?:convenu|prevu|commande)\b|\bno es lo que (?:acordamos|se acordo|pedimos)\b"
          r"|\bnicht (?:das|was),? was (?:wir )?(?:vereinbart|bestellt)\b|\bniet wat (?:we|er) (?:afgesproken|besteld)\b"),
    (1.0, r"\b(?:please )?void (?:this|it|that|the (?:invoice|charge|bill))\b|\bnot approving\b|\b(?:won't|will not|cannot|can't) approve\b"
          r"|\bshort-?pa(?:y|ying|id)\b|\bis not owed\b|\bnot owed\b|\bnothing\b[^.!?\n]{0,50}\bis owed\b|\bnothing (?:to pay|to invoice|to bill|is due|owed)\b"
          r"|\bnada que pagar\b|\brien a payer\b|\bniets te betalen\b|\bnichts zu (?:zahlen|bezahlen)\b"),
    (1.0, r"\b(?:when|but|only|and) (?:\d+|half|some|one|two|three) (?:\w+ )?(?:showed up|arrived|were delivered|came|turned up)\b"),
    (0.9, r"\b(?:didn't|did not|never|failed to) (?:show|turn) up\b|\b(?:nobody|no one|no-one)(?: from (?:your|the) \w+)? (?:showed up|came|turned up)\b|\b(?:didn't|did not) show\b|\bno-?shows?\b|\bnever came back\b"
          r"|\bnever (?:covered|performed|provided|staffed)\b|\bniet (?:komen )?opdagen\b|\bnicht erschienen\b"
          r"|\bstill waiting (?:on|for) (?:the |that |this |our )?(?:part|parts|repair|fix|replacement|engineer|technician)\b"),
    (1.0, r"\b(?:fix|correct|amend|adjust|finish|complete|repair|replace|install|deliver|apply (?:it|the credit)|resend|reissue"
          r"|send (?:us |me )?(?:the |a )?(?:corrected|revised|new) \w+)\b"
          r"[^.!?\n]{0,40}\band (?:i|we)(?:'ll| will)\b|\b(?:on|against|with|upon receipt of|on receipt of) (?:a|the|your) (?:corrected|revised|amended) (?:invoice|bill|statement)\b"
          r"|\bapply (?:it|the credit|that credit) and resend\b"),
    (1.1, r"\b(?:wasn't|weren't|isn't|aren't|shouldn't|(?:was|is|were|are) (?:this|that|it|these|those) not)\b[^.!?\n]{0,50}\b(?:covered|included|free|part of the)\b[^.!?\n]{0,40}"
          r"\b(?:under|in|by|with)\b[^.!?\n]{0,20}\b(?:agreement|contract|warranty|promo\w*|plan|maintenance|service|subscription|package|retainer|engagement|licen[cs]e|support)\b"
          r"|\bn'(?:etait|est)(?:-ce)? pas (?:compris|inclus)\b|\bno (?:estaba|esta|era|entraba) (?:incluid[oa]|cubiert[oa])\b"
          r"|\bvalt (?:dit|dat|het) (?:toch|niet) onder\b|\b(?:dit|dat|het) valt toch onder\b|\b(?:ist|war) (?:das|dies) nicht (?:im|in der|durch)\b[^.!?\n]{0,40}(?:enthalten|abgedeckt|inbegriffen)\b"
          r"|\bsurely (?:this|that|it) (?:should|would|was|is)\b"),
    (1.0, r"\b(?:don't|do not|can't|cannot) (?:remember|recall) (?:ordering|signing|agreeing to|asking for)\b"
          r"|\b(?:shouldn't|should not) (?:exist|be (?:on (?:our|the|my) (?:account|bill)|billed|charged|invoiced))\b"
          r"|\b(?:account|contract|subscription|service|membership) (?:was|were|has been|had been) (?:closed|terminated|ended)\b"
          r"|\bcancellation (?:number|confirmation|reference|no\b)"),
    (1.1, r"\b(?:check|compare|match|verify|reconcile) (?:this|it|that|the (?:invoice|bill|rate|price))? ?against (?:our|the|your) "
          r"(?:contract|agreement|quote|quotation|price list|purchase order|po|order|tariff)\b"
          r"|\bmit (?:unserem|dem|unserer) (?:vertrag|angebot|auftrag|preisliste|vereinbarung) abgleichen\b"
          r"|\b(?:comparer|verifier|rapprocher) avec (?:notre|le|votre) (?:contrat|devis|bon de commande)\b"
          r"|\b(?:comparar|cotejar|revisar|contrastar) con (?:nuestro|el|su) (?:contrato|presupuesto|pedido)\b"
          r"|\b(?:vergelijken|controleren|naast) met (?:ons|het|onze|de) (?:contract|offerte|overeenkomst)\b"),
    (1.1, r"\b(?:never|not) (?:accepted|agreed to|signed up for)\b|\bnie (?:zugestimmt|akzeptiert)\b|\bnunca (?:aceptamos|acordamos|firmamos)\b"
          r"|\bnooit (?:akkoord gegaan|ingestemd|geaccepteerd)\b"
          r"|\b(?:wasn't|was not|weren't|were not|isn't|is not|not) (?:on|in|part of) (?:the|your|our) (?:quote|quotation|estimate|contract|agreement)\b"
          r"|\b(?:no aparecia|no figuraba|no estaba) en el presupuesto\b|\ben el presupuesto\b[^.!?\n]{0,40}\bno (?:aparecia|figuraba|estaba|venia)\b"
          r"|\b(?:the|your|our) (?:quote|quotation|estimate)\b[^.!?\n]{0,40}\b(?:didn't|did not|doesn't|does not) (?:include|have|mention|show)\b|\b(?:ne figurait|n'etait|n'apparaissait) pas (?:dans|sur) le devis\b"
          r"|\b(?:stand|war) nicht im angebot\b|\b(?:stond|zat) niet in de offerte\b"
          r"|\b(?:can|could) (?:that|this|it|those|these|the \w+(?: \w+)?) (?:come|be taken) off\b|\bwhich is it\b"
          r"|\bquit(?:ar|en|eis|e) (?:el|la|los|las) (?:recargo|cargo|intereses|comision|penalizacion)\w*\b"
          r"|\b(?:don't|do not|can't) see how (?:it|this|that) (?:can|could) be (?:due|owed|right|correct)\b"
          r"|\b(?:ya )?nos (?:la |lo )?(?:cancelaron|anularon|abonaron)\b|\bklopt (?:deze|die|dit|de|het) (?:factuur|rekening|bedrag) wel\b"
          r"|\bvolgens mij (?:zat|zit|valt|was|is)\b[^.!?\n]{0,60}\b(?:contract|inbegrepen|inclusief)\b"
          r"|\b(?:applied|corrected|fixed|credited|replaced|repaired|resolved|reissued|amended)\b[^.!?\n]{0,50}\bbefore (?:we|i)(?:'ll| will| can)? (?:pay|settle)\b"),
    (1.0, r"\b(?:increased|raised|went up|gone up|verhoogd|erhoht|augmente|subido)\b[^.!?\n]{0,40}\b(?:without|zonder|ohne|sans|sin) "
          r"(?:any |a |een |eine |aucun |ningun )?(?:notice|warning|letter|brief|ankundigung|preavis|aviso)\b"
          r"|\b(?:zomaar|ineens|opeens) verhoogd\b|\bga ik (?:zo )?niet betalen\b"
          r"|\b(?:offre|remise|reduction|promo\w*|discount|rabatt|descuento|korting|oferta)\b[^.!?\n]{0,40}"
          r"\b(?:n'apparait pas|not (?:applied|shown|showing|on the invoice)|wasn't applied|isn't applied|hasn't been applied"
          r"|nicht (?:berucksichtigt|abgezogen)|no (?:aparece|se aplico|se ha aplicado)|niet (?:verwerkt|toegepast))\b"),
    (0.3, r"\bwhy (?:has|did|have|is) the (?:rate|price|fee|tariff)s? (?:gone up|go up|increased?|higher)\b|\bpourquoi le (?:tarif|prix) a augmente\b"
          r"|\bwarum (?:ist|wurde) der preis (?:gestiegen|erhoht)\b|\bpor que (?:ha subido|subio) (?:el|la) (?:tarifa|precio)\b"
          r"|\bwaarom is (?:het|de) (?:tarief|prijs) (?:gestegen|verhoogd)\b"),
    (1.0, r"\bshould have been (?:billed|invoiced|addressed|sent|charged) to\b|\baurait du etre (?:adressee|facturee|envoyee|etablie) a\b"
          r"|\bdeberia haberse (?:facturado|emitido|enviado) a\b|\bhatte an\b[^.!?\n]{0,40}\b(?:gestellt|adressiert|gerichtet) werden mussen\b"
          r"|\bhad (?:naar|aan)\b[^.!?\n]{0,40}\b(?:gefactureerd|gestuurd|geadresseerd) moeten worden\b"
          r"|\bso (?:there (?:is|was|should be) )?no (?:transport|charge|fee|freight|delivery|service|hours)\b"
          r"|\b(?:which is )?everything (?:except|but) the\b|\b(?:stays|remains) open until (?:you|we (?:get|receive|see))\b"),
    (1.0, r"\b(?:don't|do not|won't|will not) (?:want to )?pay (?:the )?full (?:price|amount|rate)\b|\bmake (?:a|us a|me a) discount\b"),
    (1.1, r"\b(?:froze|frozen|paused|suspended|put on hold) (?:my|our|the) (?:membership|account|subscription|contract|service)\b"
          r"|\b(?:i'm|i am|we're|we are) not paying (?:for|this|that|it)\b|\bnot paying for the same\b"
          r"|\bno me corresponde\b|\bquiten(?:lo|la|melo|mela)\b|\bn'ai jamais souscrit\b|\bjamais (?:souscrit|adhere)\b"),
    (1.2, r"\bhow can (?:we|i|you) (?:owe|be (?:charged|billed)|charge|bill)\b|\bsince when do (?:you|they) (?:charge|bill)\b"
          r"|\bsince when is\b[^.!?\n]{0,30}\b(?:extra|charged|billed)\b|\bseit wann (?:kostet|wird|berechnen|ist)\b"
          r"|\bdesde cuando se cobra\b|\bsinds wanneer (?:kost|rekenen|wordt)\b|\bdepuis quand (?:facturez|faites-vous payer)\b"
          r"|\b(?:staat|stond) nergens in\b|\bsteht nirgends im\b|\bnulle part dans (?:le|notre) contrat\b"
          r"|\bwaar komt\b[^?!\n]{0,40}\bineens vandaan\b|\ben la oferta (?:venia|estaba) incluid[oa]\b"
          r"|\b(?:nobody|no one|no-one) (?:here |at \w+ )?(?:ordered|asked for|requested|signed for)\b"
          r"|\b(?:we(?:'re| are)|aren't we|we've always been) (?:tax[- ]exempt|exempt from (?:sales )?tax)\b"),
    (1.0, r"\b(?:pay|settle) (?:it|this|that|the invoice|the bill|you)?\s?(?:once|when|after|as soon as)\b[^.!?\n]{0,40}"
          r"\b(?:show up|shows up|turn up|turns up|arrive|arrives|come back|comes back|finish(?:es|ed)?|is finished|are finished"
          r"|is fixed|are fixed|is working|works|is installed|are installed|are delivered|is delivered|is replaced|are replaced)\b"),
    (1.0, r"\b(?:the )?only (?:thing|amount|part) (?:we|i) owe\b|\bwas a fixed (?:bid|price|fee|quote)\b|\bstop sending (?:\w+ )?(?:invoices|bills)\b"),
    (0.9, r"\b(?:is not|isn't|are not|aren't|not) (?:on|reflected (?:on|in))? ?(?:this|the) invoice\b|\bnot reflected\b"),
    (1.0, r"\b(?:lieferschein|delivery note|bol|pod|packing slip|albaran|bon de livraison|pakbon|afleverbon)\b[^.!?\n]{0,30}\d+[^.!?\n]{0,40}[.;]\s*"
          r"(?:rechnung|invoice|factura|facture|factuur)\b[^.!?\n]{0,30}\d+"
          r"|\b(?:afgesproken|vereinbart|agreed|convenu|acordad[oa]) (?:was|war|were|etait|era|fue)\b"),
    (1.0, r"\bnothing (?:was|has been|got|ever got) (?:shipped|delivered|installed|supplied|done)\b|\bno se ha (?:realizado|hecho|prestado|entregado)\b"
          r"|\bnadie (?:de su empresa )?ha venido\b"),
    (0.9, r"\b(?:damaged|defective|faulty|broken)\b|\b(?:was|were|has been|had been) cancel+ed\b|\bfix the (?:fault|problem|issue|defect)\b"),
    (0.9, r"\bstill (?:do(?:es)?n't|do(?:es)? not|isn't|is not|aren't|are not|not) work(?:s|ing)?\b"),
    # a charge the client wants taken off, a party that is not the client, a fixed quote exceeded
    (1.0, r"\b(?:fee|charge|surcharge|interest|penalty)s?\b[^.!?\n]{0,50}\bshould (?:be )?(?:removed|waived|taken off|reversed|credited)\b"
          r"|\bbill the (?:right|correct) (?:party|company|entity|customer|client)\b|\b(?:we have|there is) no relationship with\b"
          r"|\bquote\b[^.!?\n]{0,40}\bwas (?:a )?fixed\b"),
    # de
    (1.0, r"\b(?:rechnung|betrag|preis|summe|menge|stundenzahl|abrechnung)\w* (?:ist|sind|scheint|erscheint|war)(?: leider| uns)?"
          r" (?:falsch|fehlerhaft|nicht korrekt|nicht richtig|zu hoch|unrichtig|uberhoht)\b"),
    (1.0, r"\b(?:nicht|nie|niemals) (?:bestellt|erhalten|geliefert|vereinbart|beauftragt|abgenommen|bestatigt)\b"),
    (1.0, r"\b(?:widersprechen|widerspruch|reklamier\w*|reklamation|beanstand\w*|mangelrug\w*|bestreiten|einspruch)\b"),
    (0.9, r"\b(?:gutschrift|korrigierte rechnung|rechnungskorrektur|stornorechnung|korrekturrechnung)\b|\bpasst nicht\b"
          r"|\blaut (?:rahmenvertrag|vertrag|angebot|auftragsbestatigung|vereinbarung|preisliste)\b"),
    (1.0, r"\b(?:beschadigt\w*|defekt\w*|mangelhaft\w*|kaputt\w*|unvollstandig\w*)\b"),
    (0.9, r"\b(?:es )?(?:fehlen|fehlt|fehlten)\b(?! nur noch)"),
    (1.0, r"\bist doppelt\b|\bbereits (?:mit \S+ \S+ )?(?:verrechnet|abgerechnet|in rechnung gestellt)\b"),
    (1.0, r"\bdoppelt (?:berechnet|abgerechnet|in rechnung gestellt|fakturiert|belastet|abgebucht|eingezogen)\b"
          r"|\bzweimal (?:berechnet|belastet|abgebucht|eingezogen)\b|\b(?:immer )?noch (?:belastet|berechnet|abgebucht)\b"),
    (0.9, r"\b(?:zuruck)?erstatt(?:en|et|ung)\b|\bruckerstattung\b|\bruckbuchung\b"),
    (1.0, r"\b(?:zuruckhalten|zuruckbehalten|einbehalten|zahlung verweigern|verweigern die zahlung|nicht zahlen werden|zahlen wir nicht)\b"),
    (0.9, r"\b(?:storniert|gekundigt)\b|\bentspricht nicht\b|\bnicht einverstanden\b"),
    (1.0, r"\bstimm\w* (?:\w+ ){0,4}nicht\b|\bzu ?viel (?:berechnet|abgerechnet|in rechnung)\b|\bnicht (?:erbracht|ausgefuhrt|geleistet|erledigt)\b"
          r"|\b(?:bezahlen|zahlen|begleichen) (?:wir|ich) erst\b|\b(?:hinfallig|unberechtigt|nicht gerechtfertigt)\b"),
    (1.0, r"\berkennen (?:wir|ich) nicht an\b|\bnicht (?:an)?erkannt\b|\b(?:unstrittig|strittig)\w*\b|\bstimmt nicht\b|\bnicht vorgesehen\b"
          r"|\b(?:korrigieren|stornieren) sie\b|\bbitte (?:korrigieren|stornieren)\b|\bstornier\w*|\bnicht nachvollziehen\b"
          r"|\babweich\w*|\bweicht\b[^.!?\n]{0,40}\bab\b"),
    (1.0, r"\bnach (?:erfolgter |der )?abnahme\b|\bnoch nicht (?:abgeschlossen|fertig|erledigt|behoben|montiert)\b"),
    (1.0, r"\b(?:sobald|wenn|nachdem|erst)\b[^.!?\n]{0,60}\b(?:ersetzt|repariert|behoben|gutgeschrieben|korrigiert|geliefert|nachgeliefert|geklart)\b"),
    # fr
    (1.0, r"\b(?:facture|montant|prix|tarif|quantite|somme)s? (?:est|sont|semble|parait|nous semble)"
          r" (?:errone\w*|incorrect\w*|faux|fausse|trop elevee?|inexact\w*)\b"),
    (1.0, r"\bn'(?:avons|ai|a) (?:jamais |pas )?(?:commande|recu|accepte|signe|valide|demande)\b(?! (?:la|votre|de|cette|une) facture)"),
    (1.0, r"\b(?:corriger|rectifier|annuler) (?:la|votre|cette) facture\b|\bversion corrigee\b|\bnote de credit\b|\bn'est (?:donc )?plus (?:due|exigible)\b"),
    (1.0, r"\b(?:contest(?:e|es|ent|ons|ez|er|ation|ee|ees)|litige|reclamation|desaccord|pas d'accord)\b"),
    (0.9, r"\b(?:un avoir|d'avoir|l'avoir|facture rectificative|facture corrigee)\b|\brefaire (?:la|cette|votre) facture\b"),
    (1.0, r"\b(?:endommage\w*|defectueu\w*|abime\w*|casse\w*|manquant\w*|non conforme\w*|pas conforme\w*|(?:livraison|commande) incomplete)\b"),
    (1.0, r"\b(?:(?:facture|preleve|debite)e?s? deux fois|double (?:facturation|prelevement)|en double|factures? en doublon)\b"
          r"|\btoujours (?:facture|preleve|debite)e?s?\b"),
    (0.9, r"\b(?:me |nous |vous )?rembourser\b|\bremboursement\b"),
    (0.9, r"\b(?:annule\w*|resilie\w*)\b"),
    (1.0, r"\bne nous concerne pas\b|\b(?:n'avons|n'ai) rien (?:commande|demande|signe)\b|\bne (?:paierons|payerons|reglerons|paierai|payerai)\b"
          r"|\b(?:superieur|plus eleve) (?:a celui|au prix|que (?:celui|le prix)) (?:convenu|prevu|annonce)|\brefus(?:ons|e) de (?:payer|regler)\b"
          r"|\bne sont pas termine\w*|\bpas (?:encore )?termine\w*|\binacheve\w*"),
    (1.0, r"\bne correspond pas\b|\b(?:facture|montant) rectifie\w*|\bmerci de (?:corriger|rectifier|annuler)\b|\berreur (?:de|sur|dans)\b"
          r"|\bau lieu de\b|\bnon contest\w*|\bne (?:reconnaissons|reconnais) pas\b"),
    (1.0, r"\bne (?:payerons|paierons|reglerons|payerai|paierai|paiera|payera|reglera) (?:pas|rien)\b|\bretenons le paiement\b"),
    (1.0, r"\b(?:une fois que|des que|quand|apres que|lorsque)\b[^.!?\n]{0,60}\b(?:remplace\w*|repare\w*|corrige\w*|livre\w*|rembourse\w*|resolu\w*|regularise\w*)\b"),
    # "pourquoi ... alors que ...": what was billed set against what happened
    (1.0, r"\bpourquoi\b[^?!\n]{0,100}\balors que\b"),
    (1.0, r"\b(?:cela|ca) me (?:semble|parait) (?:beaucoup|excessif|cher|trop)\b"),
    # es
    (1.0, r"\b(?:factura|importe|cantidad|precio|tarifa|cobro)s? (?:es|son|parece|esta|estan|nos parece)"
          r" (?:incorrect\w*|erroneo\w*|erronea\w*|equivocad\w*|demasiado alt\w*|excesiv\w*|mal)\b"),
    (1.0, r"\b(?:no|nunca) (?:hemos |he )?(?:pedido|recibido|solicitado|aceptado|contratado|encargado|autorizado)"
          r"(?: (?:la|el|los|las) (?:mercancia|pedido|material|producto|servicio|entrega)\w*)?\b(?! (?:la|su) factura)"),
    (1.0, r"\b(?:reclamacion|reclamamos|disconformidad|no estamos de acuerdo|impugn\w*|disputa)\b"),
    (0.9, r"\b(?:nota de (?:credito|abono)|factura rectificativa|factura corregida)\b"),
    (1.0, r"\b(?:danad\w*|defectuos\w*|rot[oa]s?|estropead\w*|faltan|(?<!sin )(?<!lo que )falta(?:ba|ban)?|incomplet[oa]s?)\b"),
    (1.0, r"\b(?:facturado dos veces|cobrado dos veces|(?:cobraron|facturaron|cobran) (?:dos veces|de mas)|duplicad\w*)\b"
          r"|\b(?:siguen|seguis|siguen ustedes) (?:cobrando|facturando|cargando)\b"),
    (0.9, r"\b(?:devolver(?:me|nos)?|devolucion|reembols\w*)\b"),
    (0.9, r"\b(?:cancelad\w*|anulad\w*|se anulo|anulamos|cancelamos)\b"),
    (1.0, r"\bno nos corresponde\b|\b(?:nunca|no) (?:contratamos|pedimos|solicitamos|encargamos)\b|\b(?:no estamos conformes|disconformes?)\b"
          r"|\ben mal estado\b|\berror en la factura\b|\bdescuento acordado\b|\bno (?:nos )?(?:corresponde|pertenece)\b"),
    (1.0, r"\bno nos consta (?:la|el)\b|\bno cuadra\w*|\blecturas estimadas\b|\bno (?:estamos|estan) de acuerdo\b"),
    (1.0, r"\brectific\w*|\brechazad[oa]\b|\berrad[oa]\b|\bnota (?:de )?credito\b"),
    (1.0, r"\bno coincide\b|\bno (?:es|son) (?:el|la|lo)s? acordad[oa]s?\b|\bcorrij\w*|\bno discutid[oa]\b|\bno (?:los|las|lo|la) vamos a (?:pagar|abonar)\b"
          r"|\bdeberia ser (?:cero|0)\b|\bno estaban? en el presupuesto\b"),
    (1.0, r"\bno (?:pagaremos|vamos a pagar|abonaremos)\b|\bretener el pago\b|\bretenemos el pago\b"),
    (1.0, r"\b(?:una vez que|cuando|hasta que|en cuanto|despues de que)\b[^.!?\n]{0,60}\b(?:sustitu\w*|reemplac\w*|repar\w*|corrij\w*|corregid\w*|entregu\w*|abonen|solucion\w*|resuelv\w*)\b"),
    (1.0, r"\b(?:di|dimos|me di|nos dimos) de baja\b|\bno deberia (?:haber|existir) (?:ninguna )?factura\b|\bpor que\b[^?!\n]{0,100}\bsi (?:solo|solamente)\b"),
    # nl
    (1.0, r"\b(?:factuur|bedrag|prijs|tarief|aantal)\w* (?:is|zijn|lijkt|lijken)(?: ons)?"
          r" (?:onjuist|incorrect|fout|te hoog|niet correct|niet juist)\b"),
    (1.0, r"\b(?:niet|nooit) (?:besteld|ontvangen|geleverd|afgesproken|akkoord gegeven|gevraagd)\b(?! (?:de|uw|deze|een) factuur)"),
    (1.0, r"\b(?:komen|komt) niet overeen\b|\b(?:factuur|bedrag|uren) (?:te )?corrigeren\b|\bcorrigeren op basis\b"),
    (1.0, r"\bcrediteren\b|\bopnieuw (?:op te maken|opmaken)\b|\b(?:we|wij|ik) (?:betalen|voldoen) [^.!?\n]{0,30}\bniet\b"),
    (1.0, r"\b(?:betwist\w*|bezwaar|klacht|reclamatie|niet (?:mee )?eens|niet akkoord)\b"),
    (0.9, r"\b(?:creditnota|creditfactuur|gecorrigeerde factuur)\b"),
    (1.0, r"\b(?:beschadigd|defect|kapot|ontbreken|ontbreekt|onvolledig)\b"),
    (1.0, r"\b(?:dubbel|twee keer|tweemaal) (?:gefactureerd|in rekening gebracht|aangerekend|afgeschreven|geincasseerd)\b"
          r"|\bhet deel dat klopt\b|\bnog steeds (?:gefactureerd|afgeschreven|in rekening gebracht|aangerekend)\b"),
    (0.9, r"\bterug(?:storten|gestort|storting|betalen|betaling|betaald)\b"),
    (0.9, r"\b(?:geannuleerd|opgezegd)\b"),
    (1.0, r"\bverkeerd\w* (?:bedrag|prijs|tarief|factuur|aantal)\b|\b(?:nooit|niet) (?:afgenomen|besteld|gebruikt)\b"
          r"|\b(?:nog )?niet (?:afgerond|klaar|af)\b|\bbetalen (?:we|wij|ik) (?:nog )?niet\b|\bafgesproken\b[^.!?\n]{0,30}\bontbreekt\b"),
    (1.0, r"\bklopt niet\b|\bkloppen niet\b|\berkennen (?:we|wij|ik) niet\b|\bonbetwist\w*|\bverkeerd (?:berekend|gefactureerd)\b"
          r"|\bniet (?:met ons )?afgestemd\b|\bniet zolang\b|\b(?:betalen|voldoen) (?:we|wij|ik) [^.!?\n]{0,30}\bniet\b|\bgecorrigeerde\b"),
    (1.0, r"\b(?:zodra|wanneer|nadat|pas als)\b[^.!?\n]{0,60}\b(?:vervangen|gerepareerd|gecorrigeerd|geleverd|gecrediteerd|opgelost|verholpen|hersteld)\b"),
    (1.0, r"\bklopt het dat (?:jullie|u|je)\b[^.!?\n]{0,60}\b(?:gerekend|berekend|gefactureerd|aangerekend)\b"
          r"|\bvolgens mij hoort (?:hier|daar) (?:gewoon )?(?:het|de|een)\b[^.!?\n]{0,40}\b(?:tarief|prijs|bedrag|korting)\b"
          r"|\b(?:als|wanneer) (?:dat|dit|het|alles) (?:is )?hersteld\b|\brestant houd\w* (?:ik|we|wij)\b|\bwaarom\b[^?!\n]{0,100}\bterwijl\b"),
)

_COPY = (
    r"\b(?:send|resend|re-send|forward|e-?mail|provide|share|attach)(?: me| us| over)?(?: again)?"
    r"(?: a| the| another| an)?(?: copy| duplicate| pdf| invoice| statement)",
    r"\bcopy of (?:the |this |that |your |our )?(?:invoice|bill|statement)\b|\binvoice copy\b"
    r"|\b(?:please |pls |kindly )re-?send (?:it |this |them )?(?:to|over|again)\b"
    r"|\bno (?:trace|record) of (?:it|this|that|the invoice|your invoice|this invoice)\b",
    r"\b(?:can't|cannot|couldn't|could not|unable to|don't|do not) (?:find|locate|open|see|read)"
    r" (?:the |your |this |an |any )?(?:invoice|attachment|pdf|bill)\b",
    r"\b(?:never|not|didn't|did not|haven't|have not) (?:received|got|get|seen)(?: a| the| your| this| any| that)?"
    r" (?:invoice|bill|pdf|attachment)\b",
    r"\b(?:kopie|duplikat|zweitschrift)\b|\brechnung\w*[^.!?\n]{0,40}\b(?:erneut|nochmals|noch ?mal|nochmal) (?:zu)?(?:senden|schicken|zusenden)\b"
    r"|\b(?:senden|schicken|ubermitteln) sie (?:uns |mir )?(?:bitte )?(?:die|eine|nochmals die) rechnung\b"
    r"|\brechnung (?:nicht )?(?:erhalten|bekommen|gefunden)\b|\brechnungskopie\b",
    r"\bcopie de (?:la |votre |cette )?facture\b|\bduplicata\b|\b(?:renvoyer|envoyer|transmettre|retransmettre)"
    r"[^.!?\n]{0,30}\b(?:facture|copie)\b|\b(?:pas|jamais) recu (?:la |votre |de |cette )?facture\b"
    r"|\bne trouve pas (?:cette|la|votre) facture\b|\b(?:me|nous) la (?:renvoyer|transmettre)\b",
    r"\bcopia de (?:la |su |esta )?factura\b|\b(?:reenviar|enviar|mandar|remitir)(?:nos|me)?[^.!?\n]{0,30}\b(?:factura|copia)\b"
    r"|\bno (?:hemos |he )?recibido (?:la |su |ninguna )?factura\b",
    r"\bkopie van (?:de |uw |deze )?factuur\b|\b(?:stuur|stuurt|sturen|toesturen|opnieuw sturen|nogmaals sturen|doorsturen)"
    r"[^.!?\n]{0,30}\b(?:factuur|kopie)\b|\bfactuur[^.!?\n]{0,30}\b(?:opnieuw|nogmaals|nog een keer) (?:\w+ )?(?:sturen|toesturen|versturen|mailen|zenden|te sturen|toe te sturen)\b"
    r"|\bgeen factuur ontvangen\b|\bfactuur niet ontvangen\b",
)

# a breakdown of the invoice asked for, or the bill sent elsewhere: about the invoice even where
# no money is named
_BREAKDOWN = (r"\bbreak (?:it|this|that|them|the \w+) down\b"
              r"|\b(?:aufschlusseln|aufgliedern|uitsplitsen|specificeren|desglosar|detallar|ventiler|detailler)\b"
              r"|\bsend (?:it|them|the (?:bill|invoice|statement|letter)s?) to (?:my|our|the) new (?:address|e-?mail)\b")

_BREAKDOWN_RE = re.compile(_BREAKDOWN)

_QUESTION = (
    (0.9, r"\bwhat(?:'s| is| are) (?:this|that|it|these)(?: one| charge| amount)? for\b|\b(?:do|does) you (?:guys )?(?:take|accept)\b"
          r"|\b(?:cbu|clabe|cuit)\b"),
    (0.9, r"\b(?:bank (?:details|account|information|info)|account (?:number|details)|iban|swift|bic|sort code|routing number"
          r"|remit(?:tance)? (?:to )?address|where (?:should|do|can) (?:we|i) (?:send|pay|wire)|acct\.? ?(?:#|no\b|number|info|details))"),
    (0.9, r"\b(?:po|purchase order) (?:number|no\.?|#)|\bpo\b|\bpurchase order\b|\bw-?9\b|\bw-?8\b|\bvat (?:number|id|reg)|\btax (?:id|form|exempt|number)\b"),
    (0.9, r"\bwhat (?:is|are|was|were) (?:this|these|the|that) (?:invoice|charge|amount|fee|item|line)s?\b|\bwhat (?:is|was) (?:it|this) for\b"),
    (0.8, r"\b(?:could|can|would|will) you (?:please |kindly )?(?:clarify|explain|confirm|tell|let (?:me|us) know|advise|check|send|provide|help|look)\b"),
    (0.7, r"(?<!, )\b(?:which|what|who|where|when|how|why) (?:invoice|amount|account|address|person|department|do|does|did|should|is|are|can|would|much"
          r"|terms|rate|price|version|entity|one|po)\b"),
    (0.9, r"\b(?:pregunta|preguntan) si\b|\b(?:asks|asked|wants to know|would like to know) (?:if|whether)\b|\bfragt,? ob\b|\bdemande si\b"
          r"|\bvraagt of\b"),
    (0.6, r"\b(?:i|we) (?:have|had) a question\b|\bquestion (?:about|regarding|on)\b|\bplease advise\b|\bbreakdown\b|\bstatement of account\b|\bstatement\b"),
    (0.9, _BREAKDOWN),
    (1.0, r"\b(?:resend|re-send|send|forward) (?:this|it|the invoice|the reminder) to [\w.+-]+@"),
    (0.8, r"\b(?:please|pls|kindly) (?:send|resend|provide|forward|confirm|clarify|explain|let (?:me|us) know|advise|tell)\b"),
    (0.8, r"\b(?:i|we)(?:'ll| will| would)? (?:need|require|would like|'d like|want) (?:a|an|the|your|to know|to confirm|to understand|clarification|more information|details)\b"
          r"|(?:^|[.!?\n]\s*)need (?:the |a |an |some |your )?(?:backup|copies|copy|documentation|details|proof|support|the)\b"),
    (0.8, r"\bde (?:quelle|quel) (?:commande|facture|livraison|prestation|periode)\b|\b(?:a|de) (?:que|cual) (?:periodo|pedido|factura|servicio|concepto)\b"
          r"|\bwelke (?:periode|bestelling|levering|factuur)\b|\bwelche[rs]? (?:bestellung|lieferung|zeitraum|leistung)\b"),
    (0.8, r"\b(?:gross or net|net or gross)\b|\b(?:is|was|are) (?:it|this|that) (?:for|the)\b[^?\n]{0,80}\bor\b[^?\n]{0,60}\?"),
    (0.8, r"\b(?:how|where) (?:do|can|should|would) (?:i|we) (?:pay|send|remit|wire|submit|get)\b|\b(?:do you|can you) accept\b|\bpayment (?:methods?|options|instructions)\b"),
    (0.7, r"\b(?:wire|payment|remittance|billing|mailing) (?:instructions|address|details|information)\b|\b(?:ein|tax id|taxpayer)\b"),
    (0.8, r"\b(?:we|i) (?:need|require)\b[^.!?\n]{0,40}\b(?:certificate|w-?9|form|details|po|purchase order|document|number|copy)"
          r"|\bnecesitamos\b|\bgraag ontvangen (?:wij|we|ik)\b|\bspecificatie\b|\b(?:benotigen|brauchen) wir\b|\bnous avons besoin\b"),
    (0.7, r"\b(?:do|should|shall|must) (?:we|i) pay\b|\bwhich (?:entity|company|business|legal entity)\b|\bwould you like (?:us|me) to\b"),
    (0.7, r"\b(?:i was wondering|wondering (?:if|whether)|is it possible|any chance|not sure (?:what|why|which|if)|(?:don't|do not) (?:recogni[sz]e|understand))\b"),
    # de
    (0.9, r"\b(?:bankverbindung|bankdaten|kontodaten|kontonummer|iban|bic)\b|\bwohin (?:sollen|soll|konnen) (?:wir|ich)\b"),
    (0.9, r"\b(?:bestellnummer|auftragsnummer|po-nummer|kostenstelle|ust-?id|umsatzsteuer|steuernummer)\b"),
    # the verb may come at the end: "Können Sie mir bitte eine Quittung für die Zahlung schicken?"
    (0.8, r"\b(?:konnen|konnten|wurden) sie\b[^.!?\n]{0,60}?\b(?:sagen|erklaren|mitteilen|bestatigen|prufen|senden|schicken"
          r"|erlautern|zustellen|zusenden|zukommen lassen|ubermitteln|geben|nennen)\b"
          r"|\b(?:kontoauszug|saldenbestatigung|offene posten|offenen posten)\b"),
    (0.7, r"\b(?:was|welche|welcher|wer|wo|wann|wie|warum|wofur) (?:ist|sind|genau|bezieht|betrifft|war|soll|konnen|muss)\b|\bfrage\b"),
    (0.7, r"\b(?:brutto oder netto|netto oder brutto)\b|\b(?:sind|haben|konnen|mussen) sie (?:bereits |schon )?[^.!?\n]{0,40}\?"),
    # fr
    (0.9, r"\b(?:rib|coordonnees bancaires|iban|bic)\b"),
    (0.9, r"\b(?:bon de commande|numero de commande|tva|numero fiscal|siret)\b"),
    (0.8, r"\b(?:pourriez|pouvez|pourrais)[- ]vous (?:nous |me |m')?(?:envoyer|preciser|expliquer|confirmer|indiquer|dire|transmettre)\b"),
    (0.7, r"\b(?:quelle?s?|qui|ou|quand|comment|pourquoi|a quoi) (?:est|sont|correspond|concerne|faut|dois|doit|devons)\b|\bquestion\b"),
    # es
    (0.9, r"\b(?:datos bancarios|cuenta bancaria|numero de cuenta|iban|swift)\b"),
    (0.9, r"\b(?:orden de compra|numero de pedido|iva|nif|cif)\b"),
    (0.8, r"\b(?:podria|podrian|puede|pueden)(?:n)? (?:usted(?:es)? )?(?:enviar|indicar|confirmar|explicar|aclarar|decir|mandar)\w*\b"),
    (0.7, r"\b(?:que|cual|cuales|quien|donde|cuando|como|por que|a que) (?:es|son|corresponde|concepto|debemos|debo|hay)\b|\bpregunta\b|\bduda\b"),
    # nl
    (0.9, r"\b(?:bankgegevens|rekeningnummer|iban|bic)\b"),
    (0.9, r"\b(?:inkoopordernummer|ordernummer|po-nummer|kvk)\b|\bbtw(?=[- ]?(?:nummer|nr|id|tarief|bedrag|percentage|\d))"
          r"|\b(?:de|het|geen|incl\.?|excl\.?|inclusief|exclusief) btw\b"),
    (0.8, r"\b(?:kunt|kan|zou|kunnen|kun|zouden) (?:u|jullie|je)\b[^.!?\n]{0,60}?\b(?:laten weten|uitleggen|bevestigen|sturen"
          r"|toesturen|mailen|toelichten|vertellen|aangeven)\b"),
    (0.7, r"\b(?:wat|welke|wie|waar|wanneer|hoe|waarom|waarvoor) (?:is|zijn|moet|moeten|kan|betreft|hoort)\b|\bvraag\b"),
)

_OUT_OF_OFFICE = (
    (1.0, r"\bout of (?:the )?office\b|\bout-of-office\b|\booo\b"),
    (1.0, r"\b(?:on|currently on|away on) (?:annual |parental |maternity |paternity |sick |medical |holiday |vacation |business )?"
          r"(?:leave|vacation|holiday|holidays|business travel|a business trip|sabbatical)\b"),
    (0.9, r"\b(?:re-?opens?|reopening|will re-?open)\b[^.!?\n]{0,20}\b(?:on )?(?:monday|tuesday|wednesday|thursday|friday|\d)"
          r"|\bclosed for the (?:holidays|holiday|season|break)\b"),
    (0.9, r"\b(?:i'll|i will) (?:get back to you|reply|respond|answer) (?:when|once|as soon as) (?:i'm|i am|i get|i return|i'm back)(?: back| home)?\b"
          r"|\bwith (?:no|limited|patchy) (?:signal|reception|phone signal|internet|connectivity)\b"),
    (0.9, r"\baway from (?:the|my) (?:office|desk)\b|\b(?:limited|no|intermittent) access to (?:my )?e-?mail\b|\bcurrently (?:away|travel+ing|out)\b"),
    (0.8, r"\b(?:i will be|i'll be|i am|i'm|will be) (?:back|returning|out|away|travel+ing|unavailable|absent)\b|\breturn(?:ing)? (?:on|to the office)\b"),
    (0.6, r"\b(?:automatic|auto)[- ]?(?:reply|response)\b|\bautoreply\b"),
    (1.0, r"\b(?:office|offices|department|team) (?:is |are |will be )?closed\b|\breopens?\b|\bclosed (?:for|over) the (?:holidays|break)\b"),
    # de
    (1.0, r"\b(?:abwesend|abwesenheit\w*|nicht im buro|ausser haus|im urlaub|in urlaub|urlaubsbedingt|elternzeit|mutterschutz"
          r"|krankheitsbedingt|dienstreise|auf reisen)\b"),
    (1.0, r"\b(?:betriebsferien|betriebsurlaub|wieder fur sie da|fermeture annuelle|cerrado por vacaciones|vakantiesluiting)\b"
          r"|\b(?:buro|betrieb|geschaft) (?:ist |bleibt )?(?:\w+ ){0,3}geschlossen\b"),
    (0.8, r"\bwieder (?:im buro|erreichbar|da|zuruck|im hause)\b|\bab dem\b[^.!?\n]{0,25}\bwieder\b|\bautomatische antwort\b"),
    # fr
    (1.0, r"\b(?:absente?|absence|en conge\w*|en vacances|hors du bureau|en deplacement|conge maternite|conge parental|arret maladie)\b"),
    (0.8, r"\bde retour (?:le|au bureau|a partir)\b|\breponse automatique\b|\bacces limite\b"),
    # es
    (1.0, r"\b(?:fuera de la oficina|de vacaciones|ausente|ausencia|de baja|de viaje|permiso de maternidad|baja medica)\b"),
    (0.8, r"\b(?:estare de vuelta|regresare|volvere|de regreso el|me reincorporare)\b|\brespuesta automatica\b"),
    # nl
    (1.0, r"\b(?:afwezig|afwezigheid|niet op kantoor|met vakantie|op vakantie|verlof|zwangerschapsverlof|ziek gemeld)\b"),
    (0.8, r"\b(?:weer aanwezig|terug op|ben ik weer|weer bereikbaar|weer op kantoor)\b|\bautomatisch antwoord\b"),
)

_AUTOMATIC_OTHER = (
    (1.0, r"\bno longer (?:with|employed|works?|working|at|part of|in charge|responsible|monitored|active|in use)\b"
          r"|\b(?:has|have) left (?:the|our) (?:company|organi[sz]ation|firm|business)\b|\bleft the company\b"),
    (1.0, r"\b(?:mailbox|address|email address|e-mail address|inbox) is (?:no longer|not) (?:monitored|in use|active|checked|read)\b"
          r"|\bunmonitored (?:mailbox|address)\b|\b(?:mailbox|address|inbox) (?:does not|doesn't|cannot|can't) (?:accept|receive) (?:replies|e-?mails|messages)\b"
          r"|\bmessages sent (?:here|to this (?:address|mailbox)) are not read\b|\b(?:are|is) not actioned\b"
          r"|\bsent to this (?:address|mailbox) (?:are|is) not (?:processed|read|answered)\b"
          r"|\b(?:does not|doesn't|do not|cannot) send (?:individual|personal) (?:replies|responses|answers)\b"
          r"|\bhas been received by (?:the|our)\b[^.!?\n]{0,50}\bmailbox\b"),
    (0.9, r"\b(?:ticket|case|request|incident)(?: number| no\.?| id)? ?#? ?[a-z]*-?\d{3,}\b"
          r"|\b(?:we have|we've) received your (?:e-?mail|message|request|enquiry|inquiry)\b"
          r"|\bthis is an automated (?:message|response|reply)\b|\bdo not reply to this\b"),
    (1.0, r"\b(?:unsubscribe|remove (?:me|us) from|stop (?:sending|emailing)(?! (?:\w+ )?(?:invoices|bills|charges))|opt out|take (?:me|us) off)\b"),
    (1.0, r"\bhas invited you to\b|\bheeft u uitgenodigd\b|\bhat sie (?:\w+ ){0,4}eingeladen\b|\bvous a invite\b"
          r"|\ble ha invitado\b|\b(?:this|it) is not about (?:the|your|my|our) (?:bill|invoice|account|payment)\b"
          r"|\buw (?:vraag|melding)(?: met nummer \d+)? is afgehandeld\b|\b(?:microsoft teams|zoom|webex|google meet) meeting\b|\bjoin (?:on your computer|the meeting)\b"
          r"|\bplease update your records\b|\b(?:e-?mail )?address(?:es)? (?:is|are|will) chang\w*|\bwill change from\b"
          r"|\beingangsbestatigung\b|\bautomatisch (?:versandt|erstellt|generiert)\b|\bautomatically generated\b"),
    (1.0, r"\bnicht mehr (?:im unternehmen|bei|fur|tatig|beschaftigt|erreichbar unter|aktiv)\b|\bhat das unternehmen verlassen\b"
          r"|\b(?:adresse|postfach|mailbox) wird nicht mehr (?:betreut|gelesen|bearbeitet)\b"
          r"|\bhat (?:unser (?:haus|unternehmen|team)|uns) (?:\w+ ){0,3}verlassen\b"
          r"|\bpostfach wird nicht\b|\bwir haben ihre (?:nachricht|anfrage|e-?mail) erhalten\b|\babmelden\b|\bticketnummer\b"),
    (1.0, r"\b(?:postfach|adresse|mailbox)\b[^.!?\n]{0,60}\bnicht mehr besetzt\b|\bnachrichten werden nicht gelesen\b"),
    (1.0, r"\bne fait plus partie\b|\bn'est plus (?:en poste|chez|dans|employe|joignable)\b|\ba quitte (?:la societe|l'entreprise)\b"
          r"|\bnous avons bien recu votre (?:message|demande|e-?mail)\b|\bdesabonner|desinscri\w*\b"
          r"|\b(?:a ete|est) enregistre(?:e)? sous (?:la |le )?(?:reference|numero)\b|\bce message est genere automatiquement\b"),
    (1.0, r"\bya no (?:trabaja|forma parte|esta en|pertenece)\b|\bha dejado la empresa\b|\bhemos recibido su (?:mensaje|correo|solicitud)\b"
          r"|\b(?:darse|darme|denme|dadme|den|deme) de baja\b"),
    (1.0, r"\bniet meer (?:werkzaam|in dienst|actief|bereikbaar via)\b|\bheeft (?:ons|het bedrijf) verlaten\b"
          r"|\bwe hebben uw (?:bericht|e-?mail|verzoek|aanvraag) ontvangen\b|\bafmelden\b"),
    (1.0, r"\b(?:will not|won't) be (?:read|monitored|answered|processed)\b|\b(?:outgoing|outbound) (?:notifications|messages|mail) only\b"
          r"|\b(?:i|he|she) (?:have|has) left\b|\bthis account will be (?:closed|deleted)\b|\b(?:we )?aim to (?:respond|reply)\b"
          r"|\bnot (?:the right|responsible for|in charge of)\b|\bno longer (?:handle|deal with|look after|manage|process)\b"
          r"|\b(?:is|will be) taking over\b|\bnot read by (?:staff|anyone|a person|humans?)\b|\bare not (?:answered|read|monitored)\b"
          r"|\b(?<!if you )(?:got|received|sent) (?:this|it) (?:by mistake|in error)\b|\bdon't deal with\b|\bnot your (?:customer|client)\b"
          r"|\btake (?:this|my|our) (?:e-?mail )?address off\b|\bheld for (?:moderation|review)\b|\bfor review by the list (?:owner|moderator)\b"
          r"|\bnot a (?:subscriber|member) of (?:this|the) list\b|\b(?:was|has been) (?:handed|delivered) to the (?:mailbox|recipient)\b"
          r"|\bno read confirmation\b|\bleest niemand mee\b|\bniemand leest\b|\bliest niemand\b|\bpersonne ne lit\b|\bnadie lee\b"
          r"|\b(?:nobody|no one|no-one) reads\b|\bkannst du\b|\bkonntest du\b|\bkun jij\b|\bkan jij\b"
          r"|\bcan you take this(?: one)?\b|\bis yours now\b"),
    (1.0, r"\b(?:bank(?:ing)?|account|payment) (?:details|information|instructions) (?:have|has) (?:been )?(?:updated|changed)\b"
          r"|\bnew (?:bank )?account (?:below|details)\b"),
    (0.9, r"\b(?:supplier|vendor) (?:self-service )?portal\b|\bleveranciersportaal\b|\bportal de proveedores\b"
          r"|\bportail (?:des )?fournisseurs\b|\blieferantenportal\b"),
    (1.0, r"\bniet meer in gebruik\b|\b(?:wordt|worden) niet (?:gelezen|bekeken|beantwoord)\b|\bga niet over\b"
          r"|\bworden geen (?:e-?mails|berichten|mails) (?:gelezen|behandeld|beantwoord)\b"
          r"|\bcontact (?:op )?(?:nemen|opnemen) met (?:mijn|onze) collega\b"),
    (1.0, r"\b(?:i'll|i will|let me|we'll|we will) (?:have a look|take a look|look into (?:it|this|that)|go through (?:it|this|that)|check (?:on )?(?:it|this|that)? ?and get back"
          r"|find out|mention (?:it|this) to|ask (?:around|\w+ about it))\b|\b(?:lo|la) reviso\b|\b(?:ik|we) zoek(?:en)? het uit\b"
          r"|\bje regarde (?:ca|cela|et)\b|\bich (?:schaue|schau) (?:mal )?nach\b"),
    (1.5, r"\b(?:i|we) (?:don't|do not) have (?:an|any) (?:account|contract) with (?:you|your company)\b"
          r"|\bse (?:equivocaron|han equivocado) de (?:persona|direccion|destinatario)\b|\bno soy (?:su )?cliente\b"
          r"|\bno tengo (?:ningun|ninguna) (?:contrato|cuenta)\b|\bje n'ai (?:aucun|pas de) (?:contrat|compte)\b"
          r"|\bich habe (?:keinen|kein) (?:vertrag|konto|kundenkonto)\b|\bik heb geen (?:contract|account|klantnummer)\b"),
    (1.0, r"\bthank you for contacting (?:\w+ ){0,4}(?:accounts payable|payables|billing|finance|support|customer service)\b"
          r"|\b(?:has been|was) received by\b[^.!?\n]{0,40}\b(?:accounts payable|payables)\b"
          r"|\bwill be processed (?:according to|in line with|per) (?:our )?(?:standard )?(?:payment )?terms\b"
          r"|\bist bei uns eingegangen und wird\b|\bsera procesada conforme a nuestras condiciones\b"
          r"|\bsera traitee selon nos conditions\b|\bwordt verwerkt volgens onze betalingsvoorwaarden\b"),
    (1.0, r"\bwould like to recall the message\b|\bmochte die nachricht\b[^.!?\n]{0,60}\bzuruckrufen\b"
          r"|\bsouhaite rappeler le message\b|\bdesea (?:recuperar|retirar) el mensaje\b|\bwil het bericht\b[^.!?\n]{0,60}\bintrekken\b"),
    (1.0, r"\bno admite respuestas\b|\bno se (?:lee|revisa|atiende)\b|\bno (?:llevo|gestiono) (?:las|los) factur"),
    (1.0, r"\bn'est pas (?:consultee|lue|surveillee)\b|\bne (?:m'occupe|gere) pas (?:des|de la) factur"),
    (1.0, r"\bwird nicht (?:gelesen|bearbeitet|uberwacht)\b|\bnicht (?:zustandig|der richtige ansprechpartner)\b"),
    (1.0, r"\b(?:ranking|seo|search engine|marketing services|web ?design|backlinks|liquidez|adelantamos|factoring"
          r"|responda si|reply yes|special offer|limited time|webinar|diagnostic gratuit|sans frais|free (?:trial|audit|consultation|demo)"
          r"|kostenlos\w*|unverbindlich\w*|sin compromiso|vrijblijvend\w*)\b"),
    (1.0, r"\b(?:wrong person|wrong contact|not the right person|i left (?:[a-z]+ ){1,3}(?:back )?in\b|no longer work (?:at|for|there))"
          r"|\bya no labora\b|\bnicht mehr (?:\w+ ){1,3}(?:tatig|beschaftigt)\b"),
    (1.0, r"\A\W*(?:many thanks|thanks|thank you|cheers|danke|vielen dank|merci|gracias|muchas gracias|bedankt|dank (?:je|u))\b"
          r"[^.!?\n]{0,50}[.!]*\s*\Z"),
    (0.7, r"\b(?:please|kindly) (?:contact|write to|e-?mail|reach out to|direct)\b[^.!?\n]{0,60}@"
          r"|\b(?:bitte wenden sie sich an|veuillez contacter|contacte con|neem contact op met)\b"),
)

_BOUNCE = (
    (1.0, r"\b(?:mail delivery (?:failed|failure|subsystem|system)|delivery (?:has )?failed|delivery status notification"
          r"|undeliver(?:able|ed mail)|could ?n[o']t be delivered|could not be delivered|was not delivered|wasn't delivered"
          r"|returned mail|failure notice|non-delivery|delivery failure|message not delivered|permanent(?:ly)? (?:error|fatal)"
          r"|qmail-send program|mailer-daemon|postmaster)\b"
          r"|\b(?:the )?message (?:has been|was) returned\b|\bcould not be (?:handed|relayed) to\b"
          r"|\byour message (?:to \S+ )?(?:has been|was) (?:blocked|quarantined|held in quarantine|rejected)\b"
          r"|\b(?:held in quarantine|message quarantined)\b|\bhas not been delivered\b|\bhasn't gone through yet\b"
          r"|\b(?:uw )?bericht\b[^.!?\n]{0,120}\b(?:(?:nog )?niet (?:afgeleverd|bezorgd)|geweigerd)\b"
          r"|\bvotre message\b[^.!?\n]{0,60}\bn'a pas (?:encore )?pu etre (?:remis|livre|distribue)\b|\ble systeme (?:reessaiera|va reessayer)\b"
          r"|\bihre nachricht\b[^.!?\n]{0,60}\b(?:konnte (?:noch )?nicht zugestellt|wurde abgelehnt)\b"
          r"|\bsu mensaje\b[^.!?\n]{0,120}\b(?:no (?:se )?(?:ha )?(?:podido )?(?:ser )?entrega|fue (?:rechazado|bloqueado))"),
    (1.0, r"\b(?:user unknown|no such (?:user|recipient|mailbox)|recipient (?:address )?rejected|mailbox (?:unavailable|full|not found"
          r"|does not exist|is full|quota exceeded)|address (?:not found|rejected)|does not exist|over quota|unknown (?:user|recipient)"
          r"|recipientnotfound|resolver\.adr|host or domain name not found|domain (?:not found|does not exist))\b"),
    (1.0, r"\b(?:delivery (?:has been |is )?delayed|delivery delay|still (?:not been )?undelivered|not yet been delivered"
          r"|will (?:continue to )?(?:retry|try again)|delivery incomplete|has not been delivered yet|keeps? retrying"
          r"|could not send message for past)\b"),
    (1.0, r"\b(?:your )?message (?:was |has been )?(?:returned|rejected|refused) (?:because|by|as)\b"
          r"|\b(?:receiving|recipient(?:'s)?|remote|destination) (?:mail )?server (?:refused|rejected)\b"),
    (0.8, r"\b(?:5\.\d{1,3}\.\d{1,3}|4\.\d{1,3}\.\d{1,3})\b|\b(?:550|551|552|553|554|450|451|452)[ -]"),
    (1.0, r"\b(?:unzustellbar|nicht zugestellt|konnte nicht zugestellt|zustellung (?:fehlgeschlagen|verzogert|gescheitert))\b"),
    (1.0, r"\b(?:no pudo entregarse|no (?:se )?ha podido entregar(?:se)?|seguira intentando|aucune nouvelle tentative"
          r"|continuera (?:d'essayer|a essayer))\b"),
    (1.0, r"\b(?:non remis|n'a pas pu etre (?:remis|distribue|livre|delivre)|echec de (?:la )?(?:remise|distribution)|remise differee)\b"),
    (1.0, r"\b(?:no se (?:puede|pudo|ha podido) entregar|no entregado|error de entrega|entrega (?:fallida|retrasada))\b"),
    (1.0, r"\b(?:onbestelbaar|kon niet (?:worden )?(?:bezorgd|afgeleverd)|niet bezorgd|bezorging (?:mislukt|vertraagd))\b"),
)

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:\[auto\]|automatic reply|betriebsferien|betriebsurlaub|fermeture annuelle|vakantiesluiting|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|ooo\b|abwesenheit|automatische antwort"
    r"|reponse automatique|absence|vacation reply|respuesta automatica|fuera de la oficina|automatisch antwoord|afwezig)", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliver|delivery status notification|mail delivery|returned mail|failure notice|delivery (?:failure|delayed|notification)"
    r"|unzustellbar|non remis|no se puede entregar|onbestelbaar|retraso en la entrega|message non (?:delivre|remis)|nicht zustellbar|warning: message|message not delivered|nondeliverable"
    r"|delivery has failed|undelivered|delayed mail|mail delayed|delivery delayed)", re.I)


# words of an absence, wider than the out-of-office phrases: "off sick", "in Zweden zonder laptop"
_ABSENCE = re.compile(
    r"\b(?:sick|ill|flu|leave|away|back|return\w*|vacation|holiday\w*|closed|travel\w*|abroad|conference|until|till"
    r"|krank|erkrankt|urlaub\w*|zuruck|ruckkehr|geschlossen|abwesend|bis|malade|conge\w*|vacances|retour|ferme\w*|absent\w*"
    r"|enferm[oa]|baja|vacaciones|regreso|vuelta|cerrad[oa]s?|ausente|hasta|ziek|vakantie|verlof|terug|gesloten|afwezig|tot|zonder"
    rf"|wieder|zwischen den jahren|ab {_DAYS}|from {_DAYS}|des le|desde el|vanaf)\b")
_ANY_AUTO_REPLY = re.compile(r"(?:automatic|auto)[- ]?(?:reply|response)|autoreply|automatische antwort|automatisch antwoord"
                             r"|reponse automatique|respuesta automatica")


def _compile(rules: Sequence[tuple[float, str]]) -> tuple[tuple[float, re.Pattern[str]], ...]:
    return tuple((w, re.compile(p)) for w, p in rules)


_RULES: dict[Label, tuple[tuple[float, re.Pattern[str]], ...]] = {
    Label.PAID: _compile(_PAID),
    Label.PROMISE: _compile(_PROMISE),
    Label.DISPUTE: _compile(_DISPUTE),
    Label.QUESTION: _compile(_QUESTION),
    Label.OUT_OF_OFFICE: _compile(_OUT_OF_OFFICE),
    Label.BOUNCE: _compile(_BOUNCE),
    Label.OTHER: _compile(_AUTOMATIC_OTHER),
}
_PAID_NOT_RE = tuple(re.compile(p) for p in _PAID_NOT)
_COPY_RE = tuple(re.compile(p) for p in _COPY)

_AMOUNT = re.compile(
    r"(?:(?:€|eur|euro|gbp|£|usd|us\$|\$|chf|fr\.)\s?\d[\d.,' ]*\d(?:[.,]\d{2})?|\d[\d.,' ]*(?:[.,]\d{2})\s?(?:€|eur|euros?|gbp|£|usd|\$|chf))",
    re.I)
_REFERENCE = re.compile(
    r"\b(?:ref(?:erence)?|payment ref(?:erence)?|verwendungszweck|referenz|reference|referencia|kenmerk|betalingskenmerk"
    r"|transaction(?: id)?|utr|confirmation (?:no|number)|check (?:no|number|#))[.:# ]*\s*([A-Z0-9][A-Z0-9/_-]{3,})", re.I)
_EMAIL = re.compile(r"<?([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:wg|fw|fwd|tr|rv|doorst|i)\s*:", re.I)
_REPLY_SUBJECT = re.compile(r"^\s*(?:(?:re|aw|antw|sv|vs|réf|ref|rif|r|wg|fw|fwd|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I)


#: Labels that act on their own only with two different phrases behind them.
_TWO_SIGNALS = (Label.PAID, Label.DISPUTE)
SINGLE_PHRASE_CAP = 0.75
#: The phrase tables' confidence below which a reply does not act (the default act_threshold).
RULES_SURE = 0.8
#: What the phrase tables' confidence in their label is worth against the learned reader's
#: probabilities when the two are weighed together: where their phrases found it, and where
#: they are unsure (weak words only, or nothing found). Measured on five rounds of unseen
#: replies, each read with the tables and the reader as they were before that round.
TABLES_WEIGHT = 0.6
UNSURE_WEIGHT = 0.35
TABLES_UNSURE = 0.6
#: How many terms of the text the reader must know to overrule the tables' phrases.
LEARNED_OVERRULE_TERMS = 15
#: A reply that would act waits for a person when the learned reader reads another label this
#: strongly, or gives the tables' label less than this.
LEARNED_DOUBT = 0.5
LEARNED_AGREE = 0.3
#: A vote resting on a single known word ("ok") is no vote.
LEARNED_MIN_TERMS = 2
#: The most a label from the learned reader alone is worth: a suggestion, never enough to act.
LEARNED_CAP = 0.7
#: A payment, promise or dispute the learned reader reads otherwise waits for a person.
DISAGREE_CAP = 0.75
_ACTING = (Label.PAID, Label.PROMISE, Label.DISPUTE)


# -- reading -------------------------------------------------------------------------------

@dataclass(slots=True)
class _Hit:
    weight: float
    phrase: str
    start: int = -1
    end: int = -1


def _hits(rules: Iterable[tuple[float, re.Pattern[str]]], folded: str, original: str) -> list[_Hit]:
    found = []
    for weight, pattern in rules:
        m = pattern.search(folded)
        if m:
            found.append(_Hit(weight, _as_written(original, folded, m.start(), m.end()), m.start(), m.end()))
    return found


def _clause_at(folded: str, at: int) -> tuple[str, str]:
    """The clause around position ``at``, and the character that ends its sentence."""
    clause = next((m.group() for m in _CLAUSE.finditer(folded) if m.start() <= at < m.end()), "")
    stop = _STOP.search(folded, at)
    return clause, stop.group() if stop else ""


_WH = re.compile(r"(?:^|[.!?\n]\s*)(?:hi[^.!?\n]{0,20}?,\s*)?(?:(?:to|for|from|at|on|in|an|auf|in|a|de|pour|en|para|con|naar|op|aan|voor) )?(?:who|what|where|which|how|whom|wer|was|wo|welche\w*|wie"
                 r"|qui|que|quel\w*|ou|comment|quien|que|cual\w*|donde|como|wie|wat|waar|welke)\b[^.!?\n]*$")


def _asks(folded: str, at: int) -> bool:
    """Whether position ``at`` is inside a question that starts with a question word."""
    stop = _STOP.search(folded, at)
    return bool(stop and stop.group() == "?" and _WH.search(folded[:at]))


_ASKING = re.compile(
    r"(?:\A|(?<=[.!?\n]))\s*(?:(?!\w+ ?[-,:] )[^.!?\n]{0,45}?(?: -+|:|,) |(?:hi|hello|hey|dear|morning|quick q)\w* ?[-,:]? )?"
    r"(?:is|are|was|were|do|does|did|has|have|what|which|when|where|who|how)\b[^.!?\n]*\?")
# "Hi Mike," / "Dev," / "Rick -" at the top: written to a colleague, not to us
_NAMED_ASIDE = re.compile(r"\A\s*[A-Z][a-z]+ [-\u2013] ")   # "Mark - are we still using these guys?"
_TO_A_COLLEAGUE = re.compile(r"\A\s*(?:(?i:hi|hello|hey|dear)\s+)?(?!(?i:hi|hello|hey|dear|morning|afternoon|evening|good|thanks|thank|team|all|everyone|folks|greetings"
                             r"|hallo|moin|servus|liebe|lieber|sehr|bonjour|bonsoir|salut|madame|monsieur|hola|buenos|buenas"
                             r"|estimad[oa]s?|beste|geachte|goeiemorgen|goedemorgen|goedemiddag|dag)\b)"
                             r"[A-Z][a-z]+\s*(?:,\s*\n|(?<=\s)[-\u2013]|[-\u2013](?=\s)|:)|\A\s*(?i:hi|hello|hey|dear)\s+[A-Z][a-z]+\s*,")
# colleagues asking each other about their own side, with the reminder copied in: "did we get
# the goods for this?", "haben wir die Wartung eigentlich bekommen?", "¿esto ya lo aprobó Carlos?"
_OWN_SIDE = re.compile(
    r"\bdid we (?:ever )?(?:get|receive|order|approve|sign off|pay)\b|\b(?:was (?:this|it)|(?:this|it) was) (?:ever )?approved\b"
    r"|\bwas (?:this|it)(?: one)? in (?:\w+'s |the |our )?(?:payment |check )?run\b|\bis (?:this|it|that)(?: one)? ours\b"
    r"|\bhaben wir\b[^.!?\n]{0,40}\b(?:bekommen|erhalten|bestellt|freigegeben|bezahlt|uberwiesen)\b|\b(?:ya )?lo aprobo\b"
    r"|\bhebben (?:we|wij)\b[^.!?\n]{0,40}\b(?:ontvangen|gekregen|besteld|goedgekeurd)\b"
    r"|\bavons-nous\b[^.!?\n]{0,30}\b(?:recu|commande|valide)\b")
# a forward inside the client's company that only hands the mail on: "FYI - for the payment run"
_FYI = re.compile(r"\A\W*(?:fyi|for your (?:info|information)|zur (?:info|kenntnis)|pour info|ter info|para (?:tu|su) (?:informacion|conocimiento))\b")
_ABOUT_IT = re.compile(r"\b(?:this|it|that|these|those)\b")
_OVERPAID = re.compile(_OVERPAID_WORDS)
# "we paid the last one by card, can we do the same?": an earlier invoice, told as the way to pay this one
_EARLIER = re.compile(
    r"\b(?:the (?:last|previous|prior|earlier) (?:one|invoice|bill)|die (?:letzte|vorige|vorherige) rechnung"
    r"|la (?:precedente|derniere) facture|la anterior|la factura anterior|de vorige(?: factuur)?|de laatste factuur)\b"
    r"|\b(?:that|it|this) was for (?:invoice )?(?:no\.? |#)?[a-z]{2,}-?\d")
# asking after a credit the supplier has already granted: "how is the credit note we agreed
# with your rep coming along?" contests nothing any more
_CREDIT = r"(?:credit(?: note| memo)?|avoir|nota de (?:credito|abono)|creditnota|gutschrift)"
_GRANTED = (r"(?:agreed|confirmed|promised|offered|approved|accorde|confirme|promis|acordamos|acordad[oa]|prometid[oa]"
            r"|confirmad[oa]|afgesproken|toegezegd|beloofd|zugesagt|vereinbart|zugesichert)")
_CREDIT_GRANTED = re.compile(rf"\b{_CREDIT}\b[^.!?\n]{{0,80}}\b{_GRANTED}\b|\b{_GRANTED}\b[^.!?\n]{{0,80}}\b{_CREDIT}\b")
_HOW_FAR = re.compile(
    r"\b(?:has|have) (?:that|the|this|it|our)\b[^.!?\n]{0,30}?\b(?:been )?(?:raised|issued|sent|done|processed)\b"
    rf"|\b(?:status|update) (?:of|on) (?:the|that|our|this) {_CREDIT}|\bwhere (?:is|are) (?:the|that|our) {_CREDIT}"
    r"|\bou en est\b|\bcomo va\b|\bque (?:paso|pasa|hay) con\b|\bhoe staat het (?:met|ervoor)\b|\bwie ist der stand\b"
    r"|\bwo bleibt\b")
_ASIDE = re.compile(r" [-\u2013\u2014,] |; ")   # the dash as _by_tense sees it, a comma


def _asked_after(folded: str, hit: _Hit) -> bool:
    """Whether the question of the phrase's sentence only starts after it ("I show this as paid
    on 5/3, check 118204 - can you check?")."""
    stop = _STOP.search(folded, hit.start)
    return bool(stop and _ASIDE.search(folded, max(hit.start, hit.end), stop.start()))


def _asking(folded: str, original: str, hits: dict[Label, list[_Hit]]) -> None:
    """A question put as one ("does this balance already reflect credit memo CM-3391?", "what
    was the ship date on this?") asks about the invoice: a little more for the question, and a
    soft complaint word inside it contests nothing."""
    if _NAMED_ASIDE.match(original):
        return
    spans = [m.span() for m in _ASKING.finditer(folded) if _MONEY.search(m.group()) or _ABOUT_IT.search(m.group())]
    if not spans:
        return
    hits[Label.DISPUTE] = [h for h in hits[Label.DISPUTE]
                           if h.weight >= 1.0 or not any(a <= h.start < b for a, b in spans)]
    a, b = spans[0]
    hits[Label.QUESTION].append(_Hit(0.3, _as_written(original, folded, a, b).strip(), a, b))


def _to_come(sentence: str) -> bool:
    if (_SCHEDULED.search(sentence) or _TO_BE.search(sentence)) and not _PAST_SURE.search(sentence):
        return True
    if _WILL.search(sentence) or _FUTURE_SURE.search(sentence):
        return not _PAST_SURE.search(sentence)
    return bool(_FUTURE.search(sentence) and not _PAST.search(sentence) and not _PAST_VERB.search(sentence)
                and not _PAST_SURE.search(sentence))


# "... so I can clear the account": a purpose, no commitment
_PURPOSE = re.compile(r"\b(?:so|so that|in order to)\s*$")


def _by_tense(folded: str, original: str, hits: dict[Label, list[_Hit]]) -> None:
    """Read payment words with their tense: a payment phrase in a sentence about the future
    is a promise ("Zahlung erfolgt am Freitag"); any sentence that pays and looks ahead
    ("el viernes les transferimos el saldo") promises, unless it says no."""
    for hit in list(hits[Label.PAID]):
        if hit.start < 0:
            continue
        sentence, stop = _clause_at(folded, hit.start)
        if stop == "?" and not re.search(r"\bdoch\b", sentence) and not _asked_after(folded, hit):
            hits[Label.PAID].remove(hit)     # "has this been paid?" asks, "hab ich doch schon bezahlt??" does not
        elif _HEDGE.search(sentence):
            hits[Label.PAID].remove(hit)
        elif _to_come(sentence) or (hit.end > hit.start and _to_come(_clause_at(folded, hit.end - 1)[0])):
            # "le bon à payer est signé, ce sera réglé": a phrase over two clauses, the later one ahead
            hits[Label.PAID].remove(hit)
            hits[Label.PROMISE].append(hit)
    if _score(hits[Label.PAID]) < 0.9:
        for m in _CLAUSE.finditer(folded):
            clause = m.group()
            end = _STOP.search(folded, m.end())
            if end and end.group() == "?" or _THEIR_CUSTOMER.search(clause):
                continue
            if ((_PAY_ANY.search(clause) or _AMOUNT.search(clause)) and (_DONE.search(clause) or _PAST_SURE.search(clause))
                    and not _NEGATION.search(clause) and not _HEDGE.search(clause) and not _DUE.search(clause)
                    and not _DOUBT.search(clause) and not _WILL.search(clause) and not _SCHEDULED.search(clause)
                    and not _MODAL.search(clause)
                    and (_PAST_SURE.search(clause) or not _FUTURE_SURE.search(clause))
                    and (not _FUTURE.search(clause) or _PAST.search(clause) or _DONE_FIRM.search(clause))):
                hits[Label.PAID].append(_Hit(0.9, _as_written(original, folded, m.start(), m.end()).strip(), m.start()))
                break
    if not hits[Label.PAID]:
        for m in _CLAUSE.finditer(folded):
            clause = m.group()
            end = _STOP.search(folded, m.end())
            if (_PAID_FORM.search(clause) and not _NEGATION.search(clause) and not _DOUBT.search(clause)
                    and not _WILL.search(clause) and not _FUTURE.search(clause)
                    and not (end and end.group() == "?")):
                hits[Label.PAID].append(_Hit(0.7, _as_written(original, folded, m.start(), m.end()).strip(), m.start()))
                break
    for hit in list(hits[Label.PROMISE]):
        if hit.start < 0:
            continue
        clause, stop = _clause_at(folded, hit.start)
        if _asks(folded, hit.start) or _PURPOSE.search(folded, max(0, hit.start - 12), hit.start):
            hits[Label.PROMISE].remove(hit)       # "who do I talk to about a payment plan?", "... so I can clear it"
        elif stop == "?" and not _FUTURE.search(_sentence_at(folded, hit.start)) and not _dates_follow(folded, hit.start):
            hits[Label.PROMISE].remove(hit)       # "could we pay in instalments?" asks; "could we pay on the 30th?" offers
        elif _NEGATION.search(clause) and not _FUTURE.search(clause):
            hits[Label.PROMISE].remove(hit)       # "wij betalen deze factuur dus niet"
    if hits[Label.PROMISE]:
        return
    for m in _CLAUSE.finditer(folded):
        sentence = m.group()
        end = _STOP.search(folded, m.end())
        if end and end.group() == "?" or _THEIR_CUSTOMER.search(sentence):
            continue                              # a question about paying promises nothing
        if (_PAY_ANY.search(sentence) and (_FUTURE.search(sentence) or _WILL.search(sentence))
                and not _NEGATION.search(sentence) and not _PAST_SURE.search(sentence)
                and not (_PAST_VERB.search(sentence) and not _WILL.search(sentence) and not _FUTURE_SURE.search(sentence))):
            hits[Label.PROMISE].append(_Hit(1.0, _as_written(original, folded, m.start(), m.end()).strip(), m.start()))
            return
    # the payment in one clause, the day in another ("I've asked her to pay it, which she'll have done by next week")
    for m in _SENTENCE.finditer(folded):
        sentence = m.group()
        end = _STOP.search(folded, m.end())
        if end and end.group() == "?" or _THEIR_CUSTOMER.search(sentence):
            continue
        if (_PAY_ANY.search(sentence) and (_FUTURE_SURE.search(sentence) or (_WILL.search(sentence) and _FUTURE.search(sentence)))
                and not _NEGATION.search(sentence) and not _PAST_SURE.search(sentence) and not _DOUBT.search(sentence)):
            hits[Label.PROMISE].append(_Hit(0.8, _as_written(original, folded, m.start(), m.end()).strip(), m.start()))
            return


_MONTHS = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
           r"|januar|februar|marz|mai|juni|juli|oktober|dezember|janvier|fevrier|mars|avril|juin|juillet|aout|septembre|octobre"
           r"|novembre|decembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
           r"|januari|februari|maart|mei|augustus)")
_DATED = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th|e|er)?\.? (?:of |de )?{_MONTHS}\b|\b{_MONTHS} \d{{1,2}}\b|\b\d{{1,2}}[./]\d{{1,2}}\b")


def _dates_follow(folded: str, at: int) -> bool:
    """Whether the sentence after the one at ``at`` names a date or a time to come."""
    stop = _STOP.search(folded, at)
    following = _SENTENCE.search(folded, stop.end()) if stop else None
    return bool(following and (_DATED.search(following.group()) or _FUTURE.search(following.group())))


_MAY_WE = re.compile(
    r"\b(?:can|could|may) (?:we|i)\b|\bis it (?:ok|okay|alright|all right|fine|possible) (?:if|to)\b"
    r"|\bwould it be (?:ok|okay|possible|alright|all right|fine) (?:if|to)\b|\b(?:can|could) (?:it|this|that) wait\b"
    r"|\bwould you (?:accept|be ok)\b|\bare you (?:ok|okay|alright) (?:with|if)\b"
    r"|\b(?:konnen|konnten|durfen) wir\b|\b(?:kann|konnte|darf) ich\b|\b(?:ist|ware) es (?:in ordnung|ok|okay|moglich)\b"
    r"|\b(?:pouvons|pourrions)-nous\b|\bpuis-je\b|\best-ce que (?:je|nous) (?:peux|pouvons|pourrions|pourrais)\b"
    r"|\b(?:serait|est)-il possible\b|\bca vous (?:va|irait)\b"
    r"|\b(?:podemos|podriamos|puedo|podria)\b|\b(?:le|les) (?:parece|pareceria) bien\b|\b(?:seria|es) posible\b"
    r"|\b(?:kunnen|mogen) (?:we|wij)\b|\b(?:kan|mag) ik\b|\bis (?:het|dat) (?:goed|ok|oke|akkoord|mogelijk) als\b")
_DEFER = re.compile(
    r"\b(?:push|move|put off|hold off|delay|postpone|leave|square|settle|do|sort|clear) (?:it|this|that|the (?:payment|invoice|bill|balance|rest))\b"
    r"|\b(?:it|this|that) wait\b|\b(?:we|i) say\b|\b(?:have|get) (?:until|till|til)\b"
    r"|\b(?:verschieben|warten|schuiven|verschuiven|wachten|uitstellen|reporter|decaler|attendre|aplazar|posponer|esperar)\b")
_LATER = re.compile(rf"\b(?:mid|end|early|late)[- ](?:of )?(?:next |this |the )?(?:week|month|{_MONTHS})\b"
                    r"|\b(?:till|til|until|tot|bis|hasta|jusqu'au) (?:the |el |le )?\d"
                    r"|\b(?:a|per|each|every|im|pro|par|al|por) (?:month|week|monat|woche|mois|semaine|mes|semana|maand)\b"
                    r"|\b(?:monthly|weekly|monatlich|wochentlich|mensuel\w*|mensual\w*|maandelijks|wekelijks)\b")


# "Is wat krap deze maand": the month money is short, not a time asked for
_SHORT_OF_MONEY = re.compile(r"\b(?:tight|short|krap|knapp|juste|serre|justo|escaso)\b")


def _time_asked(folded: str, original: str, hits: dict[Label, list[_Hit]]) -> None:
    """A request for time that names it is a promise ("can we push this to the end of the
    month?"); one that names no time ("could we pay in instalments?") stays a question."""
    for m in _SENTENCE.finditer(folded):
        sentence = m.group()
        end = _STOP.search(folded, m.end())
        if not (end and end.group() == "?" and _MAY_WE.search(sentence) and not _NEGATION.search(sentence)
                and (_PAY_ANY.search(sentence) or _DEFER.search(sentence))):
            continue
        # the time in the question or in the sentence after it ("Kann ich in Raten zahlen? 50 € im Monat")
        following = _SENTENCE.search(folded, end.end())
        told = sentence if not following or _SHORT_OF_MONEY.search(following.group()) else f"{sentence} {following.group()}"
        if _FUTURE.search(told) or _DATED.search(told) or _LATER.search(told):
            hits[Label.PROMISE].append(_Hit(1.0, _as_written(original, folded, m.start(), m.end()).strip(), m.start(), m.end()))
            return


def _sentence_at(folded: str, at: int) -> str:
    return next((m.group() for m in _SENTENCE.finditer(folded) if m.start() <= at < m.end()), "")


def _as_written(original: str, folded: str, start: int, end: int) -> str:
    """The matched phrase in the text's own spelling where the folding kept positions (it
    does unless accents were dropped or "ß" grew), else as folded."""
    if len(original) == len(folded):
        return " ".join(original[start:end].split())
    return " ".join(folded[start:end].split())


def _score(hits: Sequence[_Hit]) -> float:
    return sum(h.weight for h in hits)


def _confidence(win: float, rival: float) -> float:
    """From the winning score and the strongest rival's: one clear phrase gives about 0.8,
    two about 0.9; a rival as strong as the winner halves it."""
    base = win / (win + 0.25)
    penalty = 0.5 * min(1.0, rival / win) if win else 1.0
    return round(max(0.0, min(0.99, base * (1 - penalty))), 3)


def classify(subject: str, text: str, *, sent: datetime | None = None,
             automatic: str | None = None, failed: Sequence[str] = ()) -> Reading:
    """Classify one reply.

    ``text`` is the reply's new text; ``sent`` its Date (for promised and return dates);
    ``automatic`` what the headers said about the sender, when they were read
    (``bounce``, ``delay``, ``auto_reply``, ``automated``, ``person``); ``failed`` the failed
    recipients a delivery report named."""
    # the opening of a long mail carries what it is about (the learned reader reads as much);
    # every phrase is looked for in all of the text, so reading on only costs time
    text = text[:learned.LIMIT]
    folded, fsubject = fold(text), fold(subject)
    is_reply = bool(_REPLY_SUBJECT.match(subject))
    hits = {label: _hits(rules, folded, text) for label, rules in _RULES.items()}
    if not is_reply:
        # a subject the sender wrote (not "Re: our reminder") speaks for the message too
        for label in (Label.BOUNCE, Label.OUT_OF_OFFICE, Label.OTHER, Label.DISPUTE, Label.PAID):
            hits[label] += _hits(_RULES[label], fsubject, subject)
    # an absence told by the body or by a subject that says it ("Out of Office: ..."), not only
    # by "Automatic reply: ..."
    absence_told = bool(_ABSENCE.search(folded)) or any(
        not _ANY_AUTO_REPLY.fullmatch(fold(h.phrase)) for h in hits[Label.OUT_OF_OFFICE])
    _by_tense(_CLAUSE_BREAK.sub(lambda m: "," * len(m.group()), folded), text, hits)
    _asking(folded, text, hits)
    if not hits[Label.PROMISE]:
        _time_asked(folded, text, hits)
    if _OVERPAID.search(folded):
        # "we paid $4,500 by mistake instead of $4,100, please refund": money sent, nothing contested
        hits[Label.DISPUTE] = [h for h in hits[Label.DISPUTE] if h.weight >= 1.0]
    if _EARLIER.search(folded) and "?" in text:
        hits[Label.PAID] = [h for h in hits[Label.PAID] if h.start < 0 or not _EARLIER.search(_sentence_at(folded, h.start))]
    granted = _CREDIT_GRANTED.search(folded)
    if granted and _HOW_FAR.search(folded):
        hits[Label.DISPUTE] = []
        hits[Label.QUESTION].append(_Hit(1.0, _as_written(text, folded, *granted.span())))
    scores = {label: _score(h) for label, h in hits.items()}
    # "not paid yet", "will be paid once ...": each such phrase cancels one payment phrase
    # ... but not one inside an "if" ("if you have not received the payment by Friday, ...")
    vetoes = sum(1 for p in _PAID_NOT_RE for m in [p.search(folded)]
                 if m and not (p in _PAID_NOT_RE[:7] and _IF.search(_clause_at(folded, m.start())[0])))
    scores[Label.PAID] = max(0.0, scores[Label.PAID] - vetoes)
    ask = re.search(r"[^\s?]{2}[ \t]?\?(?:\s|$)", text)
    if ask:
        # a question mark ending a sentence: a question, unless stronger words say otherwise
        hits[Label.QUESTION].append(_Hit(0.5, text[max(0, ask.start() - 40):ask.end()].strip()))
        scores[Label.QUESTION] += 0.5
    copy_match = next((m for m in (p.search(folded) for p in _COPY_RE) if m), None)
    copy = copy_match is not None
    if copy_match is not None:
        hits[Label.QUESTION].append(_Hit(1.0, _as_written(text, folded, *copy_match.span())))
        scores[Label.QUESTION] += 1.0

    own_side = _OWN_SIDE.search(folded)
    about_money = bool(copy or granted or _MONEY.search(folded) or _PAY_ANY.search(folded) or _BREAKDOWN_RE.search(folded))
    label, confidence = _decide(scores, subject, is_reply, automatic, about_money, ask is not None,
                                bool(_TO_A_COLLEAGUE.match(text)), own_side is not None,
                                bool(_FYI.match(folded)), absence_told)
    if label in _TWO_SIGNALS and _signals(label, folded) + _support(label, text, folded) < 2:
        # one phrase alone was wrong too often on unseen mail to stop reminders by itself: it
        # is a suggestion a person confirms
        confidence = min(confidence, SINGLE_PHRASE_CAP)
    evidence = tuple(dict.fromkeys(h.phrase for h in hits[label]))[:6]
    if label is Label.OTHER and own_side and not evidence:
        evidence = (_as_written(text, folded, *own_side.span()),)
    if label not in (Label.BOUNCE, Label.OUT_OF_OFFICE):
        label, confidence, evidence = _second_reader(label, confidence, evidence, hits, text)
    reading = Reading(label=label, confidence=confidence, evidence=evidence,
                      scores={k.value: round(v, 2) for k, v in scores.items() if v},
                      copy_request=copy and label is Label.QUESTION, text=text)
    return _extract(reading, text, sent, failed)


def _second_reader(label: Label, confidence: float, evidence: tuple[str, ...],
                   hits: dict[Label, list[_Hit]], text: str) -> tuple[Label, float, tuple[str, ...]]:
    """The learned reader's vote (``learned.py``) weighed with the phrase tables' reading.

    The tables' label gets the reader's probability for it plus a weight times the tables'
    confidence, every other label the reader's probability alone. Where another label comes
    out ahead, it is the reading, as a suggestion for a person. Where the tables' label stays
    and would act on a payment, promise or dispute, it acts only if the reader gives it some
    weight too and reads nothing else strongly; otherwise a person decides."""
    vote = learned.vote(text)
    if vote is None or vote.known < LEARNED_MIN_TERMS:
        return label, confidence, evidence
    words = ", ".join(f"'{t}'" for t in vote.evidence)
    mine = vote.of(label.value)
    # phrases found weigh more than weak words or nothing, and only a vote on a sentence or
    # more may overrule them (the reader is sure of itself too readily on a few words)
    unsure = confidence < TABLES_UNSURE
    weight = UNSURE_WEIGHT if unsure else TABLES_WEIGHT
    # bounces and absences are machine mail, told by headers and fixed wordings: a vote never
    # makes one (a bounce marks a client's address failing without asking anyone)
    by_machine = vote.label in (Label.BOUNCE.value, Label.OUT_OF_OFFICE.value)
    # "payment will be released once the snag list is closed": whose the condition is, the
    # supplier's or the client's own, is what the tables' phrases read and the reader cannot
    conditional = label is Label.DISPUTE and vote.label == Label.PROMISE.value and any(
        _DOUBT.search(fold(h.phrase)) for h in hits[Label.DISPUTE])
    if (vote.label != label.value and not by_machine and not conditional and vote.probability > mine + weight * confidence
            and (unsure or vote.known >= LEARNED_OVERRULE_TERMS)):
        voted = Label(vote.label)
        phrases = tuple(dict.fromkeys(h.phrase for h in hits[voted]))[:5]
        return (voted, min(LEARNED_CAP, vote.probability),
                phrases + (f"learned reader: {vote.label} {vote.probability:.2f} ({words})",))
    if label in _ACTING and confidence >= RULES_SURE:
        if vote.label != label.value and vote.probability >= LEARNED_DOUBT:
            why = f"learned reader reads {vote.label} {vote.probability:.2f} ({words})"
        elif mine < LEARNED_AGREE:
            why = f"learned reader gives {label.value} only {mine:.2f}"
        else:
            return label, confidence, evidence
        return label, min(confidence, DISAGREE_CAP), evidence + (f"{why}: a person decides",)
    return label, confidence, evidence


_PAID_DETAIL = re.compile(
    r"\b(?:yesterday|today|this morning|last (?:week|month|friday|monday|tuesday|wednesday|thursday)|on (?:the )?\d"
    r"|gestern|heute|letzte woche|hier|aujourd'hui|ce matin|la semaine derniere|ayer|hoy|esta manana|la semana pasada"
    r"|gisteren|vandaag|vanochtend|vorige week|bacs|ach|sepa|swift|wire|eft|chaps|cheque|check|paypal|bizum|interac"
    r"|virement|uberweisung|transferencia|overschrijving|overboeking|zelle|venmo)\b|\d{1,2}[./]\d{1,2}")


def _signals(label: Label, folded: str) -> int:
    """In how many separate places of the text the label's phrases occur ("the price is
    wrong" and its "wrong" are one place; "damaged units ... arrived broken" are two)."""
    spans = sorted((m.start(), m.end()) for _, pattern in _RULES[label] for m in pattern.finditer(folded))
    count, end = 0, -1
    for start, stop in spans:
        if start >= end:
            count += 1
        end = max(end, stop)
    return count


def _support(label: Label, text: str, folded: str) -> int:
    """What else backs a payment claim: the amount, a reference, the day or the way it was paid."""
    if label is not Label.PAID:
        return 0
    return int(bool(_AMOUNT.search(text) or _REFERENCE.search(text) or _PAID_DETAIL.search(folded)))


def _decide(scores: dict[Label, float], subject: str, is_reply: bool,
            automatic: str | None, about_money: bool = True, asked: bool = True,
            internal: bool = False, own_side: bool = False, fyi: bool = False,
            absence_told: bool = True) -> tuple[Label, float]:
    s = scores
    # 1. what the headers proved
    if automatic in ("bounce", "delay"):
        return Label.BOUNCE, 0.99
    auto_subject = bool(_AUTO_SUBJECT.match(subject))
    bounce_subject = bool(_BOUNCE_SUBJECT.match(subject))
    if bounce_subject or s[Label.BOUNCE] >= 1.8 or (s[Label.BOUNCE] >= 1.0 and not is_reply and automatic != "person"):
        return Label.BOUNCE, min(0.99, 0.7 + 0.1 * s[Label.BOUNCE] + (0.15 if bounce_subject else 0))
    machine = automatic in ("auto_reply", "automated") or auto_subject
    says = max(s[Label.PAID], s[Label.PROMISE], s[Label.DISPUTE])
    remittance = s[Label.PAID] >= 1.8     # a payables system's payment advice is machine-made too
    if not remittance and machine or (says < 0.9 and automatic != "person"
                   and (s[Label.OUT_OF_OFFICE] >= 1.6 or s[Label.OTHER] >= 1.0)):
        if s[Label.OTHER] >= 1.0 and s[Label.OTHER] >= s[Label.OUT_OF_OFFICE] - 0.5:
            return Label.OTHER, _confidence(s[Label.OTHER], s[Label.OUT_OF_OFFICE])
        # "Automatic reply: ..." over an address change or a payables desk's notice tells of no absence
        if absence_told and (s[Label.OUT_OF_OFFICE] >= 0.8 or (machine and s[Label.OUT_OF_OFFICE] > 0)):
            boost = 0.1 if machine else 0.0
            return Label.OUT_OF_OFFICE, min(0.99, _confidence(s[Label.OUT_OF_OFFICE], 0) + boost)
        if machine and not any(s[k] for k in (Label.PAID, Label.PROMISE, Label.DISPUTE, Label.QUESTION)):
            return Label.OTHER, 0.6
    # 2. the client's words, in the order that protects the client relationship
    person = (Label.DISPUTE, Label.PAID, Label.PROMISE, Label.QUESTION)
    asks_us = (asked or s[Label.QUESTION] >= 1.4) and not internal
    if _FORWARD_SUBJECT.match(subject) and (says < 0.9 or fyi) and not (s[Label.QUESTION] >= 1.2 and asks_us):
        return Label.OTHER, 0.6     # passed on inside the client's company: nothing said to us yet
    # one soft complaint beside a real question ("the header and footer don't match: which entity do we pay?")
    asks_mostly = s[Label.DISPUTE] <= 1.0 and s[Label.QUESTION] >= 1.2 and asked
    if s[Label.DISPUTE] >= 1.0 and not asks_mostly:
        rival = max(s[Label.PAID], s[Label.QUESTION]) * 0.5
        return Label.DISPUTE, _confidence(s[Label.DISPUTE], rival)
    if s[Label.PAID] >= 0.9:
        rival = max(s[Label.DISPUTE], s[Label.PROMISE] * 0.5, s[Label.QUESTION] * 0.5)
        return Label.PAID, _confidence(s[Label.PAID], rival)
    if s[Label.PROMISE] >= 0.8 and not (s[Label.PROMISE] < 1.0 and s[Label.QUESTION] >= 1.2 and asked):
        rival = max(s[Label.DISPUTE], s[Label.PAID], s[Label.QUESTION] * 0.5)
        return Label.PROMISE, _confidence(s[Label.PROMISE], rival)
    if s[Label.OTHER] >= 1.0 and s[Label.OTHER] >= s[Label.QUESTION]:
        return Label.OTHER, _confidence(s[Label.OTHER], s[Label.QUESTION])
    if s[Label.QUESTION] and (not about_money or own_side or (internal and s[Label.QUESTION] < 0.7)) and not any(
            s[k] for k in (Label.PAID, Label.PROMISE)) and (not s[Label.DISPUTE] or own_side and s[Label.DISPUTE] <= 1.0):
        # "are you lot still putting a team in on the 18th?", "can you reset my password?": a
        # question, but not about the invoice; "did we get the goods for this?", "Lena - are we
        # still using this courier?": not to us, firmer where it names the colleague
        return Label.OTHER, 0.6 if internal else 0.55
    if s[Label.QUESTION] >= 0.7:
        rival = max(s[Label.DISPUTE], s[Label.PAID], s[Label.PROMISE])
        return Label.QUESTION, _confidence(s[Label.QUESTION], rival * (0.5 if asks_mostly else 1.0))
    best = max(person, key=lambda k: s[k])
    if s[best] > 0:
        return best, round(_confidence(s[best], 0) * 0.6, 3)   # weak words only: a person decides
    if s[Label.OUT_OF_OFFICE] > 0:
        return Label.OUT_OF_OFFICE, round(_confidence(s[Label.OUT_OF_OFFICE], 0) * 0.6, 3)
    return Label.OTHER, 0.5


def _extract(r: Reading, text: str, sent: datetime | None, failed: Sequence[str]) -> Reading:
    from dataclasses import replace
    if r.label is Label.PROMISE and sent is not None:
        found = when.promised_date(text, sent)
        if found:
            return replace(r, promise_date=found.day, promise_phrase=found.phrase,
                           evidence=(*r.evidence, found.phrase))
    elif r.label is Label.OUT_OF_OFFICE and sent is not None:
        back = when.return_date(text, sent)
        if back:
            return replace(r, return_date=back.day, evidence=(*r.evidence, back.phrase))
    elif r.label is Label.PAID:
        return replace(r, amounts=tuple(dict.fromkeys(m.group(0).strip() for m in _AMOUNT.finditer(text)))[:5],
                       references=tuple(dict.fromkeys(m.group(1) for m in _REFERENCE.finditer(text)))[:5])
    elif r.label is Label.BOUNCE:
        address = failed[0] if failed else _failed_in_text(text)
        return replace(r, failed_address=address)
    return r


_DAEMONS = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|noreply|mail-?daemon|bounce[s]?|mdaemon)\b", re.I)


def _failed_in_text(text: str) -> str | None:
    """The first address a delivery report's words name that is not a mail system's own."""
    for m in _EMAIL.finditer(text):
        address = m.group(1).strip("'.").lower()
        if not _DAEMONS.match(address):
            return address
    return None
