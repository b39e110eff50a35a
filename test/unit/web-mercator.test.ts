/** The tracks canvas's projection: Web Mercator fitted to a viewport with a margin, against hostile positions too. */
import { describe, expect, it } from 'vitest';
import { fitProjection, MAX_LATITUDE, mercator, type LngLat } from '../../src/ui/warehouse/web-mercator.js';

const VIEW = { width: 800, height: 500, margin: 20 };

describe('mercator', () => {
  it('puts (0, 0) in the middle, the antimeridian at the edges and north up', () => {
    expect(mercator([0, 0])).toEqual({ x: 0.5, y: 0.5 });
    expect(mercator([-180, 0])?.x).toBe(0);
    expect(mercator([180, 0])?.x).toBe(1);
    expect(mercator([0, MAX_LATITUDE])?.y).toBeCloseTo(0, 9);
    expect(mercator([0, -MAX_LATITUDE])?.y).toBeCloseTo(1, 9);
    expect((mercator([13.4, 52.5])?.y ?? 1) < 0.5).toBe(true);
  });

  it('stretches latitudes as web maps do (Berlin: y of tile 0 from the standard formula)', () => {
    // x = (lng + 180) / 360; y = (1 - asinh(tan φ) / π) / 2
    const berlin = mercator([13.404954, 52.520008]);
    expect(berlin?.x).toBeCloseTo((13.404954 + 180) / 360, 12);
    expect(berlin?.y).toBeCloseTo((1 - Math.asinh(Math.tan((52.520008 * Math.PI) / 180)) / Math.PI) / 2, 12);
  });

  it('clamps the poles and refuses what is no position on Earth', () => {
    expect(mercator([0, 90])).toEqual(mercator([0, MAX_LATITUDE]));
    expect(mercator([0, -90])).toEqual(mercator([0, -MAX_LATITUDE]));
    for (const bad of [[Number.NaN, 0], [0, Number.NaN], [181, 0], [0, 91], [Infinity, 0], [0, -Infinity]] as LngLat[]) expect(mercator(bad)).toBeUndefined();
  });
});

describe('fitProjection', () => {
  it('fits the positions inside the margin, touching it on the longer side, centered on the other', () => {
    const points: LngLat[] = [
      [13.3, 52.4],
      [13.5, 52.6],
      [13.4, 52.5],
    ];
    const project = fitProjection(points, VIEW);
    const pixels = points.map((p) => project?.(p)).filter((p) => p !== undefined);
    expect(pixels).toHaveLength(3);
    const xs = pixels.map((p) => p[0]);
    const ys = pixels.map((p) => p[1]);
    for (const [x, y] of pixels) {
      expect(x).toBeGreaterThanOrEqual(VIEW.margin - 1e-9);
      expect(x).toBeLessThanOrEqual(VIEW.width - VIEW.margin + 1e-9);
      expect(y).toBeGreaterThanOrEqual(VIEW.margin - 1e-9);
      expect(y).toBeLessThanOrEqual(VIEW.height - VIEW.margin + 1e-9);
    }
    // Taller than wide here (Mercator stretches latitude): the height fills the inner box.
    expect(Math.max(...ys) - Math.min(...ys)).toBeCloseTo(VIEW.height - 2 * VIEW.margin, 6);
    expect((Math.max(...xs) + Math.min(...xs)) / 2).toBeCloseTo(VIEW.width / 2, 6);
    // North up: the northern point is drawn higher (smaller y).
    expect(pixels[1]?.[1]).toBeLessThan(pixels[0]?.[1] ?? 0);
  });

  it('keeps proportions: one scale for x and y', () => {
    const project = fitProjection([[0, 0], [10, 0], [0, 1]], VIEW);
    const [a, b, c] = ([[0, 0], [10, 0], [0, 1]] as LngLat[]).map((p) => project?.(p) as [number, number]);
    const dx = (b?.[0] ?? 0) - (a?.[0] ?? 0);
    const dy = (a?.[1] ?? 0) - (c?.[1] ?? 0);
    const mx = (mercator([10, 0])?.x ?? 0) - (mercator([0, 0])?.x ?? 0);
    const my = (mercator([0, 0])?.y ?? 0) - (mercator([0, 1])?.y ?? 0);
    expect(dx / dy).toBeCloseTo(mx / my, 9);
  });

  it('centers a single position and positions on one line; ignores invalid ones; answers nothing for none', () => {
    expect(fitProjection([[13.4, 52.5]], VIEW)?.([13.4, 52.5])).toEqual([400, 250]);
    const meridian = fitProjection([[13.4, 52.4], [13.4, 52.6]], VIEW);
    expect(meridian?.([13.4, 52.5])?.[0]).toBeCloseTo(400, 9);
    const withJunk = fitProjection([[13.3, 52.4], [Number.NaN, 1], [999, 0], [13.5, 52.6]], VIEW);
    expect(withJunk?.([999, 0])).toBeUndefined();
    expect(withJunk?.([13.3, 52.4])?.[1]).toBeCloseTo(VIEW.height - VIEW.margin, 6);
    expect(fitProjection([], VIEW)).toBeUndefined();
    expect(fitProjection([[Number.NaN, Number.NaN]], VIEW)).toBeUndefined();
  });

  it('survives a viewport smaller than its margins', () => {
    const project = fitProjection([[0, 0], [1, 1]], { width: 10, height: 10, margin: 20 });
    const pixel = project?.([0, 0]);
    expect(pixel?.every(Number.isFinite)).toBe(true);
  });
});
