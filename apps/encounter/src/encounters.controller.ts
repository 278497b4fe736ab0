import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { WardEvent } from '@bhyt/encounter-domain';
import { DomainError, parseBody } from '@bhyt/service-kit';
import { EncounterService } from './encounter.service';

@ApiTags('encounters')
@Controller('v1/facilities/:facilityCode/encounters')
export class EncountersController {
  constructor(private readonly encounters: EncounterService) {}

  @Get(':maLk')
  @ApiOperation({ summary: 'State of an encounter (no clinical or personal data)' })
  get(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string) {
    return this.encounters.get(facilityCode, maLk);
  }

  @Post(':maLk/events')
  @HttpCode(202)
  @ApiOperation({ summary: 'A ward-system event: order, result, note, transfer, discharge, paper…' })
  async event(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string, @Body() body: unknown) {
    const event = parseBody(WardEvent, { ...(typeof body === 'object' && body ? body : {}), facilityCode, maLk });
    const outcome = await this.encounters.record(event);
    return { eventId: event.eventId, outcome };
  }

  @Post(':maLk/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close (or re-close after a correction): builds, validates and emits encounter.closed' })
  close(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string) {
    if (!/^\d{5}$/.test(facilityCode)) throw new DomainError(422, 'VALIDATION_FAILED', 'facility code must be 5 digits');
    return this.encounters.close(facilityCode, maLk);
  }
}
