// The REST API, as the page uses it. Every request carries the token when one is set (reads may be protected too);
// no cookie is ever sent (credentials: 'omit').
import * as session from './session.js';

export class ApiError extends Error {
  constructor(status, problem, text) {
    super((problem && (problem.detail || problem.title)) || text || 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
  }

  /** The problem's field errors as one line each. */
  details() {
    const errors = this.problem.errors || [];
    return errors.map((e) => e.field + ': ' + e.message + (e.value !== undefined && e.value !== null ? ' (got "' + e.value + '")' : ''));
  }
}

export async function api(path, { method = 'GET', body, signal, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const token = session.token();
  if (token) h.Authorization = 'Bearer ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data, text);
  return data;
}

/** One tool of the function-calling face, with the same arguments and results as the agents get. */
export function tool(name, args, options = {}) {
  return api('/api/tools/' + encodeURIComponent(name), { method: 'POST', body: args || {}, ...options });
}

let storeInfo = null;

/** GET /api/store (root, node, accepted types), fetched once per page load. */
export function store() {
  if (!storeInfo) storeInfo = api('/api/store').catch((e) => { storeInfo = null; throw e; });
  return storeInfo;
}

/** The type of operator notes and acknowledgements, when this server accepts it. */
export const NOTE_TYPE = 'operator_note';
