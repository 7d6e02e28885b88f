// The iframe mode: embed.html#dataset=moons&hide=export… — the hash becomes the element's
// attributes, so values are checked (and reported) exactly as for <flow-playground>.
import { PARAMS, ATTRIBUTES } from './state.js';

const figure = document.getElementById('figure');

function attributesFromHash() {
  const out = [];
  for (const part of window.location.hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    try {
      out.push([decodeURIComponent(eq < 0 ? part : part.slice(0, eq)), decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1))]);
    } catch {
      console.warn(`<flow-playground>: '${part}' is not valid URL encoding`);
    }
  }
  return out;
}

function apply() {
  for (const [name, value] of attributesFromHash()) {
    // The hash says `class`; the element's attribute is `class-label` (HTML owns `class`).
    if (Object.hasOwn(PARAMS, name)) figure.setAttribute(ATTRIBUTES[name], value);
    else console.warn(`<flow-playground>: ignoring unknown parameter '${name}' in the URL`);
  }
}
// The attributes go on before the element is defined, so the figure starts with them (its
// backend among them) rather than restarting once they arrive.
apply();
await import('./element.js');
window.addEventListener('hashchange', apply);
