"""All tables of the product. Importing this package registers them on `Base.metadata`."""

from core.db.models.base import Base, utcnow
from core.db.models.messaging import (
    Comment,
    InboundUpdate,
    MessageRef,
    Notification,
    NotificationPreference,
    PersonSchedule,
)
from core.db.models.people import (
    ChatIdentity,
    CoachingRelationship,
    CoachProfile,
    Invitation,
    LinkAttempt,
    LinkCode,
    User,
)
from core.db.models.sync import (
    AccountTransfer,
    CalendarToken,
    ConnectedAccount,
    OAuthState,
    ProviderPreference,
    SyncLog,
    WebhookEvent,
)
from core.db.models.thresholds import AthleteThreshold
from core.db.models.training import (
    Activity,
    ActivityStream,
    DailyLoad,
    PlanTemplate,
    TemplateWorkout,
    TrainingPlan,
    Workout,
)

__all__ = [
    "AccountTransfer",
    "Activity",
    "ActivityStream",
    "AthleteThreshold",
    "Base",
    "CalendarToken",
    "ChatIdentity",
    "CoachProfile",
    "CoachingRelationship",
    "Comment",
    "ConnectedAccount",
    "DailyLoad",
    "InboundUpdate",
    "Invitation",
    "LinkAttempt",
    "LinkCode",
    "MessageRef",
    "Notification",
    "NotificationPreference",
    "OAuthState",
    "PersonSchedule",
    "PlanTemplate",
    "ProviderPreference",
    "SyncLog",
    "TemplateWorkout",
    "TrainingPlan",
    "User",
    "WebhookEvent",
    "Workout",
    "utcnow",
]
