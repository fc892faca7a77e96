"""Pure domain records: no I/O, one canonical JSON form each, a version label each."""

from greenlight.domain.asset import Asset
from greenlight.domain.compensation import UsageLine, UsageReport, UsageTotal
from greenlight.domain.consent import (
    Compensation,
    ConsentGrant,
    GrantState,
    RateUnit,
    Signatory,
    StateChange,
    Use,
    check_description,
    last_day,
)
from greenlight.domain.decision import Decision, Reason, Verdict
from greenlight.domain.events import LedgerEntry, LedgerEvent
from greenlight.domain.job import (
    APPROVER_ROLES,
    Job,
    JobInput,
    JobState,
    Transition,
    Usage,
    Veto,
    WrittenApproval,
)
from greenlight.domain.registry import (
    LifeStatus,
    LikenessReference,
    Production,
    ProtectedPerson,
    ProtectedWork,
    SubjectKind,
    Talent,
)
from greenlight.domain.scan import Box, FaceFinding, FaceTrack, Identity, ScanResult
from greenlight.domain.serial import canonical_json, from_plain, new_id, to_plain, utcnow

__all__ = [
    "Usage",
    "UsageLine",
    "UsageReport",
    "UsageTotal",
    "Veto",
    "APPROVER_ROLES",
    "WrittenApproval",
    "Asset",
    "Box",
    "Compensation",
    "ConsentGrant",
    "Decision",
    "FaceFinding",
    "FaceTrack",
    "GrantState",
    "Identity",
    "Job",
    "JobInput",
    "JobState",
    "LedgerEntry",
    "LedgerEvent",
    "LifeStatus",
    "LikenessReference",
    "Production",
    "ProtectedPerson",
    "ProtectedWork",
    "RateUnit",
    "Reason",
    "ScanResult",
    "Signatory",
    "StateChange",
    "SubjectKind",
    "Talent",
    "Transition",
    "Use",
    "Verdict",
    "canonical_json",
    "check_description",
    "last_day",
    "from_plain",
    "new_id",
    "to_plain",
    "utcnow",
]
