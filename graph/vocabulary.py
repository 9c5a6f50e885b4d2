"""Notations of the SKOS vocabularies (ontology/vocab/) that the code gives a meaning to.

The vocabularies themselves are data; these are the few of their values that code must know: the
schemes curators write notations of, the order of evidence from strongest to weakest, which roles
make a partner, which partner types stand for a member state. Every layer may import this module.
"""

from __future__ import annotations

#: The concept schemes whose notations the curated data uses (ontology/vocab/{scheme}.ttl).
VOCABULARIES = ("theme", "role", "evidence", "partner-type", "event-type", "pillar")

#: Evidence from strongest to weakest; a link is as strong as the weaker of its two memberships.
EVIDENCE_ORDER = ("stated", "general-statement", "inferred", "unconfirmed", "disputed")
#: Everything but a plain statement by a source.
WEAK_EVIDENCE = frozenset(EVIDENCE_ORDER[1:])

#: Roles of taking part in a partnership's work; meeting hosts and one-off participants are not partners.
PARTNER_ROLES = ("coordinator", "member", "observer", "expert", "collaborator", "supporting-organisation", "technical-secretariat")
ALL_ROLES = (*PARTNER_ROLES, "meeting-host", "participant")
#: The roles counted as a partnership's members (coverage, map colours).
MEMBER_ROLES = ("coordinator", "member")

#: Partner types that stand for a member state's government (shown at their country on the map).
NATIONAL_KINDS = ("member-state", "national-agency", "national-devolved-government")
#: Partner types whose organisations would carry an EU corporate-body authority IRI.
EU_BODY_KINDS = ("eu-institution-dg", "eu-body")


def evidence_rank(evidence: str) -> int:
    """Position in EVIDENCE_ORDER (unknown evidence counts as weakest)."""
    return EVIDENCE_ORDER.index(evidence) if evidence in EVIDENCE_ORDER else len(EVIDENCE_ORDER)
