import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FacilityCode } from '@bhyt/contracts';
import { parseBody, ValidationFailed } from '@bhyt/service-kit';
import { RegisterVisitRequest } from './registration.schema';
import { RegistrationService } from './registration.service';

@ApiTags('visits')
@Controller('v1/facilities/:facilityCode/visits')
export class VisitsController {
  constructor(private readonly registration: RegistrationService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a visit by CCCD, personal ID number, BHYT card or VNeID QR' })
  async register(@Param('facilityCode') facilityCode: string, @Body() body: unknown) {
    if (!FacilityCode.safeParse(facilityCode).success) {
      throw new ValidationFailed([
        { field: 'facilityCode', code: 'INVALID_FORMAT', message: 'facility code must be 5 digits' },
      ]);
    }
    const req = parseBody(RegisterVisitRequest, body);
    return this.registration.register(facilityCode, req);
  }
}
