/**
 * Small inline-SVG charts for the dashboard (no chart library): stacked bars and lines over days. Each chart is an
 * image with a title and a description for screen readers, a legend, per-point tooltips (`<title>`), and its data as
 * a table on demand.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import { Box, Flex, Typography } from '@strapi/design-system';
import { styled, useTheme } from 'styled-components';

export interface Series {
  key: string;
  label: string;
  values: number[];
}

interface ChartProps {
  title: string;
  description: string;
  days: string[];
  series: Series[];
  kind: 'stacked-bars' | 'lines';
  /** Text of the data table's toggle and its first column. */
  tableLabel: string;
  dayLabel: string;
  totalLabel: string;
  testId?: string;
}

const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 36 };
const PALETTE = [
  'primary600',
  'success600',
  'warning600',
  'danger600',
  'secondary600',
  'alternative600',
  'neutral500',
  'primary300',
  'success300',
  'warning300',
];

const Svg = styled.svg`
  display: block;
  width: 100%;
  height: ${HEIGHT}px;
  overflow: visible;
`;

/** The width the chart has, in CSS pixels: drawn at that size, so text and bars keep their size on any screen. */
function useWidth(fallback = 760) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => setWidth(Math.max(240, Math.floor(element.getBoundingClientRect().width)));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

const Swatch = styled.span<{ $color: string }>`
  display: inline-block;
  width: 12px;
  height: 12px;
  border-radius: 2px;
  background: ${({ $color }) => $color};
`;

const DataTable = styled.table`
  border-collapse: collapse;
  font-size: 1.2rem;
  th,
  td {
    padding: 2px 8px;
    text-align: right;
    border-bottom: 1px solid ${({ theme }) => theme.colors.neutral150};
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
`;

/** A round upper bound for the y axis and its tick step. */
function niceScale(max: number): { top: number; step: number } {
  if (max <= 4) return { top: Math.max(max, 1), step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? rough;
  return { top: Math.ceil(max / step) * step, step };
}

export function useSeriesColors(count: number): string[] {
  const theme = useTheme() as unknown as { colors?: Record<string, string> };
  return Array.from({ length: count }, (_, i) => theme.colors?.[PALETTE[i % PALETTE.length]] ?? '#4945ff');
}

export const DayChart = ({
  title,
  description,
  days,
  series,
  kind,
  tableLabel,
  dayLabel,
  totalLabel,
  testId,
}: ChartProps) => {
  const { formatDate, formatNumber } = useIntl();
  const id = useId();
  const { ref, width: WIDTH } = useWidth();
  const theme = useTheme() as unknown as { colors?: Record<string, string> };
  const colors = useSeriesColors(series.length);
  const grid = theme.colors?.neutral150 ?? '#eaeaef';
  const axisText = theme.colors?.neutral600 ?? '#666687';

  const totals = useMemo(
    () => days.map((_, day) => series.reduce((sum, one) => sum + (one.values[day] ?? 0), 0)),
    [days, series]
  );
  const max =
    kind === 'stacked-bars' ? Math.max(0, ...totals) : Math.max(0, ...series.flatMap((one) => one.values));
  const { top, step } = niceScale(max);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(days.length, 1);
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
  const dayName = (day: string) =>
    formatDate(`${day}T00:00:00Z`, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(2, Math.floor(plotWidth / 70))));
  const ticks: number[] = [];
  for (let value = 0; value <= top + 1e-9; value += step) ticks.push(value);

  return (
    <Flex direction="column" alignItems="stretch" gap={3} data-testid={testId}>
      <div ref={ref}>
        <Svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          data-chart-kind={kind}
        >
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          <g aria-hidden="true">
            {ticks.map((value) => (
              <g key={value}>
                <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(value)} y2={y(value)} stroke={grid} />
                <text x={PAD.left - 6} y={y(value) + 4} textAnchor="end" fontSize="11" fill={axisText}>
                  {formatNumber(value)}
                </text>
              </g>
            ))}
            {days.map((day, i) =>
              i % labelEvery === 0 ? (
                <text
                  key={day}
                  x={PAD.left + slot * i + slot / 2}
                  y={HEIGHT - 8}
                  textAnchor="middle"
                  fontSize="11"
                  fill={axisText}
                >
                  {dayName(day)}
                </text>
              ) : null
            )}
          </g>
          {kind === 'stacked-bars'
            ? days.map((day, i) => {
                let base = 0;
                const barWidth = Math.max(2, slot * 0.7);
                return (
                  <g key={day} data-day={day}>
                    {series.map((one, s) => {
                      const value = one.values[i] ?? 0;
                      if (value <= 0) return null;
                      const rect = (
                        <rect
                          key={one.key}
                          x={PAD.left + slot * i + (slot - barWidth) / 2}
                          y={y(base + value)}
                          width={barWidth}
                          height={Math.max(0, y(base) - y(base + value))}
                          fill={colors[s]}
                          data-series={one.key}
                          data-value={value}
                        >
                          <title>{`${dayName(day)} · ${one.label}: ${formatNumber(value)}`}</title>
                        </rect>
                      );
                      base += value;
                      return rect;
                    })}
                  </g>
                );
              })
            : series.map((one, s) => {
                const points = one.values.map(
                  (value, i) => `${PAD.left + slot * i + slot / 2},${y(value ?? 0)}`
                );
                return (
                  <g key={one.key} data-series={one.key}>
                    <polyline points={points.join(' ')} fill="none" stroke={colors[s]} strokeWidth={2} />
                    {one.values.map((value, i) =>
                      value > 0 ? (
                        <circle
                          key={i}
                          cx={PAD.left + slot * i + slot / 2}
                          cy={y(value)}
                          r={3}
                          fill={colors[s]}
                          data-value={value}
                        >
                          <title>{`${dayName(days[i])} · ${one.label}: ${formatNumber(value)}`}</title>
                        </circle>
                      ) : null
                    )}
                  </g>
                );
              })}
          <line
            x1={PAD.left}
            x2={WIDTH - PAD.right}
            y1={y(0)}
            y2={y(0)}
            stroke={axisText}
            aria-hidden="true"
          />
        </Svg>
      </div>
      <Flex tag="ul" gap={4} wrap="wrap" aria-label={`${title}: legend`}>
        {series.map((one, s) => (
          <Flex key={one.key} tag="li" gap={2} alignItems="center">
            <Swatch $color={colors[s]} aria-hidden="true" />
            <Typography variant="pi">
              {one.label} ({formatNumber(one.values.reduce((a, b) => a + b, 0))})
            </Typography>
          </Flex>
        ))}
      </Flex>
      <Box tag="details">
        <Typography variant="pi" tag="summary" textColor="primary600" style={{ cursor: 'pointer' }}>
          {tableLabel}
        </Typography>
        <Box paddingTop={2} overflow="auto">
          <DataTable aria-label={title}>
            <thead>
              <tr>
                <th scope="col">{dayLabel}</th>
                {series.map((one) => (
                  <th key={one.key} scope="col">
                    {one.label}
                  </th>
                ))}
                {series.length > 1 ? <th scope="col">{totalLabel}</th> : null}
              </tr>
            </thead>
            <tbody>
              {days.map((day, i) => (
                <tr key={day}>
                  <th scope="row">{dayName(day)}</th>
                  {series.map((one) => (
                    <td key={one.key}>{formatNumber(one.values[i] ?? 0)}</td>
                  ))}
                  {series.length > 1 ? <td>{formatNumber(totals[i])}</td> : null}
                </tr>
              ))}
            </tbody>
          </DataTable>
        </Box>
      </Box>
    </Flex>
  );
};
