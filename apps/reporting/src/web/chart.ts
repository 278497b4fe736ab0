import { vnDate } from '@bhyt/reporting';

/**
 * Daily submissions as an inline SVG bar chart (no script, no CDN: the department's machines
 * have no internet). Each day is a slot of equal width; its bar stacks the claims received on
 * time (blue) under the late ones (red). Solid colours and crisp edges make the pixels exact,
 * which the browser test relies on.
 */
export const CHART = {
  width: 760,
  height: 260,
  left: 48,
  right: 12,
  top: 16,
  bottom: 40,
  onTimeColor: '#1f5fbf',
  lateColor: '#c62828',
} as const;

export interface ChartDay {
  day: string;
  submitted: number;
  onTime: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Slot geometry, shared with the browser test. */
export function chartSlots(days: number): {
  plotWidth: number;
  plotHeight: number;
  slotWidth: number;
  barWidth: number;
  x: (i: number) => number;
} {
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const slotWidth = plotWidth / Math.max(1, days);
  const barWidth = Math.max(2, Math.floor(slotWidth * 0.7));
  return {
    plotWidth,
    plotHeight,
    slotWidth,
    barWidth,
    x: (i) => Math.round(CHART.left + i * slotWidth + (slotWidth - barWidth) / 2),
  };
}

/** A round axis maximum ≥ the largest bar (1, 2, 5 × 10^k). */
export function axisMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

export function submissionChart(series: ChartDay[], title: string): string {
  const { plotHeight, barWidth, x } = chartSlots(series.length);
  const top = axisMax(Math.max(0, ...series.map((d) => d.submitted)));
  const y = (v: number) => CHART.top + plotHeight - Math.round((v / top) * plotHeight);
  const bars = series.flatMap((d, i) => {
    if (!d.submitted) return [];
    const late = d.submitted - d.onTime;
    const out = [
      `<rect class="on-time" x="${x(i)}" y="${y(d.onTime)}" width="${barWidth}" height="${y(0) - y(d.onTime)}" fill="${CHART.onTimeColor}"><title>${vnDate(d.day)}: ${d.onTime} đúng hạn</title></rect>`,
    ];
    if (late > 0)
      out.push(
        `<rect class="late" x="${x(i)}" y="${y(d.submitted)}" width="${barWidth}" height="${y(d.onTime) - y(d.submitted)}" fill="${CHART.lateColor}"><title>${vnDate(d.day)}: ${late} trễ hạn</title></rect>`,
      );
    return out;
  });
  const labelEvery = Math.max(1, Math.ceil(series.length / 10));
  const labels = series
    .map((d, i) =>
      i % labelEvery === 0
        ? `<text x="${x(i) + barWidth / 2}" y="${CHART.height - CHART.bottom + 16}" text-anchor="middle">${d.day.slice(8, 10)}/${d.day.slice(5, 7)}</text>`
        : '',
    )
    .join('');
  // Bars fill rows y(n) … y(0)-1; the base line is the row y(0), just below them.
  const ticks = [0, top / 2, top]
    .map(
      (v) =>
        `<text x="${CHART.left - 6}" y="${y(v) + 4}" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text><line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e0e0e0"/>`,
    )
    .join('');
  return `<svg id="submissions-chart" xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${CHART.height}" viewBox="0 0 ${CHART.width} ${CHART.height}" shape-rendering="crispEdges" role="img" aria-label="${esc(title)}" font-family="sans-serif" font-size="11" fill="#333">
<rect x="0" y="0" width="${CHART.width}" height="${CHART.height}" fill="#ffffff"/>${ticks}${bars.join('')}${labels}
<line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${y(0) + 0.5}" y2="${y(0) + 0.5}" stroke="#333"/></svg>`;
}
