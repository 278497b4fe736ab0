import { Body, Controller, Headers, Inject, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TokenIssuer, TokenRequestError } from './issuer';

export const TOKEN_ISSUER = Symbol('TokenIssuer');

/** Client credentials from the form/JSON body or HTTP Basic (client_secret_basic). */
function credentials(
  body: Record<string, unknown>,
  authorization: string | undefined,
): { id: unknown; secret: unknown } {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0)
      return {
        id: decodeURIComponent(decoded.slice(0, i)),
        secret: decodeURIComponent(decoded.slice(i + 1)),
      };
  }
  return { id: body['client_id'], secret: body['client_secret'] };
}

@ApiTags('oauth')
@Controller('oauth')
export class TokenController {
  constructor(@Inject(TOKEN_ISSUER) private readonly issuer: TokenIssuer) {}

  @Post('token')
  @ApiOperation({ summary: 'OAuth 2.0 client credentials: a short-lived RS256 access token' })
  async token(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ) {
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const { id, secret } = credentials(b, authorization);
    res.setHeader('Cache-Control', 'no-store');
    try {
      res.status(200).json(await this.issuer.issue(b['grant_type'], id, secret));
    } catch (err) {
      if (!(err instanceof TokenRequestError)) throw err;
      res.status(err.status).json({ error: err.oauthError, error_description: err.message });
    }
  }
}
