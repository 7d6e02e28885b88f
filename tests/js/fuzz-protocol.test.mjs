// Property tests of the request check (validateRequest in www/protocol.js, which the worker runs
// before any call into the core), each with a fixed seed: any value as a message is answered
// with null or a message and never a throw; every well-formed request the protocol documents
// passes; one field of the wrong type is refused with a message naming the request and that
// field. The field kinds below are written from the protocol's documentation, not read from
// the checker.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Request, validateRequest, describe } from '../../www/protocol.js';

const RUNS = 3000;
const run = (seed, property) => fc.assert(property, { seed, numRuns: RUNS });

const U32 = 2 ** 32 - 1;
/** Each kind: a generator of good values and a predicate (the test's own reading of the kind). */
const KINDS = {
  u32: { good: fc.integer({ min: 0, max: U32 }), ok: (v) => Number.isInteger(v) && v >= 0 && v <= U32 },
  i32: { good: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), ok: (v) => Number.isInteger(v) && Math.abs(v + 0.5) <= 2 ** 31 },
  finite: { good: fc.double({ noNaN: true, noDefaultInfinity: true }), ok: (v) => typeof v === 'number' && Number.isFinite(v) },
  string: { good: fc.string(), ok: (v) => typeof v === 'string' },
  bool: { good: fc.boolean(), ok: (v) => v === true || v === false },
  backend: { good: fc.constantFrom('auto', 'webgpu', 'cpu'), ok: (v) => ['auto', 'webgpu', 'cpu'].includes(v) },
  sampler: { good: fc.constantFrom('ode', 'sde'), ok: (v) => v === 'ode' || v === 'sde' },
  config: {
    good: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }).map((d) => ({ ...d })),
    ok: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v),
  },
  bounds: {
    good: fc.oneof(fc.array(fc.double(), { maxLength: 5 }), fc.float32Array({ maxLength: 5 })),
    // A list or typed array of numbers (the worker copies it into a Float32Array).
    ok: (v) => (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) && Array.from(v).every((x) => typeof x === 'number'),
  },
  points: { good: fc.float32Array({ maxLength: 8 }), ok: (v) => v instanceof Float32Array },
  labels: { good: fc.uint32Array({ maxLength: 4 }), ok: (v) => v instanceof Uint32Array },
  bytes: { good: fc.uint8Array({ maxLength: 16 }), ok: (v) => v instanceof Uint8Array },
};
const opt = (kind) => ({ kind, optional: true });
const SAMPLE = { n: 'u32', solver: 'string', nfe: 'u32', seed: 'u32', record: 'bool', sampler: opt('sampler'), noise: opt('finite'), class: opt('i32'), guidance: opt('finite') };
const LATTICE = { which: 'string', t: 'finite', bounds: 'bounds', grid: 'u32' };
/** The fields of each request, from the protocol's documentation. */
const SPEC = {
  [Request.INIT]: { backend: 'backend', config: 'config', points: opt('points'), labels: opt('labels') },
  [Request.CONFIGURE]: { config: 'config', points: opt('points'), labels: opt('labels') },
  [Request.TRAIN]: { until: 'u32' },
  [Request.PAUSE]: {},
  [Request.SAMPLE]: SAMPLE,
  [Request.FIELD]: LATTICE,
  [Request.DENSITY]: { ...LATTICE, solver: opt('string'), nfe: opt('u32') },
  [Request.LOSS_BINS]: { bins: 'u32' },
  [Request.READ_LOSS_BINS]: {},
  [Request.DATA]: { n: 'u32', seed: 'u32' },
  [Request.AVERAGE]: { x: 'finite', y: 'finite', t: 'finite', k: 'u32' },
  [Request.DATA_LABELLED]: { n: 'u32', seed: 'u32' },
  [Request.GUIDED_FIELD]: { ...LATTICE, class: 'u32', guidance: 'finite' },
  [Request.NLL]: { n: 'u32', seed: 'u32', solver: opt('string'), nfe: opt('u32') },
  [Request.STRAIGHTNESS]: { solver: 'string', nfe: 'u32', n: 'u32', seed: 'u32' },
  [Request.REFLOW]: { n: 'u32', solver: 'string', nfe: 'u32', seed: 'u32' },
  [Request.SWEEP_POINT]: { index: 'u32', n: 'u32', seed: 'u32', noise: opt('finite') },
  [Request.PAIRS]: { n: 'u32' },
  [Request.EXPORT]: {},
  [Request.IMPORT]: { bytes: 'bytes' },
  [Request.DISPOSE]: {},
  [Request.MEMORY]: {},
  [Request.LOSE_DEVICE]: {},
};
const TYPES = Object.values(Request);
const WORKER_WIDE = [Request.MEMORY, Request.LOSE_DEVICE];

test('the specification covers every request', () => {
  assert.deepEqual(Object.keys(SPEC).sort(), [...TYPES].sort());
});

