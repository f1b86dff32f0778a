export * from './chat/identity';
export * from './chat/business-hours';
export * from './chat/widget-settings.service';
export * from './chat/chat.service';
export * from './channels.module';
