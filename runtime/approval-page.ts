import type { ApprovalView, UndeliveredReason } from './approval-records.js';

/**
 * What an approval page shows: an open approval with its form, a closed one (decided or expired),
 * or a notice (unknown id, bad link, the answer to a decision). Built from views, so the token
 * cannot reach a page.
 */
export type ApprovalPageView =
  | {
      readonly kind: 'open';
      readonly approval: ApprovalView;
      /** Where the form posts: the same signed path the page was opened with. */
      readonly action: string;
      readonly now: number;
    }
  | { readonly kind: 'closed'; readonly approval: ApprovalView; readonly now: number }
  | {
      readonly kind: 'notice';
      readonly title: string;
      readonly message: string;
      readonly tone: 'ok' | 'warning' | 'error';
      /** A link back to the approval page, if any. */
      readonly back?: string;
    };

/** A self-contained HTML page (inline CSS, no scripts, no external assets) for an approval. */
export function approvalPage(view: ApprovalPageView): string {
  switch (view.kind) {
    case 'open':
      return document(`Approve ${view.approval.job}?`, openBody(view.approval, view.action, view.now));
    case 'closed':
      return document(
        `${closedTitle(view.approval)}: ${view.approval.job}`,
        closedBody(view.approval, view.now),
      );
    case 'notice':
      return document(view.title, noticeBody(view.title, view.message, view.tone, view.back));
  }
}

function openBody(approval: ApprovalView, action: string, now: number): string {
  const named = namedApprovers(approval);
  return `<main>
<p class="eyebrow">Waterflow approval</p>
<h1>Approve <code>${esc(approval.job)}</code>?</h1>
${messageBlock(approval)}
${details(approval, now)}
${votes(approval)}
<form method="post" action="${esc(action)}">
<label for="approver">Your name or e-mail${named.length > 0 ? '' : ' <span class="muted">(optional)</span>'}</label>
<input id="approver" name="approver" type="text" maxlength="256" autocomplete="email"${named.length > 0 ? ' required' : ''}>
<label for="comment">Comment <span class="muted">(optional)</span></label>
<textarea id="comment" name="comment" rows="3" maxlength="4000"></textarea>
<div class="actions">
<button type="submit" name="decision" value="approve" class="approve">Approve</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button>
</div>
<p class="muted">Opening this page decides nothing; only these buttons do. A decision is final.</p>
</form>
</main>`;
}

function closedBody(approval: ApprovalView, now: number): string {
  const title = closedTitle(approval);
  const tone = title === 'Approved' ? 'ok' : title === 'Rejected' ? 'error' : 'warning';
  const when = approval.decidedAt === undefined ? '' : ` on ${esc(formatTime(approval.decidedAt))}`;
  const why =
    approval.undelivered !== undefined
      ? `A decision was taken${when}, but ${UNDELIVERED_WHY[approval.undelivered]} This link decides nothing more.`
      : title === 'Expired'
        ? `Nobody decided in time; <code>onTimeout: ${esc(approval.onTimeout)}</code> applies.`
        : `This approval was ${title.toLowerCase()}${when}. A decision is final; this link decides nothing more.`;
  return `<main>
<p class="eyebrow">Waterflow approval</p>
<h1>${esc(title)}: <code>${esc(approval.job)}</code></h1>
<p class="banner ${tone}">${why}</p>
${messageBlock(approval)}
${details(approval, now)}
${votes(approval)}
</main>`;
}

const UNDELIVERED_WHY: Readonly<Record<UndeliveredReason, string>> = {
  'task-timed-out':
    'the run had already stopped waiting for it (the approval timed out or the run was stopped), so the run never got it.',
  'task-does-not-exist': 'the run that asked no longer exists, so the decision was not delivered.',
  'invalid-token':
    'Step Functions refused the task token of this approval, so the decision was not delivered.',
};

function noticeBody(title: string, message: string, tone: string, back: string | undefined): string {
  return `<main>
<p class="eyebrow">Waterflow approval</p>
<h1>${esc(title)}</h1>
<p class="banner ${esc(tone)}">${esc(message)}</p>
${back === undefined ? '' : `<p><a href="${esc(back)}">Back to the approval</a></p>`}
</main>`;
}

