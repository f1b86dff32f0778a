import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { Env } from '@crewdesk/config';
import { AuthGuard } from './auth.guard';
import { TokensService } from './tokens.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [Env],
      useFactory: (env: Env) => ({ secret: env.JWT_SECRET, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  providers: [TokensService, AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }],
  exports: [TokensService, AuthGuard],
})
export class AuthModule {}
