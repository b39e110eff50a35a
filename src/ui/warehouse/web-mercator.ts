/**
 * Web Mercator (the projection of web maps), fitted to a canvas: positions [lng, lat] in degrees
 * to pixels, the whole set of positions scaled to fill the canvas inside a margin, keeping
 * the map's proportions (one scale for x and y). No map tiles: just the geometry.
 */
export type LngLat = readonly [number, number];
export type Pixel = [number, number];

export interface Viewport {
  readonly width: number;
  readonly height: number;
  readonly margin: number;
}

/** Web Mercator is undefined at the poles; maps cut it here, where the world is square. */
export const MAX_LATITUDE = 85.05112878;

/** The position on the unit square (x east, y south, both 0..1), or undefined for something that is not a position on Earth. */
export function mercator(position: LngLat): { x: number; y: number } | undefined {
  const [lng, lat] = position;
  if (!Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) return undefined;
  const phi = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180;
  return { x: (lng + 180) / 360, y: (1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2 };
}

/**
 * A projection that fits every valid position of `positions` inside the viewport's margin,
 * centered; undefined when there is none. A single point (or a set on one line) is centered.
 */
export function fitProjection(positions: Iterable<LngLat>, view: Viewport): ((position: LngLat) => Pixel | undefined) | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const position of positions) {
    const p = mercator(position);
    if (!p) continue;
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  if (minX === Infinity) return undefined;
  const innerWidth = Math.max(1, view.width - 2 * view.margin);
  const innerHeight = Math.max(1, view.height - 2 * view.margin);
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  // A zero span (one point, or points along one meridian or parallel) is fitted by the other span alone.
  const scales = [spanX > 0 ? innerWidth / spanX : Infinity, spanY > 0 ? innerHeight / spanY : Infinity];
  const scale = Math.min(...scales);
  const finiteScale = Number.isFinite(scale) ? scale : 1;
  const centerX = (minX + maxX) / 2;
  const centerY = (minY + maxY) / 2;
  return (position) => {
    const p = mercator(position);
    if (!p) return undefined;
    return [view.width / 2 + (p.x - centerX) * finiteScale, view.height / 2 + (p.y - centerY) * finiteScale];
  };
}
