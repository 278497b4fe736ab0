import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { FacilityCode, MaLk } from '@bhyt/contracts';
import { WardEvent } from '@bhyt/encounter-domain';
import { parseBody } from '@bhyt/service-kit';
import { EncounterService } from './encounter.service';

const EncounterPath = z.object({ facilityCode: FacilityCode, maLk: MaLk });

@ApiTags('encounters')
@Controller('v1/facilities/:facilityCode/encounters')
export class EncountersController {
  constructor(private readonly encounters: EncounterService) {}

  @Get(':maLk')
  @ApiOperation({ summary: 'State of an encounter (no clinical or personal data)' })
  get(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string) {
    const path = parseBody(EncounterPath, { facilityCode, maLk });
    return this.encounters.get(path.facilityCode, path.maLk);
  }

  @Post(':maLk/events')
  @HttpCode(202)
  @ApiOperation({ summary: 'A ward-system event: order, result, note, transfer, discharge, paper… (422 lists every field error; 404 for an unknown facility or encounter)' })
  async event(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string, @Body() body: unknown) {
    // The facility and MA_LK come from the path only: a body cannot write to another facility.
    const event = parseBody(WardEvent, { ...(typeof body === 'object' && body && !Array.isArray(body) ? body : {}), facilityCode, maLk });
    const outcome = await this.encounters.record(event);
    return { eventId: event.eventId, outcome };
  }

  @Post(':maLk/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close (or re-close after a correction): builds, validates and emits encounter.closed' })
  close(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string) {
    const path = parseBody(EncounterPath, { facilityCode, maLk });
    return this.encounters.close(path.facilityCode, path.maLk);
  }
}
