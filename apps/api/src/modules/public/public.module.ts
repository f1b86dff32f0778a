import { Module } from '@nestjs/common';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { PublicController } from './public.controller';

@Module({ imports: [WorkspacesModule], controllers: [PublicController] })
export class PublicModule {}
