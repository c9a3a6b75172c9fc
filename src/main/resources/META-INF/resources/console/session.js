// The write token and the operator's name live in this tab's session storage only: never a cookie, never a URL.
const TOKEN = 'homelab.console.token';
const OPERATOR = 'homelab.console.operator';
const listeners = new Set();

export function token() {
  return sessionStorage.getItem(TOKEN) || '';
}

export function operator() {
  return sessionStorage.getItem(OPERATOR) || '';
}

export function canWrite() {
  return token() !== '';
}

export function unlock(newToken, name) {
  sessionStorage.setItem(TOKEN, newToken);
  sessionStorage.setItem(OPERATOR, name);
  listeners.forEach((l) => l());
}

export function lock() {
  sessionStorage.removeItem(TOKEN);
  listeners.forEach((l) => l());
}

export function onChange(listener) {
  listeners.add(listener);
}
