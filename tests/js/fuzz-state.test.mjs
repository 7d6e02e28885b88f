// Property tests of the parameter registry (www/state.js) on generated input, each with a fixed
// seed: whatever a URL hash or an element's attributes hold, reading it never throws, every
// refused value is reported by a message naming its parameter, refused parameters keep their
// previous (or default) value, every value that comes out satisfies its spec, and every valid
// state survives state → hash → state unchanged.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PARAMS, defaults, parseValue, parseHash, parseAttributes, toHash, hashChanges } from '../../www/state.js';
import { encodeCloud, decodeCloud, VIEW_LIMIT } from '../../www/owndata.js';

const NAMES = Object.keys(PARAMS);
const RUNS = 3000;
const run = (seed, property) => fc.assert(property, { seed, numRuns: RUNS });

/** Does `value` satisfy `spec`? Written from the spec alone (the oracle for what parsing yields). */
function satisfies(spec, value) {
  if (spec.auto && value === null) return true;
  const within = (v) => typeof v === 'number' && Number.isFinite(v) && v >= spec.min && v <= spec.max;
  switch (spec.type) {
    case 'enum': return spec.options.includes(value);
    case 'int': return Number.isInteger(value) && within(value) && !(spec.even && value % 2);
    case 'float': return within(value);
    case 'set': return Array.isArray(value) && value.every((v) => spec.options.includes(v));
    case 'point': return Array.isArray(value) && value.length === 2
      && value.every((v) => Number.isFinite(v) && Math.abs(v) <= spec.limit);
    case 'class': return value === 'all' || (Number.isInteger(value) && value >= 0 && value <= spec.max);
    case 'bool': return typeof value === 'boolean';
    // A word: empty, or 1…max characters with a visible one and no control character.
    case 'word': return value === '' || (typeof value === 'string' && [...value].length <= spec.max && value.trim() !== ''
      && !/[\u0000-\u001f\u007f-\u009f]/.test(value));
    // A cloud: empty, or at most max characters that decode to at least one point within the view.
    case 'cloud': {
      if (value === '') return true;
      if (typeof value !== 'string' || value.length > spec.max) return false;
      const { xy } = decodeCloud(value);
      return !!xy && xy.length >= 2 && xy.every((v) => Math.abs(v) <= VIEW_LIMIT + 1e-6);
    }
    default: return false;
  }
}

function assertValidState(state) {
  assert.deepEqual(Object.keys(state), NAMES);
  for (const name of NAMES) assert.ok(satisfies(PARAMS[name], state[name]), `${name}: ${JSON.stringify(state[name])}`);
}

/** A refusal names its parameter: `name: …` for a known one, `unknown parameter 'name'`, or the garbled part. */
const MESSAGE = /^(?:'[^]*' is not valid URL encoding|(?:unknown parameter '[^]*'|([a-z]+): [^]+) — using the default)$/;
function assertNamed(error) {
  const match = MESSAGE.exec(error);
  assert.ok(match, `unclear message: ${error}`);
  if (match[1]) assert.ok(NAMES.includes(match[1]), `names no parameter: ${error}`);
}

const finite = (min, max) => fc.double({ min, max, noNaN: true }).map((v) => (v === 0 ? 0 : v)); // −0 reads as 0
/** A valid value of each spec. */
function validValue(spec) {
  switch (spec.type) {
    case 'enum': return fc.constantFrom(...spec.options);
    case 'int': return spec.even ? fc.integer({ min: spec.min / 2, max: spec.max / 2 }).map((v) => 2 * v)
      : fc.integer({ min: spec.min, max: spec.max });
    case 'float': return spec.auto ? fc.option(finite(spec.min, spec.max), { nil: null }) : finite(spec.min, spec.max);
    case 'set': return fc.array(fc.constantFrom(...spec.options), { maxLength: 6 });
    case 'point': return fc.tuple(finite(-spec.limit, spec.limit), finite(-spec.limit, spec.limit));
    case 'class': return fc.oneof(fc.constant('all'), fc.integer({ min: 0, max: spec.max }));
    case 'bool': return fc.boolean();
    case 'word': return fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: spec.max }).filter((w) => satisfies(spec, w)));
    case 'cloud': return fc.oneof(fc.constant(''), fc.array(fc.tuple(finite(-VIEW_LIMIT, VIEW_LIMIT), finite(-VIEW_LIMIT, VIEW_LIMIT),
      fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 300 })
      .map((points) => encodeCloud(points.flatMap(([x, y]) => [x, y]), points.map(([, , l]) => l))));
    default: throw new Error(`no generator for ${spec.type}`);
  }
}
const validState = fc.record(Object.fromEntries(NAMES.map((n) => [n, validValue(PARAMS[n])]))).map((s) => ({ ...s }));

/** Raw text near the edges of what the parsers accept. */
const edgy = fc.constantFrom('', ' ', 'auto', 'all', 'NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '1_0', '1e-400',
  '2.5', ' 7 ', '+3', '-1', '4294967296', '9007199254740993', 'true', 'false', '1', '0', 'TRUE', '1,2', '1,2,3', ',',
  'data,,particles', '6.5,-6.5', '6.51,0', '%', '%E0%A4', '%zz', '\u0000', '💥', 'a'.repeat(300));
