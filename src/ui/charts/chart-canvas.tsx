/** A Chart.js chart on its own canvas, made again when its configuration changes and destroyed with the component. */
import type { ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { Chart } from './chart-parts.js';

export function ChartCanvas({ config, label, testid }: { config: ChartConfiguration; label: string; testid: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testid} />
    </div>
  );
}
