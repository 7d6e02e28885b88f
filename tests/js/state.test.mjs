// The parameter registry: `spread`, `layout`, `point` and the layer names read from a hash or
// attributes, written back, and bad values reported without changing the rest.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseHash, parseAttributes, parseValue, toHash, defaults, PARAMS, trainConfig, MODEL_KEYS } from '../../www/state.js';
import { LAYER_NAMES, activeLayers, needsOf } from '../../www/layers/index.js';

test('spread is auto (null) by default, a number in [0, 3] otherwise', () => {
  assert.equal(defaults().spread, null);
  assert.deepEqual(parseValue('spread', 'auto'), { value: null });
  assert.deepEqual(parseValue('spread', ''), { value: null });
  assert.deepEqual(parseValue('spread', '0.05'), { value: 0.05 });
  assert.deepEqual(parseValue('spread', '0'), { value: 0 });
  assert.match(parseValue('spread', '3.5').error, /outside 0…3/);
  assert.match(parseValue('spread', '-1').error, /outside/);
  assert.match(parseValue('spread', 'lots').error, /not a number/);
  // Auto is the default, so it stays out of the hash; a number goes in.
  assert.equal(toHash(defaults()), '');
  assert.equal(toHash({ ...defaults(), spread: 0.1 }), '#spread=0.1');
  assert.equal(parseHash('#spread=0.1').state.spread, 0.1);
  assert.equal(parseHash('#spread=auto').state.spread, null);
});

test('layout is single, snapshots or steps', () => {
  assert.equal(defaults().layout, 'single');
  assert.equal(parseHash('#layout=snapshots').state.layout, 'snapshots');
  assert.equal(parseHash('#layout=steps').state.layout, 'steps');
  const { state, errors } = parseHash('#layout=grid&dataset=circles');
  assert.equal(state.layout, 'single');
  assert.equal(state.dataset, 'circles');
  assert.match(errors[0], /layout: 'grid' is not one of single, snapshots, steps/);
});

test('point is x,y inside the view', () => {
  assert.deepEqual(parseValue('point', '1.5,0.5'), { value: [1.5, 0.5] });
  assert.deepEqual(parseValue('point', ' -2 , 3 '), { value: [-2, 3] });
  for (const bad of ['1.5', '1,2,3', 'a,b', ',1', '']) assert.match(parseValue('point', bad).error, /not a point/, bad);
  assert.match(parseValue('point', '7,0').error, /outside ±6.5/);
  const { state } = parseAttributes([['point', '1.5,0.5'], ['layers', 'data,average']]);
  assert.deepEqual(state.point, [1.5, 0.5]);
  assert.equal(toHash(state), '#layers=data%2Caverage&point=1.5%2C0.5');
  // A hash round-trips.
  assert.deepEqual(parseHash(toHash(state)).state.point, [1.5, 0.5]);
});

test('the layer parameter lists the registry, and each layer says what it needs', () => {
  assert.deepEqual(PARAMS.layers.options, LAYER_NAMES);
  for (const name of ['data', 'particles', 'trails', 'field', 'exact', 'pairs', 'paths', 'polyline', 'streamlines', 'average']) {
    assert.ok(LAYER_NAMES.includes(name), name);
  }
  assert.match(parseValue('layers', 'data,nope').error, /unknown nope/);
  // Drawn in z order whatever the order written.
  assert.deepEqual(activeLayers(['particles', 'data', 'field']).map((l) => l.name), ['data', 'field', 'particles']);
  assert.deepEqual([...needsOf(['streamlines', 'average'])].sort(), ['average', 'field']);
  for (const name of LAYER_NAMES) {
    const layer = activeLayers([name])[0];
    assert.equal(typeof layer.draw, 'function', name);
    assert.equal(typeof layer.cost, 'function', name);
    assert.ok(Array.isArray(layer.needs) && layer.needs.length > 0, name);
  }
});

test('hide accepts the legend and the readout', () => {
  assert.deepEqual(parseValue('hide', 'legend,readout'), { value: ['legend', 'readout'] });
});

test('the training config carries the spread: null for auto and for drawn points', () => {
  assert.equal(trainConfig(defaults()).spread, null);
  assert.equal(trainConfig({ ...defaults(), spread: 0.3 }).spread, 0.3);
  assert.equal(trainConfig({ ...defaults(), dataset: 'points', spread: 0.3 }).spread, null);
  assert.ok(MODEL_KEYS.includes('spread'));
});
