// The palettes the layers draw with, per theme. Particles take the source's colour wheel
// (colorwheel.js); everything else here is quieter, so the particles stay the subject.

import { pack } from './colorwheel.js';

export const THEMES = {
  light: {
    background: '#ffffff', text: 'rgba(40, 44, 52, 0.85)', muted: 'rgba(90, 98, 112, 0.8)',
    data: 'rgba(120, 130, 150, 0.35)', particles: 0xff6b35,
    learned: 'rgba(40, 110, 220, 0.28)', exact: 'rgba(20, 150, 90, 0.4)', streamlines: 'rgba(40, 110, 220, 0.4)',
    pair: 'rgba(60, 64, 72, 0.55)', paths: 0.35,
    average: { exact: '#118a52', learned: '#1f62d6', conditional: pack(110, 70, 190), point: '#1d1f24', halo: 'rgba(255, 255, 255, 0.85)' },
    chart: { line: '#2a6fdb', text: '#555' },
  },
  dark: {
    background: '#15171c', text: 'rgba(230, 232, 238, 0.9)', muted: 'rgba(170, 178, 192, 0.8)',
    data: 'rgba(170, 180, 200, 0.35)', particles: 0xffa15c,
    learned: 'rgba(110, 170, 255, 0.38)', exact: 'rgba(90, 220, 150, 0.42)', streamlines: 'rgba(110, 170, 255, 0.45)',
    pair: 'rgba(210, 214, 224, 0.55)', paths: 0.45,
    average: { exact: '#4fd48e', learned: '#7fb0ff', conditional: pack(200, 170, 255), point: '#f0f2f6', halo: 'rgba(21, 23, 28, 0.85)' },
    chart: { line: '#7fb0ff', text: '#bbb' },
  },
};
