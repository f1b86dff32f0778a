import { Global, Module } from '@nestjs/common';
import { Env, loadEnv } from './env.schema';

/** Provides the validated `Env` to every module. Validation happens once, at boot. */
@Global()
@Module({ providers: [{ provide: Env, useFactory: () => loadEnv() }], exports: [Env] })
export class AppConfigModule {}
