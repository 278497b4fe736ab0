import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseBody } from '@bhyt/service-kit';
import { nextSubmissionState, SubmissionErrors, SubmissionStatuses } from '@bhyt/submission-policy';
import type { GatewaySyncConfig } from './config';
import type { SubmissionScheduler } from './scheduler';
import type { SubmissionStore } from './submission.store';
import { GATEWAY_SYNC_CONFIG, LOGGER, SCHEDULER, SUBMISSION_STORE } from './tokens';
import { applyVerdict } from './verdicts';

const SearchQuery = z.object({
  facility: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  maLk: z.string().max(100).optional(),
  status: z.enum(SubmissionStatuses).optional(),
  kind: z.enum(['claim', 'checkin']).default('claim'),
  olderThanMinutes: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const KindQuery = z.object({ kind: z.enum(['claim', 'checkin']).default('claim') });

const ExactlyOnceQuery = z.object({
  kind: z.enum(['claim', 'checkin']).default('claim'),
  /** Due rows untaken for longer than this count as stuck; default GATEWAY_STUCK_DUE_MS. */
  dueBoundSeconds: z.coerce.number().int().min(1).optional(),
});

/**
 * The portal's feedback as an operator copies it from the "records with errors" list (spec
 * §4.4): per record its MA_LK, the maGiaoDich when shown, and the error messages; `processed`
 * lists the maGiaoDich of files processed without errors.
 */
const PortalFeedback = z.object({
  records: z
    .array(
      z.object({
        maLk: z.string().min(1).max(100),
        maGiaoDich: z.string().min(1).max(100).optional(),
        errors: z
          .array(
            z.object({
              code: z.string().max(50).optional(),
              message: z.string().min(1).max(2000),
              table: z.string().max(20).optional(),
              field: z.string().max(50).optional(),
              row: z.number().int().min(0).optional(),
            }),
          )
          .min(1)
          .max(200),
      }),
    )
    .max(1000)
    .default([]),
  processed: z
    .array(z.object({ maLk: z.string().min(1).max(100), maGiaoDich: z.string().min(1).max(100) }))
    .max(1000)
    .default([]),
});

/**
 * Operator API: where is a claim, what did the gateway answer at each attempt, re-drive the
 * ones that failed, and bring the portal's feedback in. It returns no personal data (claims are
 * identified by MA_LK).
 */
@ApiTags('operator')
@Controller('v1/claims')
export class OperatorController {
  constructor(
    @Inject(SUBMISSION_STORE) private readonly store: SubmissionStore,
    @Inject(SCHEDULER) private readonly scheduler: SubmissionScheduler,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Search claims by facility, MA_LK, status and age' })
  async search(@Query() query: unknown) {
    return { claims: await this.store.search(parseBody(SearchQuery, query)) };
  }

  @Get('summary')
  @ApiOperation({ summary: 'Counts by status, and deadline figures' })
  async summary() {
    return {
      ...(await this.store.summary()),
      circuit: this.scheduler.breaker.state,
      circuitOpened: this.scheduler.breaker.opened,
    };
  }

  @Get(':facility/:maLk')
  @ApiOperation({ summary: 'Every version of a claim with the full history of gateway attempts' })
  async history(@Param('facility') facility: string, @Param('maLk') maLk: string) {
    const { versions, attempts } = await this.store.history(facility, maLk);
    if (versions.length === 0)
      throw SubmissionErrors.raise('CLAIM_UNKNOWN', 'no claim with this MA_LK at this facility');
    return { facilityCode: facility, maLk, versions, attempts };
  }

  @Post(':facility/portal-feedback')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Bring the gateway portal's feedback in: records in error become claim.rejected (a correction can follow), processed files claim.accepted",
  })
  async portalFeedback(@Param('facility') facility: string, @Body() body: unknown) {
    const feedback = parseBody(PortalFeedback, body);
    const lines = [
      ...feedback.records.map((r) => ({ ...r, errors: r.errors })),
      ...feedback.processed.map((p) => ({ ...p, errors: [] })),
    ];
    const results = await this.store.transaction(async (m) => {
      const out: Array<{
        maLk: string;
        maGiaoDich?: string;
        version?: number;
        result: 'rejected' | 'accepted' | 'unknown' | 'already-decided';
      }> = [];
      for (const line of lines) {
        const found = await this.store.findReceived(m, facility, line.maLk, line.maGiaoDich);
        if (!found) {
          out.push({
            maLk: line.maLk,
            ...(line.maGiaoDich ? { maGiaoDich: line.maGiaoDich } : {}),
            result: 'unknown',
          });
          continue;
        }
        const applied = await applyVerdict(m, this.store, {
          id: found.id,
          kind: 'claim',
          facilityCode: facility,
          maLk: line.maLk,
          version: found.version,
          maGiaoDich: found.maGiaoDich,
          errors: line.errors,
        });
        if (applied) await this.store.recordPortalFeedback(m, found.id, found.version, line.errors);
        out.push({
          maLk: line.maLk,
          version: found.version,
          result: applied ? (line.errors.length ? 'rejected' : 'accepted') : 'already-decided',
        });
      }
      return out;
    });
    this.logger.warn(
      {
        audit: true,
        action: 'portal-feedback',
        facility,
        records: lines.length,
        rejected: results.filter((r) => r.result === 'rejected').length,
      },
      'operator brought portal feedback in',
    );
    return { results };
  }

  @Post(':facility/:maLk/:version/redrive')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a failed claim (or, with ?kind=checkin, a check-in) again after the cause was fixed',
  })
  async redrive(
    @Param('facility') facility: string,
    @Param('maLk') maLk: string,
    @Param('version') version: string,
    @Query() query: unknown,
  ) {
    const { kind } = parseBody(KindQuery, query);
    const from = await this.store.transaction(async (m) => {
      const r = await this.store.lockForRedrive(m, {
        facilityCode: facility,
        kind,
        maLk,
        version: Number(version),
      });
      if (!r) throw SubmissionErrors.raise('CLAIM_UNKNOWN', 'no such version of this MA_LK at this facility');
      // An older version is never sent after a newer one.
      if (r.newerVersion)
        throw SubmissionErrors.raise(
          'NOT_REDRIVABLE',
          'a newer version of this MA_LK exists; an older one is never sent after it',
        );
      if (!['REJECTED', 'NEEDS_OPERATOR'].includes(r.state.status))
        throw SubmissionErrors.raise(
          'NOT_REDRIVABLE',
          `only REJECTED or NEEDS_OPERATOR can be re-driven; this one is ${r.state.status}`,
        );
      const t = nextSubmissionState(
        r.state,
        { type: 'redrive' },
        { backoff: { baseMs: 0, maxMs: 0 }, settleMs: 0 },
      );
      // The signed document is dropped once the gateway received it; a claim the gateway's
      // validation rejected needs a corrected version (a new encounter.closed), not a re-drive.
      if (!t.ok)
        throw SubmissionErrors.raise(
          'NOT_REDRIVABLE',
          'the gateway received this version; submit a corrected version instead',
        );
      await this.store.redrive(m, r.id, t.state.status, r.state.attempts, r.state.status);
      return { from: r.state.status, status: t.state.status };
    });
    // Audit log, at warn so that no log level filters it out: identifiers only (facility,
    // MA_LK, version), no personal data. (Who: the operator's identity comes with the API's authentication.)
    this.logger.warn(
      { audit: true, action: 'redrive', facility, kind, maLk, version: Number(version), from: from.from },
      'operator re-drove a submission',
    );
    this.scheduler.notify();
    return from;
  }
}

/** What the chaos runner and SRE read to judge "exactly once" (issue 16). */
@ApiTags('operator')
@Controller('v1/submissions')
export class ExactlyOnceController {
  constructor(
    @Inject(SUBMISSION_STORE) private readonly store: SubmissionStore,
    @Inject(GATEWAY_SYNC_CONFIG) private readonly config: GatewaySyncConfig,
  ) {}

  @Get('exactly-once')
  @ApiOperation({
    summary:
      'Rows stuck (lease expired, or due and untaken past the bound), sends of unknown outcome, and the claims that may have reached the gateway more than once',
  })
  async exactlyOnce(@Query() query: unknown) {
    const q = parseBody(ExactlyOnceQuery, query);
    return this.store.exactlyOnce(
      q.kind,
      q.dueBoundSeconds !== undefined ? q.dueBoundSeconds * 1000 : this.config.GATEWAY_STUCK_DUE_MS,
    );
  }
}
