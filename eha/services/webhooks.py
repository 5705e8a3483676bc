"""Webhook subscriptions for case state changes: subscribing, queueing deliveries, signing and sending them.

``queue_state_change`` runs inside ``eha.workflow.engine.fire``'s transaction: each delivery is a row of the
notifications outbox (kind ``webhook``), so a rolled-back step sends nothing, a committed one is never lost, and
the notifications worker sends and retries it with its backoff like any email. A subscription gets an event only
for a case its owner may see at the moment of the change (``eha.access.can_see``), and only while its client
lives and its owner's account is active. Ending a subscription (by its client or an administrator, or by
revoking the client: ``end_for_client``) stops new deliveries and drops the pending ones: each queued or
in-flight row becomes ``failed`` with "the webhook subscription has ended", as the delivery report shows. (Only
clients subscribe: a personal access token is never given the ``webhooks`` scope, and a client's own tokens last
an hour, so its subscriptions belong to the client, not to one of its tokens.)

Each delivery is a POST of a JSON body holding ids and codes only (the case reference, the states, the trigger),
signed as ``X-EHA-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the subscription's
secret>``. A receiver recomputes it, compares in constant time and refuses a ``t`` older than a few minutes.

Addresses must be public: an address that is, or resolves when a delivery is sent to, a loopback, private,
link-local or otherwise non-global IP address is refused (no reaching the council's internal services or a cloud
metadata endpoint through eha). ``EHA_WEBHOOK_ALLOW_PRIVATE`` turns that off; by default it follows
``EHA_WEBHOOK_ALLOW_HTTP`` (on in development and the tests, off in production).
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from eha import access, audit
from eha.errors import Conflict, Invalid, NotFound
from eha.extensions import db
from eha.models.api import ApiClient, WebhookSubscription
from eha.models.base import utcnow
from eha.models.notifications import Notification
from eha.models.users import User
from eha.notifications import outbox
from eha.notifications.channels import ChannelError
from eha.transaction import autocommit

STATE_CHANGED = "case.state_changed"
URL_MAX = 320
MAX_SUBSCRIPTIONS_PER_OWNER = 20
TIMEOUT_SECONDS = 10
ENDED = "the webhook subscription has ended"
DUPLICATE = _l("This address is subscribed already: end that subscription first, or use its secret")


PRIVATE = _l("Enter a public address: this one is on a private, loopback or link-local network")


def _private_allowed():
    config = current_app.config
    return bool(config.get("EHA_WEBHOOK_ALLOW_PRIVATE", config.get("EHA_WEBHOOK_ALLOW_HTTP")))


def _not_global(address):
    try:
        return not ipaddress.ip_address(address.split("%", 1)[0]).is_global
    except ValueError:
        return False  # a name, not an address


def _check_url(url):
    parts = urlsplit(url) if isinstance(url, str) and len(url) <= URL_MAX and url.isprintable() else None
    allowed = ("https", "http") if current_app.config.get("EHA_WEBHOOK_ALLOW_HTTP") else ("https",)
    hostname = parts.hostname if parts is not None else None
    if not hostname or parts.scheme not in allowed or parts.username or parts.password:
        raise Invalid(_l("Enter the https:// address that receives the events (at most 320 characters)"), field="url")
    if _not_global(hostname) and not _private_allowed():
        raise Invalid(PRIVATE, field="url")
    return url


def _resolves_privately(url):
    """The first non-global address the URL's host resolves to, or None (names are checked when each delivery
    is sent, so a name re-pointed at an internal address after subscribing is caught too)."""
    host = urlsplit(url).hostname
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return None  # the POST itself fails and is retried
    return next((info[4][0] for info in infos if _not_global(info[4][0])), None)


def subscriptions(owner):
    return db.session.scalars(
        sa.select(WebhookSubscription)
        .where(WebhookSubscription.owner_id == owner.id, WebhookSubscription.revoked_at.is_(None))
        .order_by(WebhookSubscription.id)
        .limit(MAX_SUBSCRIPTIONS_PER_OWNER)
    ).all()


def all_subscriptions():
    """Every live subscription, for the administrators' page."""
    return db.session.scalars(
        sa.select(WebhookSubscription).where(WebhookSubscription.revoked_at.is_(None)).order_by(WebhookSubscription.id)
    ).all()


