/**
 * The dashboard's chart cards, drawn with Recharts: a bar chart (by day, by hour, top
 * sellers) and a mix chart (a donut with its legend). Each card is a `figure` named by
 * its caption, with a loading, error and empty state; every chart also lists its
 * figures in a table that screen readers (and a curious manager) can read.
 */
import type { ReactNode } from "react";
import { useId } from "react";
import { Bar as RechartsBar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { ErrorMessage } from "../../components/ErrorMessage";
import { formatMoney } from "../../lib/money";
import { axisMoney, type Bar, type PrepBar, type Slice } from "./dashboardLogic";

/** Colours of the slices and bars: distinct, readable on white, in this order. */
export const PALETTE = ["#0b57d0", "#ffb300", "#146c2e", "#b3261e", "#6b2fa3", "#00838f", "#8a5a00", "#4a515c"];

interface CardProps {
  title: string;
  /** The query's state: loading (no data yet), an error, or ready. */
  loading: boolean;
  error: unknown;
  empty: boolean;
  emptyText?: string;
  wide?: boolean;
  children: ReactNode;
}

/** A chart's frame: caption, then the chart or what stands in for it. */
export function ChartCard({ title, loading, error, empty, emptyText = "No sales in this range.", wide, children }: CardProps) {
  const captionId = useId();
  let body: ReactNode = children;
  if (error) body = <ErrorMessage error={error} />;
  else if (loading) body = <p className="dashboard-muted">Loading…</p>;
  else if (empty) body = <p className="dashboard-muted">{emptyText}</p>;
  return (
    <figure className={`dashboard-card${wide ? " dashboard-card-wide" : ""}`} aria-labelledby={captionId}>
      <figcaption id={captionId} className="dashboard-card-title">
        {title}
      </figcaption>
      {body}
    </figure>
  );
}

/** The figures of a chart as a table (visually hidden; screen readers read it). */
function FiguresTable({ bars, currency, caption }: { bars: readonly (Bar | Slice)[]; currency: string; caption: string }) {
  return (
    <table className="dashboard-figures">
      <caption>{caption}</caption>
      <tbody>
        {bars.map((bar) => (
          <tr key={bar.key}>
            <th scope="row">{bar.label}</th>
            <td>{formatMoney(bar.value, currency)}</td>
            {"share" in bar ? <td>{bar.share}%</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Bars of money (minor units): vertical columns, or `horizontal` rows with their labels on the left. */
export function MoneyBars({
  bars,
  currency,
  caption,
  horizontal = false,
  height = 260,
}: {
  bars: readonly Bar[];
  currency: string;
  caption: string;
  horizontal?: boolean;
  height?: number;
}) {
  const money = (value: number) => formatMoney(Math.round(value), currency);
  const tick = (value: number) => axisMoney(value, currency);
  const data = bars.map((bar) => ({ ...bar }));
  return (
    <>
      <ResponsiveContainer width="100%" height={height}>
        {horizontal ? (
          <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }}>
            <CartesianGrid horizontal={false} strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={tick} />
            <YAxis type="category" dataKey="label" width={190} interval={0} tick={{ fontSize: 13 }} />
            <Tooltip formatter={(value) => money(Number(value))} />
            <RechartsBar dataKey="value" name="Net sales" fill={PALETTE[0]} isAnimationActive={false} />
          </BarChart>
        ) : (
          <BarChart data={data} margin={{ left: 8, right: 8 }}>
            <CartesianGrid vertical={false} strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis tickFormatter={tick} width={64} />
            <Tooltip formatter={(value) => money(Number(value))} />
            <RechartsBar dataKey="value" name="Net sales" fill={PALETTE[0]} isAnimationActive={false} />
          </BarChart>
        )}
      </ResponsiveContainer>
      <FiguresTable bars={bars} currency={currency} caption={caption} />
    </>
  );
}

/** A mix as a donut with a legend ("Classic 42.1 %"), money in the tooltip. */
export function MixDonut({ slices, currency, caption }: { slices: readonly Slice[]; currency: string; caption: string }) {
  const data = slices.map((slice) => ({ ...slice, name: `${slice.label} ${slice.share} %` }));
  // the legend in the slices' order (largest first), not Recharts' alphabetical default
  const position = new Map(data.map((slice, index) => [slice.name, index]));
  return (
    <>
      <ResponsiveContainer width="100%" height={260}>
        <PieChart>
          <Pie data={data} dataKey="value" nameKey="name" innerRadius="50%" outerRadius="80%" isAnimationActive={false}>
            {data.map((slice, index) => (
              <Cell key={slice.key} fill={PALETTE[index % PALETTE.length]} />
            ))}
          </Pie>
          <Tooltip formatter={(value) => formatMoney(Math.round(Number(value)), currency)} />
          <Legend
            layout="vertical"
            align="right"
            verticalAlign="middle"
            itemSorter={(item) => position.get(item.value ?? "") ?? 0}
          />
        </PieChart>
      </ResponsiveContainer>
      <FiguresTable bars={slices} currency={currency} caption={caption} />
    </>
  );
}

/** Prep times per station: the average and the target side by side, in minutes. */
export function PrepTimeBars({ bars, caption }: { bars: readonly PrepBar[]; caption: string }) {
  const data = bars.map((bar) => ({ ...bar }));
  return (
    <>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ left: 8, right: 8 }}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis unit=" min" width={64} />
          <Tooltip formatter={(value) => `${Number(value)} min`} />
          <Legend />
          <RechartsBar dataKey="average" name="Average" fill={PALETTE[0]} isAnimationActive={false} />
          <RechartsBar dataKey="target" name="Target" fill={PALETTE[1]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <table className="dashboard-figures">
        <caption>{caption}</caption>
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.key}>
              <th scope="row">{bar.label}</th>
              <td>{bar.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
