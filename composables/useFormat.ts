import { computed } from 'vue'
import { LOCALES } from '~~/shared/locales'

const formats = new Map<string, { dateTime: Intl.DateTimeFormat, date: Intl.DateTimeFormat, number: Intl.NumberFormat, relative: Intl.RelativeTimeFormat }>()

/** Built once per language: Intl formatters are slow to make and the lists format many rows. */
function formatsFor(tag: string) {
  let f = formats.get(tag)
  if (!f) {
    // UTC, so that the server-rendered page and the browser agree whatever the viewer's zone.
    f = {
      dateTime: new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }),
      date: new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' }),
      number: new Intl.NumberFormat(tag),
      relative: new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }),
    }
    formats.set(tag, f)
  }
  return f
}

// From minutes up: a time that reads "12 seconds ago" is wrong again a second later.
const RELATIVE_STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12], ['year', Infinity],
]

/** Dates, numbers and relative times in the reader's language (useI18n's locale). */
export function useFormat() {
  const { locale } = useI18n()
  const tag = computed(() => LOCALES.find(l => l.code === locale.value)?.language ?? 'en-GB')
  const f = () => formatsFor(tag.value)
  return {
    /** BCP 47 tag of the reader's language, e.g. for Intl or an element's lang attribute. */
    tag,
    /** "6 Dec 2026, 07:30 UTC" / "06.12.2026, 07:30 UTC"; a dash for nothing. */
    dateTime: (iso: string | Date | null | undefined) => iso ? `${f().dateTime.format(new Date(iso))} UTC` : '—',
    date: (iso: string | Date | null | undefined) => iso ? f().date.format(new Date(iso)) : '—',
    number: (n: number) => f().number.format(n),
    /** "3 minutes ago" / "vor 3 Minuten" / "this minute", relative to `now`. */
    relative: (iso: string | Date, now: Date = new Date()) => {
      let value = (new Date(iso).getTime() - now.getTime()) / 60_000
      for (const [unit, size] of RELATIVE_STEPS) {
        if (Math.abs(value) < size) return f().relative.format(Math.round(value), unit)
        value /= size
      }
      return f().relative.format(Math.round(value), 'year')
    },
  }
}
