// The exact density of the empirical data's flow, log p_t in closed form (a mixture over the
// data points, src/exact.rs), on the same lattice and colour scale as the learned one. Near
// t = 1 it is the training points themselves (spikes), so it is shown up to t = 0.95.
import { heatmapLayer } from './density.js';

export default heatmapLayer('exact-density', 'exact density', 6);
