"""Notifications: invitations, reminders and digests, through a transactional outbox.

- ``outbox``: ``enqueue`` writes a message in the caller's transaction, once per event and recipient.
- ``events``: the changes that send messages (meetings, actions, withdrawn agreement) and what they queue.
- ``digests``: the daily digest to leads and TAF members, the weekly one to managers.
- ``messages`` and ``ical``: what the emails and their iCalendar invitations say (never a family's names).
- ``channels``: SMTP, GOV.UK Notify, ``.eml`` files; ``worker``: claiming and sending with retries and a lease.
- ``tasks``: the Huey queue and schedule; ``cli``: ``flask notifications send`` and ``send-digests``.
"""
