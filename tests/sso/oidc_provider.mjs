// A real OpenID Provider (the npm `oidc-provider` package) for the single sign-on tests, on loopback.
//
//   node tests/sso/oidc_provider.mjs CONFIG.json
//
// CONFIG: {"clients": [oidc-provider client metadata], "accounts": {"<sub>": {claims...}}}. It listens on a free
// port of 127.0.0.1 and prints one JSON line, {"issuer": "http://127.0.0.1:PORT"}, when ready. Its sign-in page
// takes an account's subject as the username (no password) and a "used a second factor" checkbox, which sets
// the ID token's `amr` to ["pwd", "mfa"] instead of ["pwd"]. Consent is granted without asking. CONFIG's "jwks"
// (optional, private JWKs) are the keys it signs with, so a test can sign a token of its own with the same key.
import { readFileSync } from "node:fs";
import http from "node:http";

import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const accounts = config.accounts || {};

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]);

function page(uid, error) {
  return `<!doctype html><html lang="en"><head><title>Test identity provider</title></head><body>
<h1>Sign in to the test identity provider</h1>${error ? `<p role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="off">
<label><input type="checkbox" name="mfa" value="yes"> I used a second factor</label>
<button type="submit">Sign in</button></form></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

async function grantConsent(provider, details) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  return grant.save();
}

async function interaction(provider, req, res, match) {
  const [, uid, action] = match;
  if (req.method === "POST" && action === "/login") {
    const form = await readForm(req);
    const login = form.get("login") || "";
    if (!Object.hasOwn(accounts, login)) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page(uid, "Unknown username"));
      return;
    }
    const amr = form.get("mfa") === "yes" ? ["pwd", "mfa"] : ["pwd"];
    await provider.interactionFinished(req, res, { login: { accountId: login, amr } }, { mergeWithLastSubmission: false });
    return;
  }
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === "consent") {
    const grantId = await grantConsent(provider, details);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(page(uid));
}

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    pkce: { required: () => true },
    // The scopes' claims (and amr, with openid) in the ID token, as Microsoft Entra ID puts them.
    conformIdTokenClaims: false,
    claims: { amr: null, openid: ["sub", "amr"], email: ["email", "email_verified"], profile: ["name", "oid"] },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (ctx, details) => `/interaction/${details.uid}` },
    cookies: { keys: ["eha-test-provider-cookie-key"] },
    ...(config.jwks ? { jwks: config.jwks } : {}),
    findAccount: async (ctx, id) =>
      Object.hasOwn(accounts, id) ? { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) } : undefined,
  });
  const callback = provider.callback();
  server.on("request", (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url);
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(provider, req, res, match).catch((error) => {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(String(error && error.message));
    });
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
