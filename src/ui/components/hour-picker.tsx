/**
 * A date and an hour of it (00..23) in the source's time zone, which it names beside the hour: the
 * date-hour picker of the trigger, backfill and filter forms.
 */
import { twoDigits } from '../format/hour-label.js';
import { sourceZone } from '../format/source-zone.js';

export interface HourChoice {
  /** `YYYY-MM-DD`, or '' while none is chosen. */
  readonly date: string;
  readonly hour: number;
}

/** The label the API takes (`2019-06-01T15`), or undefined while the choice is incomplete or not a date. */
export function choiceLabel(choice: HourChoice): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(choice.date)) return undefined;
  return `${choice.date}T${twoDigits(choice.hour)}`;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function HourPicker({ label, value, onChange, testid }: { label: string; value: HourChoice; onChange: (next: HourChoice) => void; testid: string }) {
  const zone = sourceZone();
  return (
    <span class="hour-picker" role="group" aria-label={label}>
      <input type="date" value={value.date} aria-label={`${label}: date`} data-testid={`${testid}-date`} onInput={(e) => onChange({ ...value, date: e.currentTarget.value })} />
      <select aria-label={zone ? `${label}: hour (${zone})` : `${label}: hour`} data-testid={`${testid}-hour`} value={String(value.hour)} onChange={(e) => onChange({ ...value, hour: Number(e.currentTarget.value) })}>
        {HOURS.map((h) => (
          <option key={h} value={String(h)}>
            {twoDigits(h)}:00
          </option>
        ))}
      </select>
      {zone && (
        <span class="zone" data-testid={`${testid}-zone`}>
          {zone}
        </span>
      )}
    </span>
  );
}
