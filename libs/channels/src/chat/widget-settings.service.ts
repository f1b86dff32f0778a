import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { queryRows, TenantContext } from '@crewdesk/db';
import { BusinessHours } from './business-hours';

export interface WidgetSettings {
  /** Signs host pages' user ids (identity verification). Never sent to browsers. */
  secret: string;
  greeting: { en: string; 'zh-CN': string };
  businessHours: BusinessHours | null;
}

const DEFAULTS: Omit<WidgetSettings, 'secret'> = {
  greeting: { en: 'Hi! How can we help?', 'zh-CN': '您好！请问有什么可以帮您？' },
  businessHours: null,
};

/** The chat widget's settings of the workspace in context, kept in `tenants.settings.widget`. */
@Injectable()
export class WidgetSettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ctx: TenantContext,
  ) {}

  async get(): Promise<WidgetSettings> {
    const [row] = await this.db.query(`SELECT settings->'widget' AS widget FROM tenants WHERE id = $1`, [
      this.ctx.tenantId,
    ]);
    const stored = (row?.widget ?? {}) as Partial<WidgetSettings>;
    if (stored.secret) return { ...DEFAULTS, ...stored } as WidgetSettings;
    // First use: make a secret (only if none was made meanwhile).
    const secret = randomBytes(32).toString('hex');
    const [updated] = await queryRows(
      this.db,
      `UPDATE tenants SET settings = jsonb_set(settings, '{widget}', coalesce(settings->'widget', '{}'::jsonb) || jsonb_build_object('secret', $2::text))
       WHERE id = $1 AND (settings->'widget'->>'secret') IS NULL RETURNING settings->'widget' AS widget`,
      [this.ctx.tenantId, secret],
    );
    return updated ? { ...DEFAULTS, ...updated.widget } : this.get();
  }

  async update(patch: Partial<Omit<WidgetSettings, 'secret'>> & { rotateSecret?: boolean }): Promise<WidgetSettings> {
    const current = await this.get();
    const next: WidgetSettings = {
      secret: patch.rotateSecret ? randomBytes(32).toString('hex') : current.secret,
      greeting: patch.greeting ?? current.greeting,
      businessHours: patch.businessHours !== undefined ? patch.businessHours : current.businessHours,
    };
    await this.db.query(
      `UPDATE tenants SET settings = jsonb_set(settings, '{widget}', $2::jsonb), updated_at = now() WHERE id = $1`,
      [this.ctx.tenantId, JSON.stringify(next)],
    );
    return next;
  }
}
