import { formatTime, t } from '../staff-i18n/index.js';
import { CustomChart, ScatterChart, type CustomSeriesOption, type ScatterSeriesOption } from 'echarts/charts';
import {
  AriaComponent,
  DataZoomComponent,
  GridComponent,
  TooltipComponent,
  type DataZoomComponentOption,
  type GridComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { graphic, init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { h } from '../common/dom.js';
import { laneLabel, LANES, type Lane, type Mark, type TimelineModel } from './timelineModel.js';

// Only what this chart draws is bundled (tree-shaken ECharts): about a third of the full library.
use([CustomChart, ScatterChart, GridComponent, TooltipComponent, DataZoomComponent, AriaComponent, SVGRenderer]);

type Option = ComposeOption<CustomSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | DataZoomComponentOption>;

/** What a mark looks like: its colour, and for moments a symbol, so kinds differ by more than colour. */
const LOOK: Record<string, { color: string; symbol?: string }> = {
  live: { color: '#3fb950' },
  paused: { color: '#8b949e' },
  reconnecting: { color: '#d29922' },
  playable: { color: '#58a6ff' },
  recording: { color: '#a371f7' },
  failed: { color: '#ff7b72' },
  sms_failed: { color: '#ff7b72', symbol: 'triangle' },
  camera_denied: { color: '#ff7b72', symbol: 'triangle' },
  ended: { color: '#ff7b72', symbol: 'rect' },
  live_point: { color: '#3fb950', symbol: 'diamond' },
  chat: { color: '#e3b341', symbol: 'roundRect' },
  location: { color: '#39c5cf', symbol: 'pin' },
  default: { color: '#c9d1d9', symbol: 'circle' },
};
const look = (m: Mark) => LOOK[m.lane === 'progress' && m.kind === 'live' ? 'live_point' : m.kind] ?? LOOK['default']!;

/** Lane rows of the operational grid, top to bottom (category axes count from the bottom). */
const ROWS = [...LANES].reverse();
const row = (lane: Lane) => ROWS.indexOf(lane as (typeof LANES)[number]);
const ROW_PX = 34;

/**
 * The swimlane timeline of one session (`data-testid="session-timeline-chart"`), drawn with ECharts
 * (SVG): the operational lanes over the call's own span (wheel or pinch to zoom, slider below), and
 * the access lane apart, on its own time axis (looks come hours or days later). Clicking a mark tells
 * the `pick` observers the moment it stands for (a span: the moment clicked in it), so the view can
 * seek the recording. The chart's container carries an aria-label with the summary; the log list
 * below it is the keyboard and screen-reader way to the same events.
 */
export class TimelineChart {
  readonly el: HTMLElement;
  #chart: ECharts | undefined;
  #observers = new Set<(mark: Mark, at: number) => void>();
  #resize = new ResizeObserver(() => this.#chart?.resize());

  constructor(
    private readonly model: TimelineModel,
    summary: string,
  ) {
    const access = model.marks.filter((m) => m.lane === 'access').length;
    this.el = h('div', {
      class: 'timeline-chart',
      testid: 'session-timeline-chart',
      role: 'img',
      'aria-label': t('audit.timeline.chartLabel', { summary, marks: model.marks.length - access, access }),
      'data-marks': String(model.marks.length),
    });
  }

  /** Tells `fn` of every mark clicked, with the moment (ms since the epoch) it stands for. */
  onPick(fn: (mark: Mark, at: number) => void): () => void {
    this.#observers.add(fn);
    return () => this.#observers.delete(fn);
  }

  /** Draws into `el`, which must be in the document (ECharts measures it). */
  render(): void {
    this.#chart?.dispose();
    const chart = init(this.el, undefined, { renderer: 'svg' });
    this.#chart = chart;
    chart.setOption(this.#option());
    chart.on('click', (p) => {
      const index = (p.value as unknown[] | undefined)?.at(-1);
      const mark = typeof index === 'number' ? this.model.marks[index] : undefined;
      if (!mark) return;
      const offsetX = (p.event?.offsetX as number | undefined) ?? 0;
      const clicked = mark.end === undefined ? mark.at : Number(chart.convertFromPixel({ xAxisIndex: 0 }, offsetX));
      const at = mark.end === undefined ? mark.at : Math.min(mark.end, Math.max(mark.at, clicked));
      for (const fn of this.#observers) fn(mark, at);
    });
    this.#resize.observe(this.el);
    // For tests and tooling: where the first mark labelled `label` is drawn, in pixels of the container.
    Object.assign(this.el, {
      markPixel: (label: string): [number, number] | undefined => {
        const m = this.model.marks.find((mark) => mark.label === label);
        if (!m) return undefined;
        const at = m.end === undefined ? m.at : (m.at + m.end) / 2;
        const p = m.lane === 'access' ? chart.convertToPixel({ gridIndex: 1 }, [at, 0]) : chart.convertToPixel({ gridIndex: 0 }, [at, row(m.lane)]);
        return p as [number, number];
      },
    });
  }

  dispose(): void {
    this.#resize.disconnect();
    this.#chart?.dispose();
  }

  #option(): Option {
    const { start, end, marks } = this.model;
    const indexed = marks.map((m, i) => ({ m, i }));
    const spans = indexed.filter(({ m }) => m.end !== undefined && m.lane !== 'access');
    const points = indexed.filter(({ m }) => m.end === undefined && m.lane !== 'access');
    const access = indexed.filter(({ m }) => m.lane === 'access');
    const accessTimes = access.map(({ m }) => m.at);
    const pad = Math.max(1000, (end - start) * 0.01);
    const text = '#eef2f5';
    const axisLine = { lineStyle: { color: '#56616b' } };
    const gridHeight = ROWS.length * ROW_PX;
    return {
      animation: false,
      aria: { enabled: false },
      textStyle: { color: text },
      tooltip: { trigger: 'item', confine: true, formatter: (p) => escape(tooltipOf(marks[(p as { value: unknown[] }).value.at(-1) as number])) },
      grid: [
        { left: 90, right: 24, top: 8, height: gridHeight },
        { left: 90, right: 24, top: gridHeight + 78, height: ROW_PX },
      ],
      xAxis: [
        { type: 'time', gridIndex: 0, min: start - pad, max: end + pad, axisLabel: { color: text, hideOverlap: true, formatter: centreClock }, axisLine },
        {
          type: 'time',
          gridIndex: 1,
          min: Math.min(...accessTimes, end) - pad,
          max: Math.max(...accessTimes, end) + pad,
          // Looks at the record may come days after the call: their axis names the day too.
          axisLabel: {
            color: text,
            hideOverlap: true,
            formatter: Math.max(...accessTimes, end) - Math.min(...accessTimes, end) > 86_400_000 ? centreDay : centreClock,
          },
          axisLine,
        },
      ],
      yAxis: [
        {
          type: 'category',
          gridIndex: 0,
          data: ROWS.map((l) => laneLabel(l)),
          axisLabel: { color: text },
          axisLine,
          splitLine: { show: true, lineStyle: { color: '#2a333c' } },
        },
        { type: 'category', gridIndex: 1, data: [laneLabel('access')], axisLabel: { color: text }, axisLine },
      ],
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' },
        { type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', top: gridHeight + 30, height: 18, textStyle: { color: text }, labelFormatter: '' },
      ],
      series: [
        {
          type: 'custom',
          name: 'spans',
          xAxisIndex: 0,
          yAxisIndex: 0,
          encode: { x: [0, 1], y: 2 },
          data: spans.map(({ m, i }) => [m.at, m.end!, row(m.lane), i]),
          renderItem: (params, api) => {
            const mark = marks[api.value(3) as number]!;
            const from = api.coord([api.value(0), api.value(2)]);
            const to = api.coord([api.value(1), api.value(2)]);
            const height = (api.size?.([0, 1]) as number[])[1]! * 0.56;
            const c = params.coordSys as unknown as { x: number; y: number; width: number; height: number };
            const shape = graphic.clipRectByRect(
              { x: from[0]!, y: from[1]! - height / 2, width: Math.max(2, to[0]! - from[0]!), height },
              { x: c.x, y: c.y, width: c.width, height: c.height },
            );
            const failed = mark.kind === 'failed';
            return (
              shape && {
                type: 'rect',
                shape,
                style: {
                  fill: failed ? 'rgba(255,123,114,0.25)' : look(mark).color,
                  stroke: look(mark).color,
                  lineWidth: failed ? 2 : 0,
                  lineDash: failed ? [4, 3] : undefined,
                },
              }
            );
          },
        },
        {
          type: 'scatter',
          name: 'moments',
          xAxisIndex: 0,
          yAxisIndex: 0,
          symbolSize: 13,
          data: points.map(({ m, i }) => ({
            value: [m.at, row(m.lane), i],
            symbol: look(m).symbol,
            itemStyle: { color: look(m).color, borderColor: '#0f1317', borderWidth: 1 },
          })),
        },
        {
          type: 'scatter',
          name: 'access',
          xAxisIndex: 1,
          yAxisIndex: 1,
          symbol: 'diamond',
          symbolSize: 12,
          data: access.map(({ m, i }) => ({ value: [m.at, 0, i], itemStyle: { color: '#bc8cff' } })),
        },
      ],
    };
  }
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The time axes on the centre's clock (the server's TZ), in the supervisor's language, whatever this workstation's zone. */
const centreClock = (at: number) => formatTime(at, 'time');
const centreDay = (at: number) => formatTime(at, 'dateTime');

/** A mark's tooltip: when (the centre's clock) and what. */
function tooltipOf(mark: Mark | undefined): string {
  return mark ? `${formatTime(mark.at)} ${mark.label}` : '';
}
