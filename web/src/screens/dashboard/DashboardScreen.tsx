/**
 * `/r/:restaurantId/dashboard` — the manager's dashboard (owners, managers).
 *
 * - **Today**, live: sales of the paid orders, covers, open checks and tickets late
 *   (per station against its prep target), from `GET …/reports/today`. The shared
 *   realtime cache integration reads them again on every `order.*`, `ticket.*`,
 *   `check.*` and `payment.*` event, and this screen at the moment the server says the
 *   next ticket turns late (`next_late_at`): no reload. A quiet read every 5 minutes
 *   turns the business day over at midnight on a screen left open.
 * - **A range** (today, 7 days, 30 days, this month, or two dates): charts (Recharts)
 *   of the sales report's groups (`GET …/reports/sales?group_by=`: sales by day and by
 *   hour, the category, size and payment-method mixes), of the kitchen's prep times
 *   per station against their targets (`…/reports/prep-times`) and of the top sellers
 *   (`…/reports/products`). A range that holds today follows the day's sales
 *   (`order.closed`).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";

import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useRealtimeStatus } from "../../realtime/RealtimeProvider";
import { useServices } from "../../services";
import { ChartCard, MixDonut, MoneyBars, PrepTimeBars } from "./Charts";
import {
  PRESET_LABELS,
  dailySeries,
  hourlySeries,
  isValidRange,
  lateRefreshDelay,
  mixSeries,
  paymentMethodLabel,
  prepSeries,
  presetRange,
  todayTiles,
  type DateRange,
  type RangePreset,
  type SalesGroup,
} from "./dashboardLogic";
import {
  prepTimesQuery,
  salesGroupsQuery,
  todayQuery,
  topSellersQuery,
  type SalesGroupBy,
  type StationToday,
  type TodayFigures,
} from "./queries";
import "./dashboard.css";

/** Read today's figures again when `nextLateAt` passes (a ticket turns late without an event). */
function useRefreshAt(nextLateAt: string | null | undefined, refresh: () => void): void {
  useEffect(() => {
    const delay = lateRefreshDelay(nextLateAt, new Date());
    if (delay === null) return undefined;
    const timer = setTimeout(refresh, delay);
    return () => clearTimeout(timer);
  }, [nextLateAt, refresh]);
}

function minutes(seconds: number): string {
  return `${Math.round(seconds / 60)} min`;
}

function StationRow({ station }: { station: StationToday }) {
  const late = station.tickets_late > 0;
  return (
    <li className={`dashboard-station${late ? " dashboard-alert" : ""}`}>
      <span className="dashboard-station-name">{station.station}</span>
      <span>
        {station.tickets_late} late of {station.tickets_open} · target {minutes(station.target_seconds)}
      </span>
    </li>
  );
}

