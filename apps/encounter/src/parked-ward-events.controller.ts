import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { FacilityCode } from '@bhyt/contracts';
import { parseBody } from '@bhyt/service-kit';
import { ParkedWardEvents } from './parked-ward-events';

const ListRequest = z.object({
  facilityCode: FacilityCode,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

@ApiTags('encounters')
@Controller('v1/facilities/:facilityCode/parked-ward-events')
export class ParkedWardEventsController {
  constructor(private readonly parked: ParkedWardEvents) {}

  @Get()
  @ApiOperation({
    summary:
      'Ward events waiting for their encounter to open (intake.registered not seen yet), newest first: metadata only, never the clinical payload',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  list(@Param('facilityCode') facilityCode: string, @Query('limit') limit: unknown) {
    const req = parseBody(ListRequest, { facilityCode, limit });
    return this.parked.list(req.facilityCode, req.limit);
  }
}
