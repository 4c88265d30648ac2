"""E-mail through an outbox (DESIGN.md, principle 5).

:func:`enqueue` writes a rendered message as a row in the caller's
transaction; :func:`deliver_queued` sends the queued rows over one SMTP
connection (or writes ``.eml`` files when no SMTP host is set) and records
each outcome as it goes. Templates: :mod:`arshjul.mail.render` (``render`` is
not re-exported here, so that ``arshjul.mail.render`` stays the module). The
address every link begins with, the same in every process:
:mod:`arshjul.mail.address`.
"""

from arshjul.mail.outbox import enqueue, message_id_for
from arshjul.mail.render import TEMPLATES, RenderedMail
from arshjul.mail.sender import DeliveryReport, deliver_queued, deliver_queued_async

__all__ = [
    "TEMPLATES",
    "DeliveryReport",
    "RenderedMail",
    "deliver_queued",
    "deliver_queued_async",
    "enqueue",
    "message_id_for",
]
