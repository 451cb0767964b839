import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { AnalyticsModel } from './analyticsModel.js';
import { at, formatMs } from './analyticsModel.js';

// Only what these charts draw is bundled (tree-shaken ECharts, the library the timeline and CPR charts use).
use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

type Option = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

const COLOR = {
  reached: '#58a6ff',
  median: '#3fb950',
  p90: '#d29922',
  failure: '#ff7b72',
  sessions: '#8b949e',
  video: '#3fb950',
  text: '#eef2f5',
  grid: '#2a333c',
};
const axis = { axisLabel: { color: COLOR.text }, axisLine: { lineStyle: { color: '#56616b' } }, splitLine: { lineStyle: { color: COLOR.grid } } };
const legend = { top: 0, textStyle: { color: COLOR.text } };

/**
 * The analytics view's three charts (ECharts, SVG): how many sessions reached each stage with the
 * median and 90th-percentile time from the SMS (seconds, right axis), the failure causes, and uptake
 * per ISO week. Each drawn element gets `seriesData()` (each series by name with its data, as ECharts
 * holds it) for tests and tooling. The words beside each chart (analyticsModel) say the same.
 */
export class AnalyticsCharts {
  #charts: ECharts[] = [];
  #resize = new ResizeObserver(() => this.#charts.forEach((c) => c.resize()));

  /** Draws into the three elements, which must be in the document (ECharts measures them). */
  render(model: AnalyticsModel, el: { funnel: HTMLElement; failures: HTMLElement; uptake: HTMLElement }): void {
    this.dispose();
    this.#resize = new ResizeObserver(() => this.#charts.forEach((c) => c.resize()));
    this.#draw(el.funnel, funnelOption(model));
    this.#draw(el.failures, failuresOption(model));
    this.#draw(el.uptake, uptakeOption(model));
  }

  dispose(): void {
    this.#resize.disconnect();
    for (const c of this.#charts) c.dispose();
    this.#charts = [];
  }

  #draw(el: HTMLElement, option: Option): void {
    const chart = init(el, undefined, { renderer: 'svg' });
    chart.setOption(option);
    this.#charts.push(chart);
    this.#resize.observe(el);
    Object.assign(el, {
      seriesData: () => (chart.getOption()['series'] as { name: string; data: unknown[] }[]).map((s) => ({ name: s.name, data: s.data })),
    });
  }
}

function funnelOption(m: AnalyticsModel): Option {
  const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
  const time = { valueFormatter: (v: unknown) => (typeof v === 'number' ? formatMs(v * 1000) : '—') };
  return {
    animation: false,
    textStyle: { color: COLOR.text },
    legend: { ...legend, data: [at('reached'), at('median'), at('p90')] },
    tooltip: { trigger: 'axis', confine: true },
    grid: { left: 48, right: 56, top: 36, bottom: 48 },
    xAxis: { type: 'category', data: m.stages.map((s) => s.label), ...axis, axisLabel: { color: COLOR.text, interval: 0, width: 96, overflow: 'break' } },
    yAxis: [
      { type: 'value', name: at('sessions'), nameTextStyle: { color: COLOR.text }, minInterval: 1, ...axis },
      // Headroom above the slowest time, so the time lines run below the bars' counts.
      {
        type: 'value',
        name: at('seconds'),
        nameTextStyle: { color: COLOR.text },
        max: (v) => Math.max(10, Math.ceil((v.max * 1.6) / 10) * 10),
        ...axis,
        splitLine: { show: false },
      },
    ],
    series: [
      {
        type: 'bar',
        name: at('reached'),
        data: m.stages.map((s) => s.reached),
        color: COLOR.reached,
        label: { show: true, position: 'top', color: COLOR.text },
      },
      {
        type: 'line',
        name: at('median'),
        yAxisIndex: 1,
        data: m.stages.map((s) => seconds(s.p50Ms)),
        color: COLOR.median,
        symbol: 'circle',
        symbolSize: 8,
        tooltip: time,
      },
      {
        type: 'line',
        name: at('p90'),
        yAxisIndex: 1,
        data: m.stages.map((s) => seconds(s.p90Ms)),
        color: COLOR.p90,
        symbol: 'triangle',
        symbolSize: 9,
        lineStyle: { type: 'dashed' },
        tooltip: time,
      },
    ],
  };
}

function failuresOption(m: AnalyticsModel): Option {
  const causes = [...m.causes].reverse(); // a category axis counts from the bottom: the first cause on top
  return {
    animation: false,
    textStyle: { color: COLOR.text },
    tooltip: { trigger: 'axis', confine: true },
    grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, ...axis },
    yAxis: { type: 'category', data: causes.map((c) => c.label), ...axis },
    series: [
      {
        type: 'bar',
        name: at('sessions'),
        data: causes.map((c) => c.count),
        color: COLOR.failure,
        label: { show: true, position: 'right', color: COLOR.text },
      },
    ],
  };
}

function uptakeOption(m: AnalyticsModel): Option {
  return {
    animation: false,
    textStyle: { color: COLOR.text },
    legend: { ...legend, data: [at('sessions'), at('withVideo')] },
    tooltip: { trigger: 'axis', confine: true },
    grid: { left: 40, right: 16, top: 36, bottom: 40 },
    xAxis: {
      type: 'category',
      data: m.weeks.map((w) => at('weekLabel', { week: Number(w.week.slice(-2)) })),
      ...axis,
      axisLabel: { color: COLOR.text, hideOverlap: true },
    },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: [
      { type: 'bar', name: at('sessions'), data: m.weeks.map((w) => w.sessions), color: COLOR.sessions },
      { type: 'bar', name: at('withVideo'), data: m.weeks.map((w) => w.withVideo), color: COLOR.video },
    ],
  };
}
