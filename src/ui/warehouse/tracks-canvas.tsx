/**
 * Vehicle tracks of an operating period drawn on a canvas: Web Mercator fitted to the tracks
 * with a margin, one polyline per vehicle in its own color, on a plain background (no map
 * tiles). `data-drawn` counts the vehicles drawn, for tests and for the legend.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TracksView } from '../../app/api-views.js';
import { fitProjection, type LngLat } from './web-mercator.js';

export const TRACKS_WIDTH = 880;
export const TRACKS_HEIGHT = 520;
export const TRACKS_BACKGROUND = '#f8fafc';
const MARGIN = 24;

/** Hues a golden angle apart stay distinct for any number of vehicles. */
export function trackColor(index: number): string {
  return `hsl(${Math.round((index * 137.508) % 360)} 75% 42%)`;
}

function draw(canvas: HTMLCanvasElement, tracks: TracksView): number {
  const context = canvas.getContext('2d');
  if (!context) return 0;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(TRACKS_WIDTH * ratio);
  canvas.height = Math.round(TRACKS_HEIGHT * ratio);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = TRACKS_BACKGROUND;
  context.fillRect(0, 0, TRACKS_WIDTH, TRACKS_HEIGHT);
  const all: LngLat[] = tracks.vehicles.flatMap((v) => v.points);
  const project = fitProjection(all, { width: TRACKS_WIDTH, height: TRACKS_HEIGHT, margin: MARGIN });
  if (!project) return 0;
  let drawn = 0;
  context.lineWidth = 2;
  context.lineJoin = 'round';
  context.lineCap = 'round';
  tracks.vehicles.forEach((vehicle, index) => {
    const pixels = vehicle.points.map(project).filter((p) => p !== undefined);
    const first = pixels[0];
    if (!first) return;
    const color = trackColor(index);
    context.strokeStyle = color;
    context.fillStyle = color;
    context.beginPath();
    context.moveTo(first[0], first[1]);
    for (const [x, y] of pixels.slice(1)) context.lineTo(x, y);
    context.stroke();
    // The start of each track as a dot: a vehicle that stood still is a dot alone.
    context.beginPath();
    context.arc(first[0], first[1], 3, 0, 2 * Math.PI);
    context.fill();
    drawn++;
  });
  return drawn;
}

export function TracksCanvas({ tracks }: { tracks: TracksView }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState<number>();
  useEffect(() => {
    if (canvas.current) setDrawn(draw(canvas.current, tracks));
  }, [tracks]);
  return (
    <div class="tracks">
      <canvas
        ref={canvas}
        class="tracks-canvas"
        width={TRACKS_WIDTH}
        height={TRACKS_HEIGHT}
        role="img"
        aria-label={`tracks of ${tracks.vehicles.length} vehicle(s) in operating period ${tracks.period_id}`}
        data-testid="tracks-canvas"
        data-drawn={drawn === undefined ? '' : String(drawn)}
      />
      <p class="muted small">
        {drawn ?? 0} of {tracks.vehicles.length} vehicle(s) drawn (Web Mercator, north up).
      </p>
      {/* It scrolls when long: focusable, so the keyboard can scroll it too. */}
      <ul class="track-legend" tabIndex={0} aria-label="vehicles drawn, by colour" data-testid="track-legend">
        {tracks.vehicles.map((v, i) => (
          <li key={v.vehicle_id}>
            <span class="swatch" style={{ background: trackColor(i) }} /> <span class="mono">{v.vehicle_id}</span> <span class="muted">({v.points.length})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
