import { formatTime, num, t } from '../staff-i18n/index.js';
import { CPR_TARGET_RATE } from '@sightline/shared';
import { CustomChart, LineChart, type CustomSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkAreaComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { graphic, init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { h } from '../common/dom.js';
import { cprSummaryText, type CprChartModel } from './cprChartModel.js';

use([LineChart, CustomChart, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent, SVGRenderer]);

type Option = ComposeOption<
  LineSeriesOption | CustomSeriesOption | GridComponentOption | LegendComponentOption | MarkAreaComponentOption | TooltipComponentOption
>;

type RenderItem = NonNullable<CustomSeriesOption['renderItem']>;

const COLOR = { rate: '#58a6ff', target: 'rgba(63, 185, 80, 0.18)', pause: '#ff7b72', metronome: '#bc8cff', episode: '#8b949e', text: '#eef2f5' };

/**
 * The CPR chart beside a session's timeline in /audit (`data-testid="cpr-chart"`, issue #15 §2),
 * drawn with ECharts (SVG, the library the timeline already loads): the measured rate per window
 * as a line that breaks where there was no reading, the guidelines' 100–120/min band, each pause as
 * a red band with its length, a strip along the top while the caller's metronome ran and one along
 * the bottom while CPR mode was on (an episode without a single reading still shows). The text
 * summary beside it says the same for a screen reader (and a hurried reader). A coaching aid's
 * record, not a medical device measurement: the caption says so.
 */
export class CprChart {
  readonly el: HTMLElement;
  readonly #chart: HTMLElement;
  #echarts: ECharts | undefined;
  #resize = new ResizeObserver(() => this.#echarts?.resize());

  constructor(private readonly model: CprChartModel) {
    const summary = cprSummaryText(model.summary);
    this.#chart = h('div', {
      class: 'cpr-chart',
      testid: 'cpr-chart',
      role: 'img',
      'aria-label': t('audit.cpr.chartLabel', { summary }),
      'data-points': String(model.line.filter(([, r]) => r !== null).length),
      'data-pauses': String(model.pauses.length),
    });
    this.el = h(
      'section',
      { class: 'cpr', 'aria-labelledby': 'cpr-title' },
      h('h3', { id: 'cpr-title' }, t('console.cpr.coach')),
      h('p', { class: 'cpr-caption' }, t('audit.cpr.caption')),
      h('p', { class: 'cpr-summary', testid: 'cpr-summary' }, summary),
      this.#chart,
    );
  }

  /** Draws into the chart element, which must be in the document (ECharts measures it). */
  render(): void {
    this.#echarts?.dispose();
    const chart = init(this.#chart, undefined, { renderer: 'svg' });
    this.#echarts = chart;
    chart.setOption(this.#option());
    this.#resize.observe(this.#chart);
    // For tests and tooling: each series by name with its data, as ECharts holds it.
    Object.assign(this.#chart, {
      seriesData: () => (chart.getOption()['series'] as { name: string; data: unknown[] }[]).map((s) => ({ name: s.name, data: s.data })),
    });
  }

  dispose(): void {
    this.#resize.disconnect();
    this.#echarts?.dispose();
  }

  #option(): Option {
    const { start, end, line, pauses, metronome, episodes } = this.model;
    const pad = Math.max(2000, (end - start) * 0.02);
    const axisLine = { lineStyle: { color: '#56616b' } };
    const rates = line.flatMap(([, r]) => (r === null ? [] : [r]));
    return {
      animation: false,
      textStyle: { color: COLOR.text },
      legend: {
        top: 0,
        textStyle: { color: COLOR.text },
        data: [t('audit.cpr.series.rate'), t('audit.cpr.series.pause'), t('audit.cpr.series.metronome'), t('audit.cpr.series.mode')],
      },
      tooltip: { trigger: 'item', confine: true },
      grid: { left: 56, right: 24, top: 34, bottom: 28 },
      xAxis: {
        type: 'time',
        min: start - pad,
        max: end + pad,
        axisLabel: { color: COLOR.text, hideOverlap: true, formatter: (at: number) => formatTime(at, 'time') },
        axisLine,
      },
      yAxis: {
        type: 'value',
        name: t('audit.cpr.perMin'),
        nameTextStyle: { color: COLOR.text },
        min: Math.min(80, Math.floor((Math.min(...rates) - 10) / 10) * 10),
        max: Math.max(140, Math.ceil((Math.max(...rates) + 10) / 10) * 10),
        axisLabel: { color: COLOR.text },
        axisLine,
        splitLine: { lineStyle: { color: '#2a333c' } },
      },
      series: [
        {
          type: 'line',
          name: t('audit.cpr.series.rate'),
          data: line,
          connectNulls: false,
          symbol: 'circle',
          symbolSize: 8,
          color: COLOR.rate,
          tooltip: { valueFormatter: (v) => (v === null || v === undefined ? t('audit.cpr.noReading') : `${String(v)}/min`) },
          markArea: {
            silent: true,
            itemStyle: { color: COLOR.target },
            label: { color: COLOR.text, position: 'insideTopLeft' },
            data: [
              [
                { yAxis: CPR_TARGET_RATE.min, name: t('audit.cpr.target', { min: CPR_TARGET_RATE.min, max: CPR_TARGET_RATE.max }) },
                { yAxis: CPR_TARGET_RATE.max },
              ],
            ],
          },
        },
        {
          type: 'custom',
          name: t('audit.cpr.series.pause'),
          color: COLOR.pause,
          encode: { x: [0, 1] },
          data: pauses.map((p) => [p.at, p.end, p.seconds]),
          tooltip: { formatter: (p) => t('audit.cpr.pause', { seconds: (p as { value: number[] }).value[2]! }) },
          renderItem: (params, api) => band(params, api, { fill: 'rgba(255, 123, 114, 0.35)', stroke: COLOR.pause, label: `${num(Number(api.value(2)))} s` }),
        },
        {
          type: 'custom',
          name: t('audit.cpr.series.metronome'),
          color: COLOR.metronome,
          encode: { x: [0, 1] },
          data: metronome.map((m) => [m.at, m.end]),
          tooltip: { formatter: t('audit.cpr.metronomeOn') },
          renderItem: (params, api) => band(params, api, { fill: COLOR.metronome, height: 6, label: '' }),
        },
        {
          type: 'custom',
          name: t('audit.cpr.series.mode'),
          color: COLOR.episode,
          encode: { x: [0, 1] },
          data: episodes.map((e) => [e.at, e.end]),
          tooltip: { formatter: t('audit.cpr.modeOn') },
          renderItem: (params, api) => band(params, api, { fill: COLOR.episode, height: 6, bottom: true, label: '' }),
        },
      ],
    };
  }
}

/** A span `[value(0), value(1)]` drawn over the grid's height (or a strip of `height` px along its top or bottom), clipped to it. */
function band(
  params: Parameters<RenderItem>[0],
  api: Parameters<RenderItem>[1],
  look: { fill: string; stroke?: string; height?: number; bottom?: boolean; label: string },
): ReturnType<RenderItem> {
  const grid = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
  const from = api.coord([api.value(0), 0])[0]!;
  const to = api.coord([api.value(1), 0])[0]!;
  // Only the time axis places a band: its y is the grid's own.
  const shape = graphic.clipRectByRect(
    { x: from, y: look.bottom ? grid.y + grid.height - look.height! : grid.y, width: Math.max(3, to - from), height: look.height ?? grid.height },
    { x: grid.x, y: grid.y, width: grid.width, height: grid.height },
  );
  if (!shape) return null;
  return {
    type: 'rect',
    shape,
    style: { fill: look.fill, stroke: look.stroke, lineWidth: look.stroke ? 1 : 0 },
    ...(look.label && { textContent: { type: 'text', style: { text: look.label, fill: COLOR.text, fontSize: 11 } }, textConfig: { position: 'insideTop' } }),
  };
}
