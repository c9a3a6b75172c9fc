// Building the page without HTML strings: every value, above all every value taken from an event, becomes a text
// node or an attribute value, never markup. The page's Content-Security-Policy (Trusted Types) also makes any
// innerHTML-style assignment throw, so a slip here fails loudly instead of injecting.

/**
 * h('a', {href: '/chains/x', class: 'c'}, 'text', child, [more])
 * Props: class, text, on<event> (a function), dataset (an object); any other key is set as an attribute.
 * Children: Nodes, or anything else, which is inserted as text. null, undefined and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'href') el.setAttribute('href', safeHref(value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Only links inside this console: a path on this origin or a fragment. Anything else becomes a dead link. */
export function safeHref(href) {
  const s = String(href);
  if ((s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\')) || s.startsWith('#')) return s;
  return '#';
}

export function chainHref(correlationId, eventId) {
  return '/chains/' + encodeURIComponent(correlationId) + (eventId ? '#event-' + eventId : '');
}

/** A label and its control, tied by id. */
export function field(labelText, control, hint) {
  const wrap = h('div', {}, h('label', { for: control.id }, labelText), control);
  if (hint) {
    const hintId = control.id + '-hint';
    control.setAttribute('aria-describedby', hintId);
    wrap.append(h('p', { class: 'hint', id: hintId }, hint));
  }
  return wrap;
}

export function options(select, values, selected) {
  for (const v of values) {
    const [value, label] = Array.isArray(v) ? v : [v, v];
    const o = h('option', { value }, label);
    if (value === selected) o.selected = true;
    select.append(o);
  }
  return select;
}
