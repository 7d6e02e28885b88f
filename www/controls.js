// The control panel, generated from the parameter registry: a labelled, keyboard-operable
// input per parameter, validated on change. Settings that only apply to some others (ε to the
// Sinkhorn coupling, σ to the bridge path, class and guidance to a conditional model) show
// only then.

import { PARAMS, parseValue } from './state.js';
import { LAYER_BY_NAME } from './layers/index.js';

const GROUPS = [
  ['data', 'Data'],
  ['model', 'Model and path'],
  ['train', 'Training'],
  ['sample', 'Sampling'],
  ['view', 'View'],
];

/** Sources the SDE sampler (and the learned score) allow: the score needs a Gaussian source. */
export const SDE_SOURCES = ['gaussian'];
const SDE_NOTE = 'The SDE sampler needs a Gaussian source (t = 0): its drift adds the score, which the learned velocity gives only when the noise is Gaussian.';

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

/** A value as its input shows it: `auto` (null) as empty, a point as `x,y`. */
function show(value) {
  if (value === null) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Which rows show for state `s`: name → visible (names absent here always show). */
export function visibleRows(s) {
  return {
    epsilon: s.coupling === 'sinkhorn',
    sigma: s.path === 'bridge',
    class: s.conditional,
    guidance: s.conditional,
    dropout: s.conditional,
    pen: s.dataset === 'points' && s.conditional,
    // The tolerance applies to dopri5 only, the NFE to the fixed-step solvers and the SDE, the
    // solver and the noise to the ODE and the SDE respectively.
    tol: s.sampler !== 'sde' && s.solver === 'dopri5',
    nfe: s.sampler === 'sde' || s.solver !== 'dopri5',
    solver: s.sampler !== 'sde',
    noise: s.sampler === 'sde',
  };
}

/** The class picker's options: all, then each of the data's `k` classes. */
function setClassOptions(select, k) {
  if (select.options.length === k + 1) return;
  select.replaceChildren(el('option', { value: 'all', textContent: 'all' }),
    ...Array.from({ length: k }, (_, c) => el('option', { value: String(c), textContent: String(c) })));
}

/**
 * Builds the controls into `form` (skipping `hidden` names) and calls `onChange(name, value)`
 * with each valid edit; an invalid edit calls `onInvalid(message)` and restores the value.
 * Returns `update(state)`, which shows a state in the inputs.
 */
export function buildControls(form, state, { onChange, onInvalid, hidden = new Set() }) {
  const inputs = {};
  const notes = {};
  for (const [group, title] of GROUPS) {
    const names = Object.keys(PARAMS).filter((n) => PARAMS[n].group === group && !hidden.has(n) && n !== 't');
    if (!names.length) continue;
    const fieldset = el('fieldset', { className: `group group-${group}` }, [el('legend', { textContent: title })]);
    for (const name of names) {
      const spec = PARAMS[name];
      const id = `control-${name}`;
      if (spec.type === 'set') {
        const boxes = el('div', { className: 'layers', role: 'group', 'aria-label': spec.label });
        inputs[name] = [];
        for (const option of spec.options) {
          const box = el('input', { type: 'checkbox', id: `${id}-${option}`, value: option, name });
          box.addEventListener('change', () => {
            const value = inputs[name].filter((b) => b.checked).map((b) => b.value);
            onChange(name, value);
          });
          inputs[name].push(box);
          boxes.append(el('label', { htmlFor: box.id, className: 'check' }, [box, ` ${LAYER_BY_NAME[option] ? LAYER_BY_NAME[option].label : option}`]));
        }
        fieldset.append(boxes);
        continue;
      }
      let input;
      let output = null;
      if (spec.type === 'enum') {
        input = el('select', { id, name }, spec.options.map((o) => el('option', { value: o, textContent: o })));
      } else if (spec.type === 'class') {
        input = el('select', { id, name }, [el('option', { value: 'all', textContent: 'all' })]);
      } else if (spec.type === 'bool') {
        input = el('input', { id, name, type: 'checkbox' });
      } else if (spec.slider) {
        input = el('input', { id, name, type: 'range', min: String(spec.min), max: String(spec.max), step: String(spec.slider) });
        output = el('output', { htmlFor: id, className: 'slider-value' });
        input.addEventListener('input', () => { output.textContent = input.value; });
      } else if (spec.type === 'point') {
        input = el('input', { id, name, type: 'text', inputMode: 'decimal', placeholder: 'x,y', spellcheck: false });
      } else {
        input = el('input', {
          id, name, type: 'number', placeholder: spec.auto ? 'auto' : '', inputMode: spec.type === 'int' ? 'numeric' : 'decimal',
          min: String(spec.min), max: String(spec.max),
          step: spec.type === 'int' ? (spec.even ? '2' : '1') : 'any',
        });
      }
      input.addEventListener('change', () => {
        const { value, error } = parseValue(name, spec.type === 'bool' ? (input.checked ? '1' : '0') : input.value);
        if (error) {
          onInvalid(error);
          input.value = input.dataset.last ?? show(spec.default);
          return;
        }
        input.dataset.last = show(value);
        onChange(name, value);
      });
      inputs[name] = input;
      const control = output ? el('span', { className: 'slider' }, [input, output]) : input;
      fieldset.append(el('div', { className: 'row' }, [el('label', { htmlFor: id, textContent: spec.label }), control]));
      if (name === 'sampler') {
        notes.sampler = el('p', { className: 'note', id: `${id}-note`, hidden: true, textContent: SDE_NOTE });
        input.setAttribute('aria-describedby', notes.sampler.id);
        fieldset.append(notes.sampler);
      }
    }
    form.append(fieldset);
  }

  /** Shows state `s`; `classes` is the data's number of classes (the class picker's options). */
  return function update(s, { classes = 0 } = {}) {
    if (inputs.class) setClassOptions(inputs.class, classes || (s.class === 'all' ? 0 : s.class + 1));
    for (const [name, input] of Object.entries(inputs)) {
      if (Array.isArray(input)) {
        for (const box of input) box.checked = s[name].includes(box.value);
      } else if (input.type === 'checkbox') {
        input.checked = !!s[name];
      } else {
        input.value = show(s[name]);
        input.dataset.last = show(s[name]);
        const output = input.parentElement.querySelector('output');
        if (output) output.textContent = show(s[name]);
      }
    }
    for (const [name, shown] of Object.entries(visibleRows(s))) {
      if (inputs[name] && !Array.isArray(inputs[name])) inputs[name].closest('.row').hidden = !shown;
    }
    // The SDE needs the score, which needs a Gaussian source: elsewhere the option is off and
    // the note says why (a URL asking for it anyway gets the worker's message and the ODE).
    if (inputs.sampler) {
      const allowed = SDE_SOURCES.includes(s.source);
      inputs.sampler.querySelector('option[value="sde"]').disabled = !allowed;
      notes.sampler.hidden = allowed;
    }
  };
}
