import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { FacilityCode, MaLk } from '@bhyt/contracts';
import { parseParams } from '@bhyt/service-kit';
import { EncounterService } from './encounter.service';

const Facility = z.object({ facilityCode: FacilityCode });
const Limit = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const EventPath = z.object({ facilityCode: FacilityCode, maLk: MaLk, eventId: z.uuid() });

/**
 * Operators (facility IT, SRE) see the encounters that cannot move on — a close refused, a
 * ward event refused when its encounter opened, a check-in (XML0) that could not be built — and
 * unblock them by taking back the event at fault. Identifiers, codes and field names only.
 */
@ApiTags('operations')
@Controller('v1/operations/facilities/:facilityCode')
export class EncounterOperationsController {
  constructor(private readonly encounters: EncounterService) {}

  @Get('blocked-encounters')
  @ApiOperation({
    summary:
      'Encounters that cannot close or whose check-in could not be built, with the events to fix (newest first)',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  blocked(@Param('facilityCode') facilityCode: string, @Query('limit') limit: unknown) {
    const { facilityCode: facility } = parseParams(Facility, { facilityCode });
    const q = parseParams(Limit, { limit }, 'query');
    return this.encounters.blocked(facility, q.limit);
  }

  @Post('encounters/:maLk/events/:eventId/retract')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Take back a ward event on the ward system’s behalf (recorded as a retraction by OPERATOR); idempotent',
  })
  async retract(
    @Param('facilityCode') facilityCode: string,
    @Param('maLk') maLk: string,
    @Param('eventId') eventId: string,
  ) {
    const p = parseParams(EventPath, { facilityCode, maLk, eventId });
    return {
      eventId: p.eventId,
      ...(await this.encounters.retract(p.facilityCode, p.maLk, p.eventId, 'OPERATOR')),
    };
  }
}
