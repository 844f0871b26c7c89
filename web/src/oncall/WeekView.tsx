// A week of a schedule: seven day columns (Monday first, the browser's time),
// each shift a block placed by its start and end, overrides drawn distinctly,
// and a line at the current time.
import type { Schedule, Shift, User } from "../api/types";

// Monday 00:00 (browser time) of the week holding `d`.
export function startOfWeek(d: Date): Date {
  const out = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const offset = (out.getDay() + 6) % 7; // Monday = 0
  out.setDate(out.getDate() - offset);
  return out;
}

export function addDays(d: Date, days: number): Date {
  const out = new Date(d);
  out.setDate(out.getDate() + days);
  return out;
}

export interface Segment {
  day: number; // 0 = Monday
  top: number; // % of the day
  height: number; // % of the day
  shift: Shift;
  override: boolean;
  continues: boolean; // the shift goes on into the next day
  continued: boolean; // the shift began on an earlier day
}

// True when an override of the schedule is what puts this user on call here.
export function isOverride(shift: Shift, overrides: Schedule["overrides"]): boolean {
  const s = Date.parse(shift.start_at);
  const e = Date.parse(shift.end_at);
  return overrides.some((o) => o.user_id === shift.user_id && Date.parse(o.start_at) <= s && e <= Date.parse(o.end_at));
}

// Splits shifts at midnight into per-day segments within the week.
export function layoutWeek(weekStart: Date, shifts: Shift[], overrides: Schedule["overrides"]): Segment[] {
  const out: Segment[] = [];
  for (let day = 0; day < 7; day++) {
    const from = addDays(weekStart, day).getTime();
    const to = addDays(weekStart, day + 1).getTime(); // DST-safe: next local midnight
    const length = to - from;
    for (const shift of shifts) {
      const s = Date.parse(shift.start_at);
      const e = Date.parse(shift.end_at);
      if (e <= from || s >= to) continue;
      const a = Math.max(s, from);
      const b = Math.min(e, to);
      out.push({
        day,
        top: ((a - from) / length) * 100,
        height: ((b - a) / length) * 100,
        shift,
        override: isOverride(shift, overrides),
        continues: e > to,
        continued: s < from,
      });
    }
  }
  return out;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dayTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// Eight colours, chosen by user id, so one person keeps a colour all week.
const hue = (userId: number) => userId % 8;

interface Props {
  weekStart: Date;
  shifts: Shift[];
  overrides: Schedule["overrides"];
  users: Map<number, User>;
  now: number;
  onPrev: () => void;
  onNext: () => void;
  onToday: () => void;
  loading?: boolean;
}

export function WeekView({ weekStart, shifts, overrides, users, now, onPrev, onNext, onToday, loading }: Props) {
  const segments = layoutWeek(weekStart, shifts, overrides);
  const end = addDays(weekStart, 7);
  const nowInWeek = now >= weekStart.getTime() && now < end.getTime();
  const label = `${weekStart.toLocaleDateString(undefined, { day: "numeric", month: "short" })} – ${addDays(weekStart, 6).toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
  })}`;
  const today = new Date(now).toDateString();

  return (
    <section className="wk" aria-label="Week" data-testid="week-view">
      <div className="wk-toolbar">
        <div className="wk-nav">
          <button type="button" onClick={onPrev} aria-label="Previous week">
            ‹
          </button>
          <button type="button" onClick={onToday} disabled={nowInWeek}>
            This week
          </button>
          <button type="button" onClick={onNext} aria-label="Next week">
            ›
          </button>
        </div>
        <h3 className="wk-label" data-testid="week-label">
          {label}
        </h3>
        <div className="wk-legend muted">
          <span className="wk-swatch" /> shift <span className="wk-swatch wk-swatch-override" /> override
          {loading && <span className="wk-loading"> · loading…</span>}
        </div>
      </div>
      <div className="wk-grid">
        <div className="wk-hours" aria-hidden="true">
          <div className="wk-head" />
          <div className="wk-hours-body">
            {[0, 6, 12, 18].map((h) => (
              <span key={h} style={{ top: `${(h / 24) * 100}%` }}>
                {String(h).padStart(2, "0")}:00
              </span>
            ))}
          </div>
        </div>
        {Array.from({ length: 7 }, (_, day) => {
          const date = addDays(weekStart, day);
          const isToday = date.toDateString() === today;
          const dayStart = date.getTime();
          const dayEnd = addDays(weekStart, day + 1).getTime();
          return (
            <div key={day} className={`wk-day${isToday ? " wk-today" : ""}`} data-testid="week-day" data-day={day}>
              <div className="wk-head">
                <span className="wk-dow">{date.toLocaleDateString(undefined, { weekday: "short" })}</span>{" "}
                <span className="wk-date">{date.getDate()}</span>
              </div>
              <div className="wk-body">
                {segments
                  .filter((s) => s.day === day)
                  .map((s, i) => {
                    const name = users.get(s.shift.user_id)?.display_name ?? `User #${s.shift.user_id}`;
                    const title = `${name}${s.override ? " (override)" : ""}: ${dayTime(s.shift.start_at)} – ${dayTime(s.shift.end_at)}`;
                    return (
                      <div
                        key={i}
                        className={`wk-block wk-hue-${hue(s.shift.user_id)}${s.override ? " wk-override" : ""}${s.continued ? " wk-continued" : ""}${s.continues ? " wk-continues" : ""}`}
                        style={{ top: `${s.top}%`, height: `${s.height}%` }}
                        title={title}
                        data-testid="shift-block"
                        data-user-id={s.shift.user_id}
                        data-override={s.override ? "true" : "false"}
                      >
                        <span className="wk-block-name">{name}</span>
                        {s.height > 8 && (
                          <span className="wk-block-time">
                            {s.continued ? "…" : time(s.shift.start_at)}–{s.continues ? "…" : time(s.shift.end_at)}
                          </span>
                        )}
                        {s.override && <span className="visually-hidden"> (override)</span>}
                      </div>
                    );
                  })}
                {nowInWeek && now >= dayStart && now < dayEnd && (
                  <div className="wk-now" data-testid="now-marker" style={{ top: `${((now - dayStart) / (dayEnd - dayStart)) * 100}%` }}>
                    <span className="visually-hidden">Now</span>
                  </div>
                )}
              </div>
            </div>
          );
        })}
      </div>
      {shifts.length === 0 && !loading && <p className="muted wk-empty">Nobody is on call this week.</p>}
    </section>
  );
}
