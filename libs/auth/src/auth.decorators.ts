import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Actor, currentScope } from '@crewdesk/db';
import { Permission } from './permissions';

export const AUTH_KIND = 'crewdesk:auth-kind';
export const REQUIRED_PERMISSIONS = 'crewdesk:permissions';

export type AuthKind = 'staff' | 'customer' | 'public';

/** No login: the handler resolves the workspace itself (web form, sign-up, login). */
export const Public = () => SetMetadata(AUTH_KIND, 'public');
/** A customer's portal token (`Authorization: Bearer <accessToken>` from the web form or a link). */
export const CustomerAuth = () => SetMetadata(AUTH_KIND, 'customer');
/** A staff JWT or an API key holding every one of these permissions. */
export const RequirePermissions = (...permissions: Permission[]) => SetMetadata(REQUIRED_PERMISSIONS, permissions);

/** The authenticated actor of this request. */
export const CurrentActor = createParamDecorator(
  (_: unknown, _ctx: ExecutionContext): Actor => currentScope()?.actor as Actor,
);
