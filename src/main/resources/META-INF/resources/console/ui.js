// Pieces every view uses: error boxes, the token dialog, the read-only notice.
import { h } from './dom.js';
import { ApiError } from './api.js';
import * as session from './session.js';

export function errorBox(e) {
  const box = h('div', { class: 'error', role: 'alert' });
  if (e instanceof ApiError) {
    box.append(h('strong', {}, (e.problem.title || 'Error') + ' (' + e.status + '): '), e.message);
    if (e.status === 401) {
      box.append(h('p', {}, 'This server protects reads or refused the token: ',
        h('button', { type: 'button', class: 'secondary', onclick: () => openTokenDialog() }, 'enter the token')));
    }
    for (const line of e.details()) box.append(h('p', {}, line));
  } else {
    box.append(h('strong', {}, 'Error: '), String(e && e.message ? e.message : e));
  }
  return box;
}

// ---- token dialog ----
const dialog = document.getElementById('token-dialog');
const form = document.getElementById('token-form');
const tokenInput = document.getElementById('token-input');
const operatorInput = document.getElementById('operator-input');
const tokenError = document.getElementById('token-error');
const tokenButton = document.getElementById('token-button');

export function openTokenDialog() {
  tokenError.textContent = '';
  tokenInput.value = '';
  operatorInput.value = session.operator();
  dialog.showModal();
  tokenInput.focus();
}

function updateTokenButton() {
  tokenButton.textContent = session.canWrite() ? 'Lock writes (' + session.operator() + ')' : 'Unlock writes';
}

tokenButton.addEventListener('click', () => {
  if (session.canWrite()) {
    session.lock();
  } else {
    openTokenDialog();
  }
});
document.getElementById('token-cancel').addEventListener('click', () => dialog.close());
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = tokenInput.value.trim();
  const name = operatorInput.value.trim();
  if (!token || !name) {
    tokenError.textContent = 'Enter both the token and your name.';
    return;
  }
  // a wrong token is refused on every route, so a read tells whether the server accepts it
  try {
    const res = await fetch('/api/store', { headers: { Authorization: 'Bearer ' + token }, credentials: 'omit', cache: 'no-store' });
    if (res.status === 401) {
      tokenError.textContent = 'The server refused this token.';
      return;
    }
  } catch (err) {
    tokenError.textContent = 'The server cannot be reached: ' + err.message;
    return;
  }
  session.unlock(token, name);
  dialog.close();
});
session.onChange(updateTokenButton);
updateTokenButton();

/** Shown where a write form would be when no token is set. */
export function readOnlyNotice(what) {
  return h('p', { class: 'notice' }, 'Read-only: ' + what + ' needs the server\'s token. ',
    h('button', { type: 'button', class: 'secondary', onclick: () => openTokenDialog() }, 'Unlock writes'));
}
