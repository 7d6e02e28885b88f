// The canvas layers. Each module under layers/ default-exports one layer:
//
//   name    its token in `layers=` (URL hash, attribute)
//   label   the control's label
//   z       drawing order (lower first)
//   needs   what it draws from, fetched by the scene (scene.js) when a drawn layer needs it:
//           'data' (points of the t = 1 distribution), 'samples' (particles and their solver
//           trajectory), 'field' / 'exact' (the learned / exact velocity on a lattice at t),
//           'pairs' (coupled noise–data pairs), 'average' (the posterior average at the picked
//           point, see average.js), 'density' / 'exact-density' (log p_t on a lattice,
//           interpolated between keyframes, see density.js), 'score' / 'exact-score' (∇log p_t
//           on the field's lattice), 'guided' / 'exact-guided' (the learned / exact guided
//           velocity towards the picked class)
//   draw(ctx, view, t, frame)   draws at time t in the view's pixels; `frame` holds the
//           inputs (frame.data, .samples, .at, .field, .exact, .pairs, .average, .point,
//           .densities, .score, ['exact-score'], .guided, .exactGuided, .dataLabels and the
//           class .palette of a conditional model; an input that cannot be had here is {note}), the
//           palette (.colors), the settings (.state), the layer's own state (.own, from create)
//           and .report, where a layer tells the figure what it drew (.notes: why it drew nothing)
//   cost(frame)   a rough count of what one frame draws (points, vertices, cells)
//   create()      optional: per-figure state kept between frames (caches, GL contexts)
//   dispose(own)  optional: frees that state
//   wheel         true when it colours by the source's colour wheel (the legend shows then)
//   raster        true when it draws (mostly) into frame.raster(), the CPU pixel buffer the
//                 scene shares between consecutive such layers and uploads once; a raster
//                 layer that also draws on the canvas calls frame.flush() first
//
// A new view is a new module plus one entry below.

import data from './data.js';
import field from './field.js';
import exact from './exact.js';
import streamlines from './streamlines.js';
import pairs from './pairs.js';
import paths from './paths.js';
import polyline from './polyline.js';
import trails from './trails.js';
import particles from './particles.js';
import average from './average.js';
import density from './density.js';
import exactDensity from './exact-density.js';
import score from './score.js';
import exactScore from './exact-score.js';
import guided from './guided.js';
import exactGuided from './exact-guided.js';

/** Every layer, in the order of the controls. */
export const LAYERS = [data, particles, trails, field, exact, streamlines, pairs, paths, polyline, average,
  density, exactDensity, score, exactScore, guided, exactGuided];

/** The `layers=` tokens. */
export const LAYER_NAMES = LAYERS.map((l) => l.name);

/** name → layer. */
export const LAYER_BY_NAME = Object.fromEntries(LAYERS.map((l) => [l.name, l]));

/** The layers named in `names`, in drawing order. */
export function activeLayers(names) {
  return LAYERS.filter((l) => names.includes(l.name)).sort((a, b) => a.z - b.z);
}

/** Everything the layers named in `names` need. */
export function needsOf(names) {
  return new Set(activeLayers(names).flatMap((l) => l.needs));
}