/** A raw value for parameter `name`: a valid one written out, an edge case or any string. */
function rawFor(name) {
  const spec = Object.hasOwn(PARAMS, name) ? PARAMS[name] : null;
  const written = spec ? validValue(spec).map((v) => (Array.isArray(v) ? v.join(',') : v === null ? 'auto' : String(v))) : fc.string();
  return fc.oneof(written, edgy, fc.string(), fc.double().map(String), fc.integer().map(String));
}
/** Keys: the parameters, names an object inherits, and any string. */
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'class-label', ''), fc.string());
const pair = key.chain((k) => fc.tuple(fc.constant(k), rawFor(k)));

test('any text as a hash: never throws, each refusal is named, the state stays valid', () => {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.oneof(fc.string(), edgy), { maxLength: 8 }).map((p) => `#${p.join('&')}`));
  run(0x5eed01, fc.property(text, (hash) => {
    const { state, errors, invalid } = parseHash(hash);
    assertValidState(state);
    errors.forEach(assertNamed);
    assert.ok(invalid.length <= errors.length);
  }));
});

test('key=value soups: refused parameters keep their defaults, accepted ones their values', () => {
  // Unique keys, written URL-encoded, or (values) garbled as bad percent escapes.
  const soup = fc.uniqueArray(pair, { selector: ([k]) => k, maxLength: 10 }).chain((pairs) => fc.tuple(fc.constant(pairs),
    fc.array(fc.boolean(), { minLength: pairs.length, maxLength: pairs.length })));
  run(0x5eed02, fc.property(soup, ([pairs, garble]) => {
    const hash = `#${pairs.map(([k, v], i) => `${encodeURIComponent(k)}=${garble[i] ? `${encodeURIComponent(v)}%` : encodeURIComponent(v)}`).join('&')}`;
    const { state, errors, invalid } = parseHash(hash);
    assertValidState(state);
    errors.forEach(assertNamed);
    const d = defaults();
    pairs.forEach(([k, v], i) => {
      if (k === '') return; // an empty part is skipped
      const expected = garble[i] ? { error: 'garbled' } : parseValue(k, v);
      if (expected.error) {
        assert.ok(invalid.includes(k), `${k}=${v} was not refused`);
        assert.ok(errors.some((e) => e.startsWith(`${k}: `) || e.startsWith(`unknown parameter '${k}'`)), `no message names ${k}`);
        if (Object.hasOwn(PARAMS, k)) assert.deepEqual(state[k], d[k], k);
      } else {
        assert.deepEqual(state[k], expected.value, k);
      }
    });
    // The parameters the hash does not mention are at their defaults.
    for (const name of NAMES) if (!pairs.some(([k]) => k === name)) assert.deepEqual(state[name], d[name], name);
  }));
});

test('a new hash changes only what it validly sets: a refused value keeps the current one', () => {
  const soup = fc.array(pair, { maxLength: 10 }).map((pairs) => `#${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`);
  run(0x5eed03, fc.property(validState, soup, (current, hash) => {
    const { changes, errors } = hashChanges(current, hash);
    errors.forEach(assertNamed);
    const { invalid } = parseHash(hash);
    for (const name of Object.keys(changes)) {
      assert.ok(NAMES.includes(name), name);
      assert.ok(!invalid.includes(name), `${name} was refused but changed`);
    }
    assertValidState({ ...current, ...changes });
  }));
});

test('valid states round-trip through the hash and through attributes', () => {
  run(0x5eed04, fc.property(validState, (state) => {
    const hash = toHash(state);
    const back = parseHash(hash);
    assert.deepEqual(back.errors, []);
    assert.deepEqual(back.state, state);
    // The same text as attributes (name → value), as an embed snippet writes them.
    const pairs = hash ? hash.slice(1).split('&').map((p) => p.split('=').map(decodeURIComponent)) : [];
    const attributes = parseAttributes(pairs);
    assert.deepEqual(attributes.errors, []);
    assert.deepEqual(attributes.state, state);
  }));
});

test('attributes: any pairs, never throws; refusals named; refused parameters at their defaults', () => {
  const pairs = fc.uniqueArray(pair, { selector: ([k]) => k, maxLength: 10 });
  run(0x5eed05, fc.property(pairs, (list) => {
    const { state, errors } = parseAttributes(list);
    assertValidState(state);
    errors.forEach(assertNamed);
    const d = defaults();
    for (const [k, v] of list) {
      const { error, value } = parseValue(k, v);
      if (!Object.hasOwn(PARAMS, k)) assert.ok(error && errors.some((e) => e.startsWith(`unknown parameter '${k}'`)), k);
      else assert.deepEqual(state[k], error ? d[k] : value, k);
    }
  }));
});

test('one value of any parameter: exactly a value that satisfies the spec, or an error naming it', () => {
  run(0x5eed06, fc.property(fc.constantFrom(...NAMES).chain((n) => fc.tuple(fc.constant(n), rawFor(n))), ([name, raw]) => {
    const result = parseValue(name, raw);
    assert.equal(Object.keys(result).length, 1);
    if ('error' in result) assert.ok(result.error.startsWith(`${name}: `), result.error);
    else assert.ok(satisfies(PARAMS[name], result.value), `${name}=${raw} → ${JSON.stringify(result.value)}`);
  }));
});