def _lock_owner(owner):
    """Two subscriptions made at once by one owner queue here (the owner's row, ``FOR NO KEY UPDATE``: rows that
    merely refer to the user are not held up), so the duplicate check and the count below hold."""
    db.session.execute(sa.select(User.id).where(User.id == owner.id).with_for_update(key_share=True))


def _live_client(client_id):
    """The client, locked against its revocation (``FOR SHARE``: a revocation at the same moment waits, then
    ends this subscription too), or ``Invalid`` when it has been revoked."""
    client = db.session.scalar(
        sa.select(ApiClient)
        .where(ApiClient.id == client_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)  # the token check loaded it before the lock: read it again
    )
    if client is None or client.revoked_at is not None:
        raise Invalid(_l("This system's access has been revoked"), field="client")
    return client


@autocommit
def subscribe(owner, url, *, client_id=None, by=None):
    """A new subscription of ``owner`` (and the client acting for them), made by ``by`` (an
    administrator; the owner when None). Its ``secret`` is shown once. ``Conflict`` when the owner has a live
    subscription to the same address (two made at once: one is made, the other gets the conflict)."""
    url = _check_url(url)
    _lock_owner(owner)
    if client_id is not None:
        _live_client(client_id)
    live = subscriptions(owner)
    if any(subscription.url == url for subscription in live):
        raise Conflict(DUPLICATE)
    if len(live) >= MAX_SUBSCRIPTIONS_PER_OWNER:
        raise Invalid(
            _l("There are %(count)s subscriptions already: end one first", count=MAX_SUBSCRIPTIONS_PER_OWNER),
            field="url",
        )
    subscription = WebhookSubscription(
        owner_id=owner.id,
        client_id=client_id,
        url=url,
        secret=secrets.token_hex(32),
        events=STATE_CHANGED,
        created_at=utcnow(),
    )
    db.session.add(subscription)
    db.session.flush()
    audit.record("webhook_created", user=by or owner, detail={"webhook": subscription.id, "client": client_id})
    return subscription


