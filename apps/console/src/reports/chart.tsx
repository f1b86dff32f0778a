import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChartInstance, ChartOption } from './echarts-setup';

/**
 * Series colours that keep 3:1 against white as graphics and 4.5:1 as text (WCAG 1.4.11 / 1.4.3):
 * blue, green, amber, red, violet, teal, slate.
 */
export const PALETTE = ['#1D4ED8', '#15803D', '#B45309', '#CC3340', '#6D28D9', '#0E7490', '#475569'];

export interface ChartTable {
  columns: string[];
  rows: Array<Array<string | number>>;
}

let loader: Promise<typeof import('./echarts-setup')> | null = null;
const loadEcharts = () => (loader ??= import('./echarts-setup'));

/**
 * One chart: a figure with a caption, the ECharts drawing (hidden from screen readers, loaded lazily) and the
 * same data as a visually hidden table; `empty` replaces the drawing with the reason.
 */
export function Chart({
  id,
  title,
  summary,
  option,
  table,
  empty,
  height = 260,
}: {
  id: string;
  title: string;
  summary: string;
  option: ChartOption;
  table: ChartTable;
  empty?: string | null;
  height?: number;
}) {
  const { i18n, t } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ChartInstance | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (empty || !el.current) return;
    let gone = false;
    let observer: ResizeObserver | undefined;
    loadEcharts().then(
      (m) => {
        if (gone || !el.current) return;
        chart.current = m.init(el.current, i18n.language);
        chart.current.setOption({ color: PALETTE, animation: false, ...option });
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => chart.current?.resize());
          observer.observe(el.current);
        }
      },
      () => !gone && setFailed(true),
    );
    return () => {
      gone = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
    // Redrawn when the data or the language change (the option is rebuilt from both).
  }, [JSON.stringify(option), empty, i18n.language]);

  return (
    <figure className="chart-card" aria-labelledby={`${id}-title`} data-testid={`chart-${id}`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      {empty ? (
        <p className="chart-empty muted">{empty}</p>
      ) : failed ? (
        <p className="chart-empty error-text">{t('reports.chartFailed')}</p>
      ) : (
        <div
          ref={el}
          className="chart"
          role="img"
          aria-label={summary}
          style={{ height }}
          data-testid="chart-container"
        />
      )}
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    {c}
                  </th>
                ) : (
                  <td key={j}>{c}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
