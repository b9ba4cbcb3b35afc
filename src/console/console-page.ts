/**
 * The admin console's one HTML page. It holds no script and no style of its own: both come from the
 * same origin (/console/main.js, /console/console.css) so the Content-Security-Policy needs no
 * 'unsafe-inline'. No input has a name and the forms are handled by the script, so a token can never
 * end up in a URL.
 */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>smsgate-ca admin console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/console.css">
<script type="module" src="/console/main.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<h1>smsgate-ca <span class="muted">admin console</span></h1>
<div id="identity" class="identity" hidden>
<span>Signed in as <strong id="identity-name"></strong></span>
<button id="refresh" type="button">Refresh</button>
<button id="sign-out" type="button">Sign out</button>
</div>
</header>
<main id="main" tabindex="-1">
<p id="status" class="status" role="status" aria-live="polite"></p>
<p id="problem" class="problem" role="alert" hidden></p>

<section id="sign-in" aria-labelledby="sign-in-heading">
<h2 id="sign-in-heading">Sign in</h2>
<form id="sign-in-form" method="post" action="/console" autocomplete="off">
<label for="token">Admin token</label>
<div class="row">
<input id="token" type="password" autocomplete="off" spellcheck="false" autocapitalize="off" required aria-describedby="token-help">
<button type="submit">Sign in</button>
</div>
<p id="token-help" class="help">Create a token on the server with <code>smsgate-ca admin token create --name NAME --data-dir DIR</code>.
It stays in this browser tab only and is sent only to this server, in the Authorization header.</p>
</form>
</section>

<div id="console" hidden>
<nav aria-label="Sections"><ul class="sections">
<li><a href="#pending">Pending</a></li>
<li><a href="#recent">Recent decisions</a></li>
<li><a href="#certificates">Certificates</a></li>
<li><a href="#expiry">Expiry</a></li>
<li><a href="#audit">Audit log</a></li>
</ul></nav>

<section id="pending" aria-labelledby="pending-heading">
<h2 id="pending-heading" tabindex="-1">Pending requests <span class="count" id="pending-count">0</span></h2>
<div id="pending-list"></div>
</section>

<section id="recent" aria-labelledby="recent-heading">
<h2 id="recent-heading">Recent decisions</h2>
<div id="recent-list"></div>
</section>

<section id="certificates" aria-labelledby="certificates-heading">
<h2 id="certificates-heading">Certificates</h2>
<form id="certificate-search" class="search" method="post" action="/console" role="search">
<div class="field"><label for="certificate-query">IP address or serial number</label>
<input id="certificate-query" type="search" autocomplete="off" spellcheck="false" placeholder="192.168.1.10 or 5f3a…"></div>
<div class="field"><label for="certificate-state">State</label>
<select id="certificate-state"><option value="">any</option><option value="valid">valid</option><option value="expired">expired</option><option value="revoked">revoked</option></select></div>
<button type="submit">Search</button>
</form>
<p id="certificate-summary" class="help"></p>
<div id="certificate-list"></div>
</section>

<section id="expiry" aria-labelledby="expiry-heading">
<h2 id="expiry-heading">Certificates expiring per week, next 13 months</h2>
<p id="expiry-summary" class="help"></p>
<div id="expiry-chart" class="chart-scroll"></div>
<details><summary>The same counts as a table</summary><div id="expiry-table"></div></details>
</section>

<section id="audit" aria-labelledby="audit-heading">
<h2 id="audit-heading">Audit log</h2>
<div id="audit-list"></div>
<button id="audit-older" type="button" hidden>Show older entries</button>
</section>
</div>
</main>

<dialog id="reason-dialog" aria-labelledby="reason-title" aria-describedby="reason-subject">
<form id="reason-form" method="post" action="/console">
<h2 id="reason-title"></h2>
<p id="reason-subject" class="subject"></p>
<div id="deny-fields"><label for="deny-reason">Reason (the requester sees it)</label>
<textarea id="deny-reason" rows="3" maxlength="500"></textarea></div>
<div id="revoke-fields"><label for="revoke-reason">Reason (RFC 5280)</label>
<select id="revoke-reason"></select></div>
<div class="actions">
<button id="reason-cancel" type="button">Cancel</button>
<button id="reason-confirm" type="submit" class="danger"></button>
</div>
</form>
</dialog>
</body>
</html>
`;
