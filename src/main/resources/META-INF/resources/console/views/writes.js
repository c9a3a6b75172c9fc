// The console's writes: ordinary events through the ordinary API, with the token, audited like any other.
//  - acknowledge an incident, and notes on a chain: an operator_note event (payload kind, note, operator);
//  - remediation steps: the record_remediation tool, exactly as agents record theirs.
import { h, field, options } from '../dom.js';
import { api, tool, NOTE_TYPE } from '../api.js';
import * as session from '../session.js';
import { errorBox } from '../ui.js';

let ids = 0;
const nextId = (prefix) => prefix + '-' + (++ids);

function note(cid, service, kind, text) {
  const payload = { kind, operator: session.operator(), via: 'console' };
  if (text) payload.note = text;
  return api('/api/events', {
    method: 'POST',
    body: { type: NOTE_TYPE, severity: 'info', source: session.operator(), service, correlation_id: cid, payload },
  });
}

/** Outcome area of a form: success text or the error, announced. */
function outcome() {
  return h('div', { role: 'status', 'aria-live': 'polite' });
}

function report(area, promise, okText, after) {
  area.replaceChildren();
  return promise.then((r) => {
    area.replaceChildren(h('p', { class: 'ok-message' }, okText));
    if (after) after(r);
  }, (e) => {
    area.replaceChildren(errorBox(e));
  });
}

export function acknowledge(cid, service, ctx) {
  const noteId = nextId('ack-note');
  const input = h('input', { id: noteId, maxlength: '500' });
  const area = outcome();
  const form = h('form', { class: 'ack' },
    field('Note with the acknowledgement (optional)', input),
    h('button', { type: 'submit' }, 'Acknowledge ' + cid), area);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    report(area, note(cid, service, 'acknowledgement', input.value.trim()), 'Acknowledged.', () => setTimeout(() => ctx.rerender(), 600));
  });
  return form;
}

export function noteForm(cid, services) {
  const textId = nextId('note');
  const text = h('textarea', { id: textId, required: true, maxlength: '2000' });
  const service = h('select', { id: nextId('note-service') });
  options(service, services);
  const area = outcome();
  const form = h('form', {},
    h('fieldset', {}, h('legend', {}, 'Add a note to this chain'),
      field('Note', text),
      h('div', { class: 'row' }, field('Service', service)),
      h('button', { type: 'submit' }, 'Add note'), area));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!text.value.trim()) {
      area.replaceChildren(h('p', { class: 'error' }, 'Write the note first.'));
      return;
    }
    report(area, note(cid, service.value, 'note', text.value.trim()), 'Note recorded.', () => { text.value = ''; });
  });
  return form;
}

export function remediationForm(cid, services, openSteps) {
  const area = outcome();
  const phaseName = nextId('phase');
  const startRadio = h('input', { type: 'radio', name: phaseName, id: phaseName + '-start', value: 'start', checked: true });
  const completeRadio = h('input', { type: 'radio', name: phaseName, id: phaseName + '-complete', value: 'complete', disabled: openSteps.length === 0 });
  const action = h('input', { id: nextId('action'), required: true, maxlength: '128', placeholder: 'restart_service' });
  const step = h('input', { id: nextId('step'), maxlength: '128' });
  const openStep = h('select', { id: nextId('open-step') });
  options(openStep, openSteps.map((s) => [s.step, s.step + ' (' + (s.action || s.step) + ' by ' + (s.actor || '?') + ')']));
  const result = h('select', { id: nextId('result') });
  options(result, [['succeeded', 'succeeded'], ['failed', 'failed']]);
  const service = h('select', { id: nextId('service') });
  options(service, services);
  const noteText = h('input', { id: nextId('rnote'), maxlength: '500' });
  const startFields = h('div', { class: 'row' }, field('Action', action), field('Step key (optional)', step, 'Links the completion to this start; default: the action.'));
  const completeFields = h('div', { class: 'row', hidden: true }, field('Open step', openStep), field('Result', result));
  const sync = () => {
    const completing = completeRadio.checked;
    startFields.hidden = completing;
    completeFields.hidden = !completing;
    action.required = !completing;
  };
  startRadio.addEventListener('change', sync);
  completeRadio.addEventListener('change', sync);
  const form = h('form', {},
    h('fieldset', {}, h('legend', {}, 'Record a remediation step'),
      h('fieldset', { class: 'radios' }, h('legend', { class: 'visually-hidden' }, 'Phase'),
        h('span', {}, startRadio, ' ', h('label', { for: startRadio.id }, 'Start a step')),
        h('span', {}, completeRadio, ' ', h('label', { for: completeRadio.id }, 'Complete an open step'))),
      startFields, completeFields,
      h('div', { class: 'row' }, field('Service', service), field('Note (optional)', noteText)),
      h('button', { type: 'submit' }, 'Record step'), area));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const completing = completeRadio.checked;
    const args = { phase: completing ? 'complete' : 'start', correlation_id: cid, service: service.value, actor: session.operator() };
    if (completing) {
      const s = openSteps.find((o) => o.step === openStep.value);
      args.step = openStep.value;
      args.action = (s && s.action) || openStep.value;
      args.result = result.value;
    } else {
      if (!action.value.trim()) {
        area.replaceChildren(h('p', { class: 'error' }, 'Name the action first.'));
        action.focus();
        return;
      }
      args.action = action.value.trim();
      if (step.value.trim()) args.step = step.value.trim();
    }
    if (noteText.value.trim()) args.note = noteText.value.trim();
    report(area, tool('record_remediation', args), completing ? 'Step completed.' : 'Step started.');
  });
  return form;
}
