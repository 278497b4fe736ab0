import { z } from 'zod';
import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services } from '@bhyt/contracts';

const schema = baseServiceEnv.extend({
  HTTP_PORT: env.port(Services.encounter.port),
  /**
   * How long a ward event may wait parked for its encounter to open (intake.registered) before
   * it is dead-lettered as ENCOUNTER_NEVER_OPENED. Minutes; fractions are allowed (tests).
   */
  PARKED_WARD_EVENT_MAX_AGE_MINUTES: z.coerce.number().positive().max(525_600).default(1440),
  /** How often the parked-event sweeper runs (and samples its gauges). Only tests lower it. */
  PARKED_WARD_EVENT_SWEEP_MS: env.int(60_000, 100),
  /**
   * How far ahead of this service's clock a ward event's dates may be (ward systems' clocks
   * drift): a date later than now plus this is refused on arrival (DATE_IN_FUTURE). Minutes.
   */
  CLOCK_TOLERANCE_MINUTES: z.coerce.number().min(0).max(1440).default(5),
});

export const loadEncounterConfig = (source: NodeJS.ProcessEnv = process.env) =>
  loadConfig('encounter', schema, source);
export type EncounterConfig = ReturnType<typeof loadEncounterConfig>;