function closedTitle(approval: ApprovalView): 'Approved' | 'Rejected' | 'Expired' {
  if (approval.status === 'approved') return 'Approved';
  if (approval.status === 'rejected') return 'Rejected';
  // Pending here means its time is up and onTimeout has not been applied yet.
  return 'Expired';
}

function messageBlock(approval: ApprovalView): string {
  return approval.message === '' ? '' : `<blockquote>${esc(approval.message)}</blockquote>`;
}

function details(approval: ApprovalView, now: number): string {
  const named = namedApprovers(approval);
  const who =
    named.length === 0
      ? 'anyone with this link'
      : named.map((name) => `<span class="chip">${esc(name)}</span>`).join(' ');
  const expires =
    approval.status === 'pending' && now < approval.expiresAt
      ? `${esc(formatTime(approval.expiresAt))} <span class="muted">(in ${esc(formatDuration(approval.expiresAt - now))})</span>`
      : esc(formatTime(approval.expiresAt));
  const rows: Array<[string, string]> = [
    [
      'Workflow',
      approval.workflow === undefined
        ? '<span class="muted">unknown</span>'
        : `<code>${esc(approval.workflow)}</code>`,
    ],
    ['Run', `<code>${esc(approval.runId)}</code>`],
    ['Job', `<code>${esc(approval.job)}</code>`],
    ['Who may approve', who],
    ['Approvals', `${approval.approvals} of ${approval.minApprovals} needed`],
    ['Requested', esc(formatTime(approval.requestedAt))],
    ['Expires', expires],
  ];
  return `<dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function votes(approval: ApprovalView): string {
  if (approval.votes.length === 0) return '';
  const items = approval.votes.map((vote) => {
    const comment = vote.comment === undefined ? '' : `<q>${esc(vote.comment)}</q>`;
    const verb = vote.decision === 'approve' ? 'approved' : 'rejected';
    return `<li><strong>${esc(vote.approver)}</strong> ${verb} <span class="muted">${esc(formatTime(vote.at))}</span>${comment}</li>`;
  });
  return `<h2>Votes</h2><ul class="votes">${items.join('')}</ul>`;
}

function namedApprovers(approval: ApprovalView): ReadonlyArray<string> {
  return approval.approvers.includes('*') ? [] : approval.approvers;
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2430;--muted:#5b6472;--bg:#f6f7f9;--card:#fff;--line:#d9dde3;--ok:#1a7f37;--bad:#c62828;--warn:#9a6700}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ee;--muted:#9aa3af;--bg:#12151a;--card:#1b1f26;--line:#2e343d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:40rem;margin:2rem auto;padding:1.5rem 2rem;background:var(--card);border:1px solid var(--line);border-radius:12px}
.eyebrow{margin:0;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.05em}
h1{margin:.25rem 0 1rem;font-size:1.5rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.95em;overflow-wrap:anywhere}
blockquote{margin:0 0 1rem;padding:.75rem 1rem;border-left:4px solid var(--line);white-space:pre-wrap;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0 0 1rem}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.chip{display:inline-block;padding:0 .5rem;border:1px solid var(--line);border-radius:999px;font-size:.9rem}
.muted{color:var(--muted)}
.votes{padding-left:1.2rem}.votes q{display:block;color:var(--muted)}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,textarea{width:100%;padding:.5rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:6px}
.actions{display:flex;gap:.75rem;margin:1rem 0 .5rem}
button{flex:1;padding:.65rem 1rem;font:inherit;font-weight:600;color:#fff;border:0;border-radius:6px;cursor:pointer}
.approve{background:var(--ok)}.reject{background:var(--bad)}
.banner{padding:.75rem 1rem;border-radius:6px;border:1px solid var(--line)}
.banner.ok{border-color:var(--ok)}.banner.error{border-color:var(--bad)}.banner.warning{border-color:var(--warn)}
`;

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days > 0 ? `${days} d` : '', hours > 0 ? `${hours} h` : '', rest > 0 ? `${rest} min` : ''];
  return parts.filter((part) => part !== '').join(' ');
}
