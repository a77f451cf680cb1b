"""Every evidence entry names its primary source (docs/sources.md): a citation (authors or
issuing body, title, year) and a DOI, PMID or URL, except the clinic's own choices; a V entry
says what was read. The entries whose identifier could not be confirmed are listed here by
name, so a new entry cannot go without one and a listed entry leaves the list once it has one."""

from __future__ import annotations

import re

from careflow.rulebook import default_rulebook
from careflow.rulebook.schema import EvidenceRef

# The clinic's own choices (当院方針): their `source` says so, and they cite no study.
CLINIC_SOURCE = re.compile(r"^clinic (policy|heuristic|convention|advice)\b")

# No identifier confirmed yet: each entry's note says what was not confirmed (docs/sources.md).
UNCONFIRMED = frozenset({
    # standard practice or an unidentified source, tagged U
    "INFECTION_BEFORE_INTERVENTION", "ACETAMINOPHEN_FIRST", "JP_STOCKING_PRESSURE",
    "MICROSPHERES_OFF_LABEL", "CATHETER_STANDARD",
    # a named primary whose DOI, PMID or official page was not found
    "KETOPROFEN_PREGNANCY_JP", "JSP_2010_EXCLUSIONS", "JP_CAC_2020", "VENASEAL_PMA",
    "JP_GARMENT_INSURANCE", "JSSO_OBESITY", "HEALTH_JAPAN_21_ALCOHOL",
    "SMOKING_CESSATION_INSURED", "WEGOVY_LABEL", "OBESITY_DRUG_JP", "GLP1_OFF_LABEL",
    "MIXED_BILLING_JP", "RELIEF_SYSTEM_PMDA", "KAIGO_HOKEN_KNEE", "ACR_AC_KNEE_PAIN",
    "SIR_2019_HAEMOSTASIS",
})

YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
# Documents kept current without an edition year: drug labels, registry records, the MHLW
# advertising guideline (revised in place) and a teaching site no rule cites.
LIVING = re.compile(r"添付文書|Prescribing Information|ClinicalTrials\.gov|医療広告ガイドライン"
                    r"|teaching website")
READ = re.compile(r"\bread\b|\bopened\b|確認", re.I)


def _evidence() -> dict[str, EvidenceRef]:
    return default_rulebook().evidence


def _clinic(e: EvidenceRef) -> bool:
    return bool(CLINIC_SOURCE.match(e.source))


def test_every_cited_source_has_a_citation_with_a_year() -> None:
    missing = [eid for eid, e in _evidence().items()
               if not _clinic(e) and eid not in UNCONFIRMED
               and not (e.citation and (YEAR.search(e.citation) or LIVING.search(e.citation)))]
    assert not missing, f"no citation with a year: {missing}"


def test_every_cited_source_has_a_doi_pmid_or_url() -> None:
    missing = [eid for eid, e in _evidence().items()
               if not _clinic(e) and eid not in UNCONFIRMED
               and not (e.doi or e.pmid or e.url)]
    assert not missing, f"no DOI, PMID or URL: {missing}"


def test_the_unconfirmed_list_is_current() -> None:
    """A listed entry exists, is not the clinic's own choice, still lacks an identifier, and
    its note says what was not confirmed (or the entry is U)."""
    ev = _evidence()
    stale = [eid for eid in UNCONFIRMED if eid not in ev or _clinic(ev[eid])
             or ev[eid].doi or ev[eid].pmid or ev[eid].url]
    assert not stale, f"remove from UNCONFIRMED: {stale}"
    silent = [eid for eid in UNCONFIRMED if ev[eid].verification != "U"
              and not re.search(r"not (found|confirmed|read)", ev[eid].note)]
    assert not silent, f"the note should say what was not confirmed: {silent}"


def test_clinic_policy_entries_are_not_verified_sources() -> None:
    """The clinic's own choices are never V: no primary text stands behind them."""
    wrong = [eid for eid, e in _evidence().items() if _clinic(e) and e.verification == "V"]
    assert not wrong, wrong


def test_verified_entries_say_what_was_read() -> None:
    """V means the primary text itself was read: the note says what was read, and an
    abstract or summary alone is not V."""
    ev = _evidence()
    silent = [eid for eid, e in ev.items() if e.verification == "V" and not READ.search(e.note)]
    assert not silent, f"V without saying what was read: {silent}"
    abstract_only = [eid for eid, e in ev.items() if e.verification == "V"
                     and re.search(r"\b(only|just) (the )?(abstract|summary)", e.note, re.I)]
    assert not abstract_only, f"abstract-only reads are S: {abstract_only}"


LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_the_japanese_book_has_every_grade_and_parameter_source_in_japanese() -> None:
    """A grade or a parameter source written in English has its Japanese (`grade_ja`,
    `source_ja`), which the Japanese book prints."""
    book = default_rulebook()
    grades = [eid for eid, e in book.evidence.items()
              if LATIN_WORD.search(e.grade) and not e.grade_ja]
    sources = [n for n, p in book.parameter_sources.items()
               if LATIN_WORD.search(p.source) and not p.source_ja]
    assert not grades and not sources, (grades, sources)
