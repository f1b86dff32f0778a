import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Env } from '@crewdesk/config';

export interface AccessClaims {
  typ: 'access';
  sub: string; // user id
  tid: string; // tenant id
  sid: string; // session id
}

export interface PortalClaims {
  typ: 'portal';
  sub: string; // customer id
  tid: string;
  /** When set, the token opens this one ticket only (the access link of a web-form ticket). */
  tkt?: string;
}

type Claims = AccessClaims | PortalClaims;

/** Signs and checks the JWTs: short-lived staff access tokens and customers' portal links. */
@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly env: Env,
  ) {}

  signAccess(claims: Omit<AccessClaims, 'typ'>): string {
    return this.jwt.sign({ ...claims, typ: 'access' }, { expiresIn: this.env.ACCESS_TOKEN_TTL_SECONDS });
  }

  signPortal(claims: Omit<PortalClaims, 'typ'>): string {
    return this.jwt.sign({ ...claims, typ: 'portal' }, { expiresIn: `${this.env.PORTAL_LINK_TTL_DAYS}d` });
  }

  verify<T extends Claims['typ']>(token: string, typ: T): Extract<Claims, { typ: T }> {
    let claims: Claims;
    try {
      claims = this.jwt.verify<Claims>(token, { algorithms: ['HS256'] });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') {
        throw new AppError(ErrorCode.TOKEN_EXPIRED, 'The token has expired; sign in again or refresh it');
      }
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The token is not valid');
    }
    if (claims.typ !== typ || typeof claims.sub !== 'string' || typeof claims.tid !== 'string') {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The token is not valid here');
    }
    return claims as Extract<Claims, { typ: T }>;
  }
}
