// Summary numbers of point clouds ([n, 2] Float32Arrays), shown live and read by the tests.

/** {mean: [x, y], std: [x, y]} */
export function meanStd(xy) {
  const n = xy.length / 2;
  let mx = 0; let my = 0;
  for (let i = 0; i < xy.length; i += 2) { mx += xy[i]; my += xy[i + 1]; }
  mx /= n; my /= n;
  let vx = 0; let vy = 0;
  for (let i = 0; i < xy.length; i += 2) { vx += (xy[i] - mx) ** 2; vy += (xy[i + 1] - my) ** 2; }
  return { mean: [mx, my], std: [Math.sqrt(vx / n), Math.sqrt(vy / n)] };
}

/**
 * Sliced W₂ between two clouds: the root mean over `k` evenly spread directions of the squared
 * 1-D W₂ of the projections (quantiles matched at max(n, m) levels).
 */
export function slicedW2(a, b, k = 32) {
  const n = a.length / 2;
  const m = b.length / 2;
  if (!n || !m) return NaN;
  const pa = new Float64Array(n);
  const pb = new Float64Array(m);
  const levels = Math.max(n, m);
  let total = 0;
  for (let j = 0; j < k; j += 1) {
    const angle = (Math.PI * (j + 0.5)) / k;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    for (let i = 0; i < n; i += 1) pa[i] = c * a[2 * i] + s * a[2 * i + 1];
    for (let i = 0; i < m; i += 1) pb[i] = c * b[2 * i] + s * b[2 * i + 1];
    pa.sort();
    pb.sort();
    let sq = 0;
    for (let q = 0; q < levels; q += 1) {
      const level = (q + 0.5) / levels;
      const d = pa[Math.min(n - 1, Math.floor(level * n))] - pb[Math.min(m - 1, Math.floor(level * m))];
      sq += d * d;
    }
    total += sq / levels;
  }
  return Math.sqrt(total / k);
}
