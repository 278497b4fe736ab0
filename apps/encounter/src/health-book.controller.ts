import { Controller, Get, Headers, Param, Query, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ACTOR_HEADER, ACTOR_ROLE_HEADER, HealthBookPurpose, HealthBookReadRequest } from '@bhyt/health-book';
import type { AuthenticatedRequest } from '@bhyt/auth';
import { parseBody } from '@bhyt/service-kit';
import { HealthBookService } from './health-book.service';

@ApiTags('health-book')
@Controller('v1/facilities/:facilityCode/patients/:patientRef/health-book')
export class HealthBookController {
  constructor(private readonly healthBook: HealthBookService) {}

  @Get()
  @ApiOperation({
    summary:
      "A patient's health book across the network (Decision 1332), for a doctor of a facility with a care relationship; every read is audited",
  })
  @ApiQuery({ name: 'purpose', enum: HealthBookPurpose.options, required: true })
  @ApiHeader({
    name: ACTOR_HEADER,
    required: false,
    description:
      'PLACEHOLDER when no authenticated principal: opaque id of the reading staff member (never a name); ignored when a bearer token names the reader',
  })
  @ApiHeader({
    name: ACTOR_ROLE_HEADER,
    required: false,
    description: 'PLACEHOLDER when no authenticated principal: role of the reader (DOCTOR)',
  })
  async read(
    @Param('facilityCode') facilityCode: string,
    @Param('patientRef') patientRef: string,
    @Query('purpose') purpose: unknown,
    @Headers(ACTOR_HEADER) actor: unknown,
    @Headers(ACTOR_ROLE_HEADER) actorRole: unknown,
    @Req() request: Pick<AuthenticatedRequest, 'principal' | 'pendingAudit'>,
  ) {
    // The authenticated principal (platform auth guard) names the reader; the x-actor headers
    // are the placeholder for deployments without it. Query and reader are validated
    // together: a refused request names every missing field.
    const reader = request.principal
      ? { actor: request.principal.sub, actorRole: request.principal.role.toUpperCase().replace(/-/g, '_') }
      : { actor, actorRole };
    let req: HealthBookReadRequest;
    try {
      req = parseBody(HealthBookReadRequest, { facilityCode, patientRef, purpose, ...reader });
    } catch (err) {
      await this.healthBook.recordDecision(request.pendingAudit, { granted: false, code: 'REQUEST_INVALID' });
      throw err;
    }
    return this.healthBook.read(req, request.pendingAudit);
  }
}
