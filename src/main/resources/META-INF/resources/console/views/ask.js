// /ask: a question to POST /api/ask; the answer with its citations as links to the events. Without a model the
// server answers 503 saying what to set, and that is what this page shows: a setup note, not an error.
import { h, clear, field, options, chainHref } from '../dom.js';
import { api, ApiError } from '../api.js';
import { time } from '../format.js';
import * as session from '../session.js';
import { errorBox } from '../ui.js';

export default async function ask(ctx) {
  ctx.heading('Ask');
  ctx.main.append(h('p', { class: 'lede' }, 'Ask about incidents in plain language. A model reads the event store '
    + 'through the read-only tools and cites the events its answer rests on. Every question is recorded as an event.'));
  const question = h('textarea', { id: 'ask-question', required: true, maxlength: '2000', placeholder: 'What has already been tried on deploy-882?' });
  const since = options(h('select', { id: 'ask-since' }),
    [['', 'Whole store'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']], '');
  const submit = h('button', { type: 'submit' }, 'Ask');
  const result = h('div', { id: 'ask-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card' }, field('Question', question), h('div', { class: 'row' }, field('Look back', since)), submit);
  ctx.main.append(form, result);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = question.value.trim();
    if (!text) {
      clear(result).append(h('p', { class: 'error' }, 'Write a question first.'));
      question.focus();
      return;
    }
    submit.disabled = true;
    result.setAttribute('aria-busy', 'true');
    clear(result).append(h('p', { class: 'status-line' }, 'Asking the model…'));
    const body = { question: text };
    if (since.value) body.since = since.value;
    const headers = session.operator() ? { 'X-Operator': session.operator() } : {};
    try {
      const answer = await api('/api/ask', { method: 'POST', body, headers, signal: ctx.signal });
      clear(result).append(await renderAnswer(answer, ctx.signal));
    } catch (err) {
      if (ctx.signal.aborted) return;
      clear(result).append(unavailable(err) || errorBox(err));
    } finally {
      submit.disabled = false;
      result.setAttribute('aria-busy', 'false');
    }
  });
}

/** 503 (no model, or unreachable) and 504 (time ran out) say what to do: shown as a setup note. */
function unavailable(err) {
  if (!(err instanceof ApiError) || (err.status !== 503 && err.status !== 504)) return null;
  const title = err.problem.title || (err.status === 504 ? 'Question timed out' : 'Model unavailable');
  return h('section', { class: 'notice', 'aria-labelledby': 'ask-notice-title' },
    h('h2', { id: 'ask-notice-title' }, title),
    h('p', {}, err.problem.detail || err.message),
    h('p', {}, 'The rest of the console works without a model. Settings: docs/ask.md.'));
}

async function renderAnswer(a, signal) {
  const out = h('section', { class: 'card', 'aria-labelledby': 'answer-title' },
    h('h2', { id: 'answer-title' }, 'Answer'), h('p', { class: 'answer' }, a.answer || '(no answer)'));
  if (a.stopped) out.append(h('p', { class: 'meta' }, 'Stopped: ' + a.stopped));
  const cited = await Promise.all((a.citations || []).map((id) => api('/api/events/' + encodeURIComponent(id), { signal }).catch(() => ({ id }))));
  out.append(h('h3', {}, 'Citations'));
  if (cited.length === 0) {
    out.append(h('p', { class: 'meta' }, 'The answer cites no event.'));
  } else {
    const list = h('ul', { class: 'citations' });
    for (const e of cited) {
      list.append(h('li', {}, e.correlation_id
        ? [h('a', { href: chainHref(e.correlation_id, e.id) }, e.type + ' · ' + e.service + ' · ' + e.correlation_id), ' ', time(e.timestamp)]
        : h('a', { href: '/events/' + encodeURIComponent(e.id) }, 'event ' + e.id)));
    }
    out.append(list);
  }
  if ((a.unverified_citations || []).length > 0) {
    out.append(h('p', { class: 'meta' }, 'Ids in the answer that the tools never returned (not linked): ' + a.unverified_citations.join(', ')));
  }
  if ((a.tool_calls || []).length > 0) {
    const calls = h('ol', {});
    a.tool_calls.forEach((c) => calls.append(h('li', {}, h('code', {}, c.name + ' ' + JSON.stringify(c.arguments || {})), ' ', c.status)));
    out.append(h('details', {}, h('summary', {}, 'Tool calls (' + a.tool_calls.length + ')'), calls));
  }
  if (a.model) out.append(h('p', { class: 'meta' }, 'Model: ' + a.model));
  return out;
}
