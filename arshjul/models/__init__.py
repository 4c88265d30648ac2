"""SQLModel tables and the database session. No Prefect here."""

from arshjul.models.accounts import GroupTransaction, TrialBalanceLine
from arshjul.models.audit import AuditEntry
from arshjul.models.base import Stored, stored_id
from arshjul.models.control import Control, Risk
from arshjul.models.cycle import Cycle, Decision, GeneratedDocument, StageInstance, StageState
from arshjul.models.goals import (
    Activity,
    Attainment,
    Goal,
    GoalAssessment,
    GoalLevel,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    StrategicArea,
)
from arshjul.models.governing import (
    DocumentReview,
    DocumentState,
    GoverningDocument,
)
from arshjul.models.keys import LinkKey
from arshjul.models.kolada import KoladaGroupMember, KoladaValue
from arshjul.models.money import (
    ActionPlan,
    ActionPlanFollowUp,
    ActionPlanState,
    BudgetFrame,
    Deviation,
    FigureKind,
    FinancialFigure,
    FrameKind,
    FrameStatus,
    PlanningFigure,
)
from arshjul.models.organisation import Contact, ContactRole, Municipality, OrgUnit, Term, UnitKind
from arshjul.models.outbox import MessageState, OutboxAttachment, OutboxMessage
from arshjul.models.submissions import Attachment, RequestState, Submission, SubmissionRequest

__all__ = [
    "ActionPlan",
    "ActionPlanFollowUp",
    "ActionPlanState",
    "Activity",
    "Attachment",
    "Attainment",
    "AuditEntry",
    "BudgetFrame",
    "Contact",
    "ContactRole",
    "Control",
    "Cycle",
    "Decision",
    "Deviation",
    "DocumentReview",
    "DocumentState",
    "FigureKind",
    "FinancialFigure",
    "FrameKind",
    "FrameStatus",
    "GeneratedDocument",
    "Goal",
    "GoalAssessment",
    "GoalLevel",
    "GoverningDocument",
    "GroupTransaction",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "KoladaGroupMember",
    "KoladaValue",
    "LinkKey",
    "MessageState",
    "Municipality",
    "OrgUnit",
    "OutboxAttachment",
    "OutboxMessage",
    "PlanningFigure",
    "RequestState",
    "Risk",
    "StageInstance",
    "StageState",
    "Stored",
    "StrategicArea",
    "Submission",
    "SubmissionRequest",
    "Term",
    "TrialBalanceLine",
    "UnitKind",
    "stored_id",
]
