// The control panel, generated from the parameter registry: a labelled, keyboard-operable
// input per parameter, validated on change.

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
      if (spec.type === 'enum') {
        input = el('select', { id, name }, spec.options.map((o) => el('option', { value: o, textContent: o })));
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
        const { value, error } = parseValue(name, input.value);
        if (error) {
          onInvalid(error);
          input.value = input.dataset.last ?? show(spec.default);
          return;
        }
        input.dataset.last = show(value);
        onChange(name, value);
      });
      inputs[name] = input;
      fieldset.append(el('div', { className: 'row' }, [el('label', { htmlFor: id, textContent: spec.label }), input]));
      if (name === 'sampler') {
        notes.sampler = el('p', { className: 'note', id: `${id}-note`, hidden: true, textContent: SDE_NOTE });
        input.setAttribute('aria-describedby', notes.sampler.id);
        fieldset.append(notes.sampler);
      }
    }
    form.append(fieldset);
  }

  return function update(s) {
    for (const [name, input] of Object.entries(inputs)) {
      if (Array.isArray(input)) {
        for (const box of input) box.checked = s[name].includes(box.value);
      } else {
        input.value = show(s[name]);
        input.dataset.last = show(s[name]);
      }
    }
    // The tolerance applies to dopri5 only, the NFE to the fixed-step solvers and the SDE, the
    // solver and the noise to the ODE and the SDE respectively.
    const sde = s.sampler === 'sde';
    if (inputs.tol) inputs.tol.closest('.row').hidden = sde || s.solver !== 'dopri5';
    if (inputs.nfe) inputs.nfe.closest('.row').hidden = !sde && s.solver === 'dopri5';
    if (inputs.solver) inputs.solver.closest('.row').hidden = sde;
    if (inputs.noise) inputs.noise.closest('.row').hidden = !sde;
    // The SDE needs the score, which needs a Gaussian source: elsewhere the option is off and
    // the note says why (a URL asking for it anyway gets the worker's message and the ODE).
    if (inputs.sampler) {
      const allowed = SDE_SOURCES.includes(s.source);
      inputs.sampler.querySelector('option[value="sde"]').disabled = !allowed;
      notes.sampler.hidden = allowed;
    }
  };
}
