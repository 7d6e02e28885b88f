// The cost-vs-steps chart's maths: log scales, ticks, grouping the worker's points by solver
// family, the axes' ranges and the legend's rows.
import test from 'node:test';
import assert from 'node:assert/strict';
import { logScale, powerOfTwoTicks, niceLogTicks, seriesOf, chartDomain, legendRows, solverFamily, FAMILIES } from '../../www/sweep-chart.js';

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('a log scale maps the ends to the ends and the geometric mean to the middle', () => {
  const x = logScale(1, 64, 10, 330);
  close(x(1), 10);
  close(x(64), 330);
  close(x(8), 170);
  // Each doubling is the same distance.
  close(x(4) - x(2), x(32) - x(16));
  // Reversed ranges (a y axis, top above bottom) work the same way.
  const y = logScale(0.1, 10, 200, 0);
  close(y(1), 100);
});

test('NFE ticks are the powers of two in range', () => {
  assert.deepEqual(powerOfTwoTicks(1, 64), [1, 2, 4, 8, 16, 32, 64]);
  assert.deepEqual(powerOfTwoTicks(3, 20), [4, 8, 16]);
  assert.deepEqual(powerOfTwoTicks(1, 1), [1]);
});

test('W₂ ticks are 1-2-5 per decade, finer within a decade', () => {
  assert.deepEqual(niceLogTicks(0.05, 10), [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]);
  assert.deepEqual(niceLogTicks(0.56, 6), [1, 2, 5]);
  // Under a decade: a reflowed flow's curve lies between 0.27 and 1.2.
  assert.deepEqual(niceLogTicks(0.27, 1.2), [0.3, 0.5, 0.7, 1]);
  for (const v of niceLogTicks(0.013, 470)) assert.ok(v >= 0.013 && v <= 470, String(v));
});

test('points group by solver family in legend order, sorted by NFE; bad W₂ is dropped', () => {
  assert.equal(solverFamily('dopri5:0.001:0.001'), 'dopri5');
  assert.equal(solverFamily('sde:1'), 'sde');
  assert.equal(solverFamily('euler'), 'euler');
  const points = [
    { solver: 'rk4', nfe: 8, w2: 0.5 }, { solver: 'euler', nfe: 4, w2: 1.2 }, { solver: 'euler', nfe: 1, w2: 2.9 },
    { solver: 'sde:1', nfe: 2, w2: 1.3 }, { solver: 'dopri5:0.01:0.01', nfe: 37, w2: 0.55 }, { solver: 'dopri5:0.001:0.001', nfe: 31, w2: 0.56 },
    { solver: 'heun', nfe: 2, w2: NaN }, { solver: 'heun', nfe: 4, w2: 0 }, { solver: 'mystery', nfe: 3, w2: 1 },
  ];
  const { series, dropped } = seriesOf(points);
  assert.equal(dropped, 2);
  assert.deepEqual(series.map((s) => s.family.name), ['euler', 'rk4', 'dopri5', 'sde', 'mystery']);
  assert.deepEqual(series[0].points.map((p) => p.nfe), [1, 4]);
  assert.deepEqual(series[2].points.map((p) => p.nfe), [31, 37]);
  // Every known family has its own colour; unknown ones are grey.
  assert.equal(new Set(FAMILIES.map((f) => f.color)).size, FAMILIES.length);
  assert.equal(series[4].family.color, '#888');
});

test('the axes cover every point and the floor, NFE from 1 to a power of two ≥ 64', () => {
  const points = [{ solver: 'euler', nfe: 1, w2: 2.9 }, { solver: 'dopri5:1e-5:1e-5', nfe: 109, w2: 0.56 }];
  const { nfe, w2 } = chartDomain(points, 0.35);
  assert.deepEqual(nfe, [1, 128]);
  close(w2[0], 0.35 / 1.3);
  close(w2[1], 2.9 * 1.3);
  assert.deepEqual(chartDomain([{ solver: 'euler', nfe: 4, w2: 1 }], NaN).nfe, [1, 64]);
  // Flat curves still get at least a factor 3 of height.
  const flat = chartDomain([{ solver: 'euler', nfe: 1, w2: 0.5 }], 0.5);
  close(flat.w2[1] / flat.w2[0], 3 * 1.3);
  // Nothing yet: a default range.
  assert.deepEqual(chartDomain([], null), { nfe: [1, 64], w2: [0.1, 10] });
});

test('legend entries wrap into rows at the width', () => {
  const { at, rows } = legendRows([50, 50, 50], 120, 10);
  assert.deepEqual(at, [{ x: 0, row: 0 }, { x: 60, row: 0 }, { x: 0, row: 1 }]);
  assert.equal(rows, 2);
  assert.equal(legendRows([], 100, 10).rows, 0);
  // An entry wider than the row still gets a row of its own.
  assert.deepEqual(legendRows([200, 20], 100, 10).at, [{ x: 0, row: 0 }, { x: 0, row: 1 }]);
});
