/**
 * ECharts, trimmed to what the reports draw (bar charts, grid, tooltip, legend) with the SVG
 * renderer. Imported only through `import('./echarts-setup')` so it lands in its own chunk, loaded on the Reports screen.
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export type ChartInstance = echarts.EChartsType;

export function init(el: HTMLElement, locale: string): ChartInstance {
  return echarts.init(el, null, { renderer: 'svg', locale: locale.startsWith('zh') ? 'ZH' : 'EN' });
}