function TodayPanel({ figures }: { figures: TodayFigures }) {
  const status = useRealtimeStatus();
  const asOf = new Date(figures.as_of).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return (
    <section className="dashboard-today" aria-labelledby="dashboard-today-heading">
      <div className="dashboard-section-header">
        <h2 id="dashboard-today-heading">Today</h2>
        <p className="dashboard-muted" aria-live="polite">
          {figures.business_date} · updated {asOf}
          {status.state === "connected" ? " · live" : " · not live, reconnecting"}
        </p>
      </div>
      <div className="dashboard-tiles">
        {todayTiles(figures).map((tile) => (
          <section key={tile.name} aria-label={tile.name} className={`dashboard-tile${tile.alert ? " dashboard-alert" : ""}`}>
            <h3 className="dashboard-tile-name">{tile.name}</h3>
            <p className="dashboard-tile-value">{tile.value}</p>
            <p className="dashboard-tile-detail">{tile.detail}</p>
          </section>
        ))}
      </div>
      {figures.stations.length > 0 ? (
        <ul className="dashboard-stations" aria-label="Kitchen stations">
          {figures.stations.map((station) => (
            <StationRow key={station.station} station={station} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** The range picker: the presets, and a "From … to …" form for any other range. */
function RangePicker({
  today,
  choice,
  onChoose,
}: {
  today: string;
  choice: RangePreset | DateRange;
  onChoose: (choice: RangePreset | DateRange) => void;
}) {
  const fromId = useId();
  const toId = useId();
  const current = typeof choice === "string" ? presetRange(choice, today) : choice;
  const [draft, setDraft] = useState<DateRange>(current);
  const [invalid, setInvalid] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!isValidRange(draft)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    onChoose(draft);
  };
  return (
    <div className="dashboard-range">
      <div role="group" aria-label="Range" className="dashboard-presets">
        {(Object.keys(PRESET_LABELS) as RangePreset[]).map((preset) => (
          <button
            key={preset}
            type="button"
            aria-pressed={choice === preset}
            className={choice === preset ? "button button-primary" : "button"}
            onClick={() => {
              setDraft(presetRange(preset, today));
              onChoose(preset);
            }}
          >
            {PRESET_LABELS[preset]}
          </button>
        ))}
      </div>
      <form className="dashboard-dates" onSubmit={submit} noValidate>
        <label htmlFor={fromId}>From</label>
        <input
          id={fromId}
          type="date"
          value={draft.start}
          max={today}
          aria-invalid={invalid}
          onChange={(e) => setDraft({ ...draft, start: e.target.value })}
        />
        <label htmlFor={toId}>to</label>
        <input
          id={toId}
          type="date"
          value={draft.end}
          aria-invalid={invalid}
          onChange={(e) => setDraft({ ...draft, end: e.target.value })}
        />
        <button type="submit" className="button">
          Show
        </button>
        {invalid ? (
          <p role="alert" className="error-message">
            The first date must be on or before the last.
          </p>
        ) : null}
      </form>
    </div>
  );
}

function TopSellers({ rid, range, currency }: { rid: number; range: DateRange; currency: string }) {
  const { api } = useServices();
  const query = useQuery(topSellersQuery(api, rid, range));
  const bars = (query.data?.items ?? []).map((item, index) => ({
    key: `${item.menu_item_id ?? item.name}-${index}`,
    label: item.name,
    value: item.net_sales,
  }));
  return (
    <ChartCard title="Top sellers" loading={query.isPending} error={query.error} empty={bars.length === 0}>
      <MoneyBars bars={bars} currency={currency} caption="Top sellers by net sales" horizontal height={Math.max(160, bars.length * 34)} />
    </ChartCard>
  );
}

interface ChartProps {
  rid: number;
  range: DateRange;
  currency: string;
}

/** The groups of the range's sales report by `groupBy` (empty while loading). */
function useGroups(rid: number, range: DateRange, groupBy: SalesGroupBy) {
  const { api } = useServices();
  const query = useQuery(salesGroupsQuery(api, rid, range, groupBy));
  const groups: SalesGroup[] = query.data?.groups ?? [];
  return { groups, loading: query.isPending, error: query.error };
}

function SalesByDay({ rid, range, currency }: ChartProps) {
  const { groups, loading, error } = useGroups(rid, range, "day");
  const bars = dailySeries(groups, range);
  return (
    <ChartCard title="Sales by day" loading={loading} error={error} empty={!groups.length} wide>
      <MoneyBars bars={bars} currency={currency} caption="Net sales by day" />
    </ChartCard>
  );
}

function SalesByHour({ rid, range, currency }: ChartProps) {
  const { groups, loading, error } = useGroups(rid, range, "hour");
  const bars = hourlySeries(groups);
  return (
    <ChartCard title="Sales by hour" loading={loading} error={error} empty={!bars.length}>
      <MoneyBars bars={bars} currency={currency} caption="Net sales by hour of the day" />
    </ChartCard>
  );
}

function Mix({ rid, range, currency, groupBy, title }: ChartProps & { groupBy: SalesGroupBy; title: string }) {
  const { groups, loading, error } = useGroups(rid, range, groupBy);
  const named = groupBy === "payment_method" ? groups.map((g) => ({ ...g, label: paymentMethodLabel(String(g.key)) })) : groups;
  const slices = mixSeries(named);
  return (
    <ChartCard title={title} loading={loading} error={error} empty={!slices.length}>
      <MixDonut slices={slices} currency={currency} caption={`${title}: net sales and share`} />
    </ChartCard>
  );
}

function PrepTimes({ rid, range }: Omit<ChartProps, "currency">) {
  const { api } = useServices();
  const query = useQuery(prepTimesQuery(api, rid, range));
  const bars = prepSeries(query.data?.prep_times ?? []);
  return (
    <ChartCard
      title="Prep times"
      loading={query.isPending}
      error={query.error}
      empty={!bars.length}
      emptyText="No ticket made ready in this range."
    >
      <PrepTimeBars bars={bars} caption="Prep time (fire to ready) per station against its target" />
    </ChartCard>
  );
}

export function DashboardScreen() {
  const { restaurantId } = useRestaurantScope();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const today = useQuery({ ...todayQuery(api, restaurantId), refetchInterval: 5 * 60_000 });
  const refreshToday = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: queryKeys.reportsToday(restaurantId), exact: true }),
    [queryClient, restaurantId],
  );
  useRefreshAt(today.data?.next_late_at, refreshToday);
  const [choice, setChoice] = useState<RangePreset | DateRange>("7d");

  if (today.isPending) return <p className="dashboard-muted">Loading the dashboard…</p>;
  if (today.isError) return <ErrorMessage error={today.error} />;
  const figures = today.data;
  const range = typeof choice === "string" ? presetRange(choice, figures.business_date) : choice;
  return (
    <div className="dashboard">
      <h1>Dashboard</h1>
      <TodayPanel figures={figures} />
      <section className="dashboard-range-section" aria-labelledby="dashboard-range-heading">
        <div className="dashboard-section-header">
          <h2 id="dashboard-range-heading">
            Sales {range.start === range.end ? `of ${range.start}` : `from ${range.start} to ${range.end}`}
          </h2>
          <RangePicker today={figures.business_date} choice={choice} onChoose={setChoice} />
        </div>
        <div className="dashboard-charts">
          <SalesByDay rid={restaurantId} range={range} currency={figures.currency} />
          <SalesByHour rid={restaurantId} range={range} currency={figures.currency} />
          <Mix rid={restaurantId} range={range} currency={figures.currency} groupBy="category" title="Category mix" />
          <Mix rid={restaurantId} range={range} currency={figures.currency} groupBy="size" title="Size mix" />
          <Mix rid={restaurantId} range={range} currency={figures.currency} groupBy="payment_method" title="Payment methods" />
          <PrepTimes rid={restaurantId} range={range} />
          <TopSellers rid={restaurantId} range={range} currency={figures.currency} />
        </div>
        <p className="dashboard-muted">
          Net sales of the paid orders (voided lines left out), before tax, in {figures.currency}.
        </p>
      </section>
    </div>
  );
}
