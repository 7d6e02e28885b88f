// The exact score ∇log p_t of the empirical data's flow in closed form (src/exact.rs), on the
// learned score's lattice to compare with it; needs a Gaussian or Gaussian-mixture source.
import { scoreLayer } from './score.js';

export default scoreLayer('exact-score', 'exact score', 23);
