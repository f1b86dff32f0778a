import { Module } from '@nestjs/common';
import { ConsoleAssetsService } from './console-assets.service';

/** Serves the web console (apps/console/dist) at `/`, with the SPA fallback for every non-API path. */
@Module({ providers: [ConsoleAssetsService] })
export class ConsoleModule {}