def _drop_pending(subscription_ids):
    """Deliveries not yet made for ended subscriptions are dropped: ``failed``, with the reason. A worker that
    had claimed one finds its claim gone (``eha.notifications.worker._mine``) and records nothing over it."""
    if not subscription_ids:
        return 0
    return db.session.execute(
        sa.update(Notification)
        .where(Notification.webhook_id.in_(subscription_ids), Notification.status.in_(("queued", "sending")))
        .values(status="failed", last_error=ENDED, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount


def _end(by, condition, reason):
    """End the live subscriptions matching ``condition`` and drop their pending deliveries (in the caller's
    transaction); one ``webhook_revoked`` event each."""
    ended = db.session.scalars(
        sa.select(WebhookSubscription)
        .where(condition, WebhookSubscription.revoked_at.is_(None))
        .order_by(WebhookSubscription.id)
        .with_for_update()
    ).all()
    now = utcnow()
    for subscription in ended:
        subscription.revoked_at = now
    dropped = _drop_pending([subscription.id for subscription in ended])
    for subscription in ended:
        audit.record("webhook_revoked", user=by, detail={"webhook": subscription.id, "because": reason})
    return len(ended), dropped


def end_for_client(by, client_id):
    """The client ``client_id`` was revoked: end its subscriptions."""
    return _end(by, WebhookSubscription.client_id == client_id, "client_revoked")


@autocommit
def unsubscribe(by, subscription_id, *, any_owner=False):
    """End a subscription: the owner's own, or (``any_owner``, an administrator) anyone's."""
    query = sa.select(WebhookSubscription).where(
        WebhookSubscription.id == subscription_id, WebhookSubscription.revoked_at.is_(None)
    )
    if not any_owner:
        query = query.where(WebhookSubscription.owner_id == by.id)
    subscription = db.session.scalar(query.with_for_update())
    if subscription is None:
        raise NotFound(_l("There is no such subscription."))
    subscription.revoked_at = utcnow()
    _drop_pending([subscription.id])
    audit.record("webhook_revoked", user=by, detail={"webhook": subscription.id})
    return subscription


def subscribe_client(admin, client_id, url):
    """An administrator subscribes the OAuth client ``client_id`` (its user owns the subscription)."""
    client = db.session.get(ApiClient, client_id)
    if client is None or client.revoked_at is not None:
        raise Invalid(_l("Select the system the events are for"), field="client")
    return subscribe(client.user, url, client_id=client.id, by=admin)


def _live_subscriptions():
    """Subscriptions that get events: not ended, their client (if any) not revoked, their owner active. (Revoking
    a client ends its subscriptions; this also holds for one made while the revocation was under way.)"""
    return db.session.scalars(
        sa.select(WebhookSubscription)
        .join(User, User.id == WebhookSubscription.owner_id)
        .outerjoin(ApiClient, ApiClient.id == WebhookSubscription.client_id)
        .where(
            WebhookSubscription.revoked_at.is_(None),
            User.active.is_(True),
            sa.or_(WebhookSubscription.client_id.is_(None), ApiClient.revoked_at.is_(None)),
        )
        .order_by(WebhookSubscription.id)
    ).all()


# --- queueing, in the transaction of the change ---


def _payload(case, *, trigger, source, event_id):
    return {
        "id": event_id,
        "event": STATE_CHANGED,
        "occurred_at": utcnow().isoformat(timespec="seconds") + "Z",
        "case": {"ref": case.ref, "state": case.state, "previous_state": source, "trigger": trigger},
    }


def queue_state_change(case, *, trigger, source):
    """Queue one delivery per live subscription whose owner may see ``case`` (called by ``fire``). The owners
    are few (systems, not every user), and each is checked once."""
    live = _live_subscriptions()
    if not live:
        return 0
    owners = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_({s.owner_id for s in live})))}
    sees = {owner_id: access.can_see(owner, case) for owner_id, owner in owners.items()}
    event_id = str(uuid.uuid4())
    body = json.dumps(_payload(case, trigger=trigger, source=source, event_id=event_id), separators=(",", ":"))
    now = utcnow()
    queued = 0
    for subscription in live:
        if not sees.get(subscription.owner_id):
            continue
        values = {
            "key": f"webhook:{subscription.id}:{event_id}",
            "kind": "webhook",
            "assessment_id": case.id,
            "case_ref": case.ref,
            "webhook_id": subscription.id,
            "address": subscription.url,
            "subject": STATE_CHANGED,
            "body": body,
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        db.session.execute(outbox.insert_once().values(**values))
        queued += 1
    return queued


# --- sending, from the notifications worker ---


def signature(secret, body, timestamp):
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class WebhookChannel:
    """Sends the outbox's ``webhook`` rows; any answer but 2xx (or none) raises ``ChannelError`` to retry."""

    name = "webhook"

    def __init__(self, session=None):
        self.http = session or requests.Session()

    def send(self, notification):
        subscription = db.session.get(WebhookSubscription, notification.webhook_id)
        if subscription is None or subscription.revoked_at is not None:
            raise ChannelError(ENDED)
        if not _private_allowed() and _resolves_privately(subscription.url):
            raise ChannelError("the webhook's address resolves to a private network address")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "eha-webhooks/1",
            "X-EHA-Event": notification.subject,
            "X-EHA-Delivery": notification.key,
            "X-EHA-Signature": signature(subscription.secret, notification.body, timestamp),
        }
        try:
            response = self.http.post(
                subscription.url,
                data=notification.body.encode(),
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise ChannelError(f"the webhook could not be reached: {type(exc).__name__}") from exc
        if not 200 <= response.status_code < 300:
            raise ChannelError(f"the webhook answered {response.status_code}")

    def close(self):
        self.http.close()


def is_webhook(notification):
    return notification.kind == "webhook"
