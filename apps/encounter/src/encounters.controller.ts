import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { FacilityCode, MaLk } from '@bhyt/contracts';
import { parseParams } from '@bhyt/service-kit';
import { EncounterService, type WardEventReport } from './encounter.service';

const EncounterPath = z.object({ facilityCode: FacilityCode, maLk: MaLk });
const EventPath = EncounterPath.extend({ eventId: z.uuid() });

@ApiTags('encounters')
@Controller('v1/facilities/:facilityCode/encounters')
export class EncountersController {
  constructor(private readonly encounters: EncounterService) {}

  @Get(':maLk')
  @ApiOperation({ summary: 'State of an encounter (no clinical or personal data)' })
  get(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string) {
    const path = parseParams(EncounterPath, { facilityCode, maLk });
    return this.encounters.get(path.facilityCode, path.maLk);
  }

  @Post(':maLk/events')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'A ward-system event: order, result, note, transfer, discharge, paper… checked on receipt against its type’s schema, the clock and the encounter (422 names every field; 409 for an eventId re-used with another body; 404 for an unknown facility or encounter). "replaces": eventId replaces an earlier event; type "retraction" takes one back.',
  })
  async event(
    @Param('facilityCode') facilityCode: string,
    @Param('maLk') maLk: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const path = parseParams(EncounterPath, { facilityCode, maLk });
    // The facility and MA_LK come from the path only: a body cannot write to another facility.
    const event = this.encounters.parse({
      ...(typeof body === 'object' && body && !Array.isArray(body) ? body : {}),
      ...path,
    });
    const report: WardEventReport = {};
    const outcome = await this.encounters.record(event, { report });
    // The event is kept (care data is never dropped) but the check-in it made due could not be
    // built: 200 with the check-in's violations instead of 202, and the encounter is listed on
    // the operator view until a later event lets it build.
    if (report.checkin) res.status(200);
    return { eventId: event.eventId, outcome, ...report };
  }

  @Delete(':maLk/events/:eventId')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Take back an event sent earlier (by its eventId): the encounter is rebuilt without it; idempotent',
  })
  async retract(
    @Param('facilityCode') facilityCode: string,
    @Param('maLk') maLk: string,
    @Param('eventId') eventId: string,
  ) {
    const path = parseParams(EventPath, { facilityCode, maLk, eventId });
    return {
      eventId: path.eventId,
      ...(await this.encounters.retract(path.facilityCode, path.maLk, path.eventId, 'HIS')),
    };
  }

  @Post(':maLk/close')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Close (or re-close after a correction): builds, validates and emits encounter.closed; a refusal lists the events to fix',
  })
  close(@Param('facilityCode') facilityCode: string, @Param('maLk') maLk: string) {
    const path = parseParams(EncounterPath, { facilityCode, maLk });
    return this.encounters.close(path.facilityCode, path.maLk);
  }
}
