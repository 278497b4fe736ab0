import { Projections1700000000500 } from './1700000000500-projections';
import { DailyProjectionsAndReports1700000000510 } from './1700000000510-daily-projections-and-reports';
import { SubmissionRecordedAt1700000000520 } from './1700000000520-submission-recorded-at';
import { RecordsCountedOnce1700000000530 } from './1700000000530-records-counted-once';

/** The reporting database's migrations, in order (the outbox/inbox one is added by the runtime). */
export const REPORTING_MIGRATIONS = [
  Projections1700000000500,
  DailyProjectionsAndReports1700000000510,
  SubmissionRecordedAt1700000000520,
  RecordsCountedOnce1700000000530,
];
