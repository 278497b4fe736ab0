import {
  buildReport,
  endOfLocalDay,
  FacilityInfo,
  generationIsStale,
  Period,
  ReportDocument,
  ReportInputs,
  startOfLocalDay,
  toCsv,
  toXlsx,
} from '@bhyt/reporting';
import { ServiceRuntime } from '@bhyt/service-kit';
import { facilityInfos, loadReportInputs } from './report-source';

export type ReportTrigger = 'api' | 'scheduler' | 'page';

export interface StoredReport {
  id: number;
  kind: string;
  periodKey: string;
  from: string;
  to: string;
  generatedAt: string;
  trigger: ReportTrigger;
}

const toStored = (r: Record<string, unknown>): StoredReport => ({
  id: Number(r['id']),
  kind: String(r['kind']),
  periodKey: String(r['period_key']),
  from: String(r['period_from']),
  to: String(r['period_to']),
  generatedAt: new Date(r['generated_at'] as string).toISOString(),
  trigger: r['trigger'] as ReportTrigger,
});

/**
 * Generates reports from the projections and keeps every generation (period, generation time,
 * the document, its XLSX and CSV): a report once sent can be shown again as it was, and any
 * past period can be generated anew from the replayable projections.
 */
export class ReportService {
  private readonly facilities: FacilityInfo[];
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.facilities = facilityInfos(runtime.facilities);
  }

  async build(period: Period): Promise<ReportDocument> {
    return (await this.buildWithInputs(period)).doc;
  }

  async buildWithInputs(period: Period): Promise<{ doc: ReportDocument; inputs: ReportInputs }> {
    const now = this.now();
    const inputs = await loadReportInputs(this.runtime.ds, period, this.facilities, now);
    return { doc: buildReport(period, inputs, now), inputs };
  }

  async generate(period: Period, trigger: ReportTrigger): Promise<StoredReport> {
    const doc = await this.build(period);
    const [xlsx, csv] = [await toXlsx(doc), toCsv(doc)];
    const rows = await this.runtime.ds.query(
      `INSERT INTO generated_reports (kind, period_key, period_from, period_to, generated_at, trigger, document, xlsx, csv)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id, kind, period_key, period_from::text, period_to::text, generated_at, trigger`,
      [
        period.kind,
        period.key,
        period.from,
        period.to,
        doc.generatedAt,
        trigger,
        JSON.stringify(doc),
        xlsx,
        csv,
      ],
    );
    const stored = toStored(rows[0]);
    this.runtime.logger.info(
      { kind: stored.kind, period: stored.periodKey, trigger, reportId: stored.id },
      'report generated',
    );
    return stored;
  }

  /** The latest generation of a period, if any. */
  async latest(
    period: Period,
  ): Promise<(StoredReport & { document: ReportDocument; xlsx: Buffer; csv: string }) | undefined> {
    const rows = await this.runtime.ds.query(
      `SELECT id, kind, period_key, period_from::text, period_to::text, generated_at, trigger, document, xlsx, csv FROM generated_reports
       WHERE kind = $1 AND period_key = $2 ORDER BY generated_at DESC, id DESC LIMIT 1`,
      [period.kind, period.key],
    );
    const r = rows[0] as Record<string, unknown> | undefined;
    return r
      ? {
          ...toStored(r),
          document: r['document'] as ReportDocument,
          xlsx: r['xlsx'] as Buffer,
          csv: String(r['csv']),
        }
      : undefined;
  }

  /** The latest generation, or a first one if the period was never generated. */
  async latestOrGenerate(period: Period, trigger: ReportTrigger) {
    return (
      (await this.latest(period)) ?? (await this.generate(period, trigger), (await this.latest(period))!)
    );
  }

  /**
   * A download: the latest generation if it is still current, else a new one (see
   * generationIsStale: generated before the period was over, or events of the period came in
   * since). The web page's weekly download was the last generation, hours stale.
   */
  async currentOrGenerate(period: Period, trigger: ReportTrigger) {
    const latest = await this.latest(period);
    if (
      latest &&
      !generationIsStale({
        generatedAt: new Date(latest.generatedAt),
        periodEnd: endOfLocalDay(period.to),
        lastActivityAt: await this.lastActivity(period),
      })
    )
      return latest;
    await this.generate(period, trigger);
    return (await this.latest(period))!;
  }

  /** The latest event time the projections hold for a period (claims by encounter end, registrations, reads). */
  private async lastActivity(period: Period): Promise<Date | null> {
    const [row] = (await this.runtime.ds.query(
      `SELECT greatest(
         (SELECT max(greatest(closed_at, signed_at, submission_recorded_at, submitted_at, accepted_at, rejected_at, at_risk_at, missed_at)) FROM claim_facts WHERE encounter_end >= $1 AND encounter_end < $2),
         (SELECT max(registered_at) FROM registrations WHERE registered_at >= $1 AND registered_at < $2),
         (SELECT max(read_at) FROM health_book_reads WHERE read_at >= $1 AND read_at < $2)) AS last`,
      [startOfLocalDay(period.from), endOfLocalDay(period.to)],
    )) as Array<{ last: Date | null }>;
    return row?.last ? new Date(row.last) : null;
  }

  async list(limit = 100): Promise<StoredReport[]> {
    const rows = await this.runtime.ds.query(
      `SELECT id, kind, period_key, period_from::text, period_to::text, generated_at, trigger FROM generated_reports ORDER BY generated_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toStored);
  }
}
