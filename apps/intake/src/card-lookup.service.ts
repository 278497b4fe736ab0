import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { readSecret } from '@bhyt/config';
import { GatewayClient, secretSourceAccountResolver } from '@bhyt/gateway-client';
import { LOGGER, type Logger } from '@bhyt/service-kit';
import { CardVerdict, cardVerdict, lookupBirthDate } from './card-verdict';
import { lookupStaff, type IntakeConfig } from './config';
import { INTAKE_CONFIG } from './tokens';

export interface CardQuery {
  facilityCode: string;
  cardNumber: string;
  fullName: string;
  /** yyyyMMdd or yyyyMMddHHmm */
  birthDate: string;
}

export interface CardCheckResult {
  cardCheck: CardVerdict;
  /** The gateway's maKetQua when it answered; the failure kind's code otherwise. */
  code: string;
  cached: boolean;
}

/**
 * Card lookups through the gateway client (KQNhanLichSuKCB2024). Answers are cached per
 * (facility, card, name, birth date) — the key is an HMAC, so the cache holds no card data in
 * clear. A gateway that is down, slow or refuses the staff credentials yields PENDING, never an
 * error: reception goes on and the re-checker asks again later.
 */
@Injectable()
export class CardLookupService implements OnModuleDestroy {
  private readonly client: GatewayClient;
  private readonly cache = new Map<string, { result: CardCheckResult; expiresAt: number }>();

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {
    this.client = new GatewayClient({
      baseUrl: config.GATEWAY_URL,
      accounts: secretSourceAccountResolver({ get: (name) => readSecret(name) }),
      connectTimeoutMs: Math.min(config.CARD_LOOKUP_TIMEOUT_MS, 2000),
      totalTimeoutMs: config.CARD_LOOKUP_TIMEOUT_MS,
      logger: { info: (o, m) => logger.debug(o, m), warn: (o, m) => logger.warn(o, m) },
    });
  }

  onModuleDestroy(): void {
    this.client.close();
  }

  private cacheKey(q: CardQuery): string {
    return createHmac('sha256', this.config.identityKey)
      .update(
        `card-lookup:${q.facilityCode}:${q.cardNumber}:${q.fullName.normalize('NFC').toUpperCase()}:${q.birthDate.slice(0, 8)}`,
      )
      .digest('hex');
  }

  async check(q: CardQuery): Promise<CardCheckResult> {
    const key = this.cacheKey(q);
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return { ...hit.result, cached: true };
    const result = await this.ask(q);
    if (result.cardCheck !== 'PENDING' && this.config.CARD_CACHE_TTL_MS > 0) {
      if (this.cache.size >= 50_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { result, expiresAt: Date.now() + this.config.CARD_CACHE_TTL_MS });
    }
    return result;
  }

  private async ask(q: CardQuery): Promise<CardCheckResult> {
    const staff = lookupStaff(q.facilityCode);
    if (!staff) {
      this.logger.warn(
        { facility: q.facilityCode },
        'card lookup: no lookup staff configured for the facility (CARD_LOOKUP_<facility>_STAFF_NAME/_STAFF_CCCD); card check stays pending',
      );
      return { cardCheck: 'PENDING', code: 'NO_LOOKUP_STAFF', cached: false };
    }
    try {
      const outcome = await this.client.lookupCard({
        facilityCode: q.facilityCode,
        maThe: q.cardNumber,
        hoTen: q.fullName,
        ngaySinh: lookupBirthDate(q.birthDate),
        ...staff,
      });
      const code = outcome.kind === 'answered' ? outcome.maKetQua : outcome.code;
      const cardCheck = outcome.kind === 'answered' ? cardVerdict(outcome.maKetQua) : 'PENDING';
      this.logger.info(
        { facility: q.facilityCode, outcome: outcome.kind, code, cardCheck },
        'card lookup answered',
      );
      return { cardCheck, code, cached: false };
    } catch (err) {
      // Missing gateway account and the like: configuration, not the patient's fault.
      this.logger.warn(
        { facility: q.facilityCode, error: err instanceof Error ? err.name : 'error' },
        'card lookup failed; card check stays pending',
      );
      return { cardCheck: 'PENDING', code: 'LOOKUP_FAILED', cached: false };
    }
  }
}
