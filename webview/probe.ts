// The test probe: benchmarks and browser tests set `window.__dmRaceLensProbe`
// before the script loads; the app then reports every frame it draws (and
// where events are) to it. Without a probe nothing is recorded.

import type { FrameStats } from './layout';

export interface FrameProbe {
  frames: { ms: number; stats: FrameStats }[];
  firstFrameAt?: number;
  graphAt?: number;
  /** When true, each frame ends by reading a pixel back, so its time includes the canvas rasterisation. */
  flush?: boolean;
  /** Where an event is drawn, in client coordinates (undefined when off screen). */
  locate?: (event: number) => { x: number; y: number } | undefined;
}

declare global {
  interface Window {
    __dmRaceLensProbe?: FrameProbe;
  }
}

/** The name of the user-timing measure around each frame (the benchmark finds the frame's CPU time in chromium's trace by it). */
export const FRAME_MEASURE = 'dm-race-lens-frame';

export function frameProbe(): FrameProbe | undefined {
  return window.__dmRaceLensProbe;
}

export function probeGraphReceived(): void {
  const probe = frameProbe();
  if (probe) probe.graphAt = performance.now();
}

/** Records a frame that started at `start` and took `ms`. */
export function probeFrame(start: number, ms: number, stats: FrameStats): void {
  const probe = frameProbe();
  if (!probe) return;
  probe.frames.push({ ms, stats });
  performance.measure(FRAME_MEASURE, { start, duration: ms });
  probe.firstFrameAt ??= performance.now();
}