/** Good values for `fields`: optional ones sometimes absent, undefined or null. */
function goodFields(fields) {
  return fc.record(Object.fromEntries(Object.entries(fields).map(([name, f]) => {
    const kind = KINDS[typeof f === 'string' ? f : f.kind];
    return [name, typeof f === 'string' ? kind.good : fc.oneof(kind.good, fc.constantFrom(undefined, null))];
  })), { requiredKeys: Object.entries(fields).filter(([, f]) => typeof f === 'string').map(([n]) => n) });
}
/** A well-formed request of each type (TRAIN with or without its sample spec). */
const wellFormed = fc.constantFrom(...TYPES).chain((type) => fc.tuple(
  fc.constant(type), goodFields(SPEC[type]), fc.oneof(fc.string(), fc.integer()),
  type === Request.TRAIN ? fc.option(goodFields(SAMPLE), { nil: undefined }) : fc.constant(undefined),
)).map(([type, fields, figure, sample]) => ({
  type, id: 1, ...(WORKER_WIDE.includes(type) ? {} : { figure }), ...fields, ...(sample ? { sample } : {}),
}));

/** Values of every kind, good and bad, including what wasm-bindgen would silently convert. */
const anyValue = fc.oneof(
  fc.anything({ withTypedArray: true, withBigInt: true, withNullPrototype: true, withObjectString: true, withSparseArray: true }),
  fc.constantFrom(-1, 2.5, NaN, Infinity, -Infinity, 2 ** 32, -(2 ** 31) - 1, 2 ** 31, '3', '', null, undefined, true, [], {}, -0),
  ...Object.values(KINDS).map((k) => k.good),
);

test('any value as a message: null or a message, never a throw', () => {
  const message = fc.oneof(anyValue, fc.record({ type: fc.oneof(fc.constantFrom(...TYPES), anyValue), figure: anyValue }),
    wellFormed.chain((m) => fc.dictionary(fc.string(), anyValue, { maxKeys: 3 }).map((extra) => ({ ...extra, ...m }))));
  run(0x9070c01, fc.property(message, (m) => {
    const verdict = validateRequest(m);
    assert.ok(verdict === null || (typeof verdict === 'string' && verdict.length > 0), String(verdict));
  }));
});

test('every well-formed request passes (extra fields are ignored)', () => {
  run(0x9070c02, fc.property(wellFormed, (m) => {
    assert.equal(validateRequest(m), null);
  }));
});

test('one field of the wrong type: refused with a message naming the request and the field', () => {
  const mutated = wellFormed.filter((m) => Object.keys(SPEC[m.type]).length > 0 || !WORKER_WIDE.includes(m.type)).chain((m) => {
    const fields = [...Object.keys(SPEC[m.type]), ...(WORKER_WIDE.includes(m.type) ? [] : ['figure'])];
    return fc.tuple(fc.constant(m), fc.constantFrom(...fields), anyValue);
  }).filter(([m, field, value]) => {
    if (field === 'figure') return !(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)));
    const f = SPEC[m.type][field];
    const optional = typeof f !== 'string';
    if (optional && (value === undefined || value === null)) return false;
    return !KINDS[optional ? f.kind : f].ok(value);
  });
  run(0x9070c03, fc.property(mutated, ([m, field, value]) => {
    const verdict = validateRequest({ ...m, [field]: value });
    assert.ok(verdict && verdict.startsWith(`${m.type}: ${field} must be `), `${describe(value)} as ${m.type}.${field}: ${verdict}`);
    assert.ok(verdict.endsWith(`got ${describe(value)}`), verdict);
  }));
});

test("a training request's sample spec is checked like a sample request", () => {
  const mutated = fc.tuple(goodFields(SAMPLE), fc.constantFrom(...Object.keys(SAMPLE)), anyValue).filter(([, field, value]) => {
    const f = SAMPLE[field];
    if (typeof f !== 'string' && (value === undefined || value === null)) return false;
    return !KINDS[typeof f === 'string' ? f : f.kind].ok(value);
  });
  run(0x9070c04, fc.property(mutated, ([sample, field, value]) => {
    const verdict = validateRequest({ type: Request.TRAIN, figure: 'f', until: 10, sample: { ...sample, [field]: value } });
    assert.ok(verdict && verdict.startsWith(`train: sample: ${field} must be `), verdict);
  }));
});

test('unknown types and non-objects are named as such', () => {
  run(0x9070c05, fc.property(anyValue, (value) => {
    const notObject = typeof value !== 'object' || value === null || Array.isArray(value);
    const verdict = validateRequest(value);
    if (notObject) assert.equal(verdict, `a request must be an object, got ${describe(value)}`);
    const typed = validateRequest({ type: value, figure: 'f' });
    if (!TYPES.includes(value)) assert.equal(typed, `unknown request ${describe(value)}`);
  }));
});
