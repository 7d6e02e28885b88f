// The learned density p_t as a heatmap of log p_t (nats), under everything else: the network's
// flow carries the source's density forward, and the change of variables gives it at any point
// (src/density.rs). Keyframes come from the worker and are interpolated in t (density.js), so the
// heatmap follows the time slider at once. Where the source has no density it says so instead.
import { drawHeatmap, drawPanelNote } from './heatmap.js';

/** A heatmap layer for the scene's density input `kind`. */
export function heatmapLayer(name, label, z) {
  return {
    name,
    label,
    z,
    needs: [name],
    create: () => ({}),
    cost: (frame) => {
      const d = frame.densities && frame.densities[name];
      return d && d.logp ? d.grid ** 2 : 0;
    },
    draw(ctx, view, t, frame) {
      const d = frame.densities && frame.densities[name];
      if (!d) return;
      if (d.note) {
        drawPanelNote(ctx, view, frame, d.note);
        return;
      }
      if (d.logp) drawHeatmap(ctx, view, d.logp, d.grid, d.bounds, d.scale, frame.state.theme, frame.own);
    },
  };
}

export default heatmapLayer('density', 'learned density', 5);
