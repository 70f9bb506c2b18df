// A palette whose every colour is distinct, so a test can tell from a drawn
// SVG frame what each shape is (a race ring, a tag, a lane stripe).
import type { Palette } from '../../../webview/theme';

export const distinctPalette: Palette = {
  background: '#000001', foreground: '#000002', muted: '#000003', gutter: '#000004', laneStripe: '#000005', grid: '#000006',
  classes: ['#100001', '#100002', '#100003', '#100004', '#100005', '#100006', '#100007'],
  edges: ['#200001', '#200002', '#200003', '#200004', '#200005', '#200006', '#200007', '#200008'],
  error: '#ee0000', warning: '#eeee00', focus: '#000007', witness: '#000008',
  contrastBorder: '', highContrast: false, font: 'sans-serif', fontSize: 12,
};
