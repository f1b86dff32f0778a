// Business time lives in libs/common (routing needs it too); the SLA engine's names stay importable from here.
export {
  WEEKDAYS,
  CalendarError,
  parseCalendar,
  addBusinessMinutes,
  businessMinutesBetween,
  isOpenAt,
  nextOpening,
  openingHoursOn,
  dueWithPauses,
  remainingBusinessMinutes,
  warningAt,
  localDate,
} from '@crewdesk/common';
export type {
  Weekday,
  TimeSpan,
  WeeklyHours,
  MakeUpWorkday,
  BusinessCalendar,
  CalendarInput,
  Pause,
  DueResult,
} from '@crewdesk/common';
