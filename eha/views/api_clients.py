"""Administrators' page for the API: OAuth clients (other systems) and webhook subscriptions."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eha.access import ADMINS, route
from eha.errors import Conflict, Invalid
from eha.forms.api import ClientForm, WebhookForm
from eha.models.choices import API_SCOPES
from eha.services import api_credentials, webhooks

bp = Blueprint("api_clients", __name__, url_prefix="/admin")


def _forms():
    clients = api_credentials.clients()
    return (
        clients,
        ClientForm(prefix="client", users=api_credentials.client_users()),
        WebhookForm(prefix="webhook", clients=clients),
    )


def _page(clients, client_form, webhook_form):
    return render_template(
        "views/api_clients/index.html",
        clients=clients,
        client_form=client_form,
        webhook_form=webhook_form,
        subscriptions=webhooks.all_subscriptions(),
        scopes=API_SCOPES,
    )


@route(bp, "/api-clients", need=ADMINS, methods=("GET", "POST"))
def index():
    clients, client_form, webhook_form = _forms()
    if client_form.submit.data and client_form.validate_on_submit():
        try:
            client, secret = api_credentials.create_client(
                current_user,
                name=client_form.name.data,
                user_id=int(client_form.user_id.data),
                scopes=client_form.scopes.data,
            )
        except Invalid as error:
            getattr(client_form, error.field or "name").errors.append(error.message)
        else:
            return render_template("views/api_clients/created.html", client=client, secret=secret)
    return _page(clients, client_form, webhook_form)


@route(bp, "/api-clients/webhooks", need=ADMINS, methods=("POST",))
def new_webhook():
    clients, client_form, webhook_form = _forms()
    if webhook_form.validate_on_submit():
        try:
            subscription = webhooks.subscribe_client(current_user, int(webhook_form.client.data), webhook_form.url.data)
        except (Invalid, Conflict) as error:
            getattr(webhook_form, getattr(error, "field", None) or "url").errors.append(error.message)
        else:
            return render_template(
                "views/api_clients/webhook_created.html", subscription=subscription, client=subscription.client
            )
    return _page(clients, client_form, webhook_form)


@route(bp, "/api-clients/<int:client_id>/revoke", need=ADMINS, methods=("POST",))
def revoke(client_id):
    api_credentials.revoke_client(current_user, client_id)
    flash(_("The client is revoked: its tokens no longer work"), "success")
    return redirect(url_for("api_clients.index"))


@route(bp, "/api-clients/webhooks/<int:webhook_id>/revoke", need=ADMINS, methods=("POST",))
def revoke_webhook(webhook_id):
    webhooks.unsubscribe(current_user, webhook_id, any_owner=True)
    flash(_("The subscription is ended"), "success")
    return redirect(url_for("api_clients.index"))
