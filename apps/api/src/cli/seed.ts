import { NestFactory } from '@nestjs/core';
import { Actor, TenantContext } from '@crewdesk/db';
import { TicketsService } from '@crewdesk/tickets';
import { EscalationService } from '@crewdesk/routing';
import { ChannelsService } from '@crewdesk/channels';
import { AppModule } from '../app.module';
import { UsersService } from '../modules/users/users.service';
import { WorkspacesService } from '../modules/workspaces/workspaces.service';
import { DataSource } from 'typeorm';

export const DEMO = {
  workspace: 'demo',
  password: 'crewdesk-demo',
  mailbox: 'support@demo.crewdesk.dev',
  people: [
    { email: 'admin@demo.crewdesk.dev', name: 'Alex Admin', roles: ['admin'], team: null },
    { email: 'wang@demo.crewdesk.dev', name: '小王 Wang Xiao', roles: ['agent'], team: 'Support' },
    { email: 'mia@demo.crewdesk.dev', name: 'Mia Agent', roles: ['agent'], team: 'Support' },
    { email: 'chen@demo.crewdesk.dev', name: '老陈 Chen Lao', roles: ['engineer'], team: 'Engineering' },
    { email: 'lily@demo.crewdesk.dev', name: 'Lily Product', roles: ['product'], team: 'Engineering' },
  ],
} as const;

const TICKETS = [
  {
    channel: 'web',
    subject: 'Cannot reset my password',
    body: 'The reset link says it expired, every time.',
    email: 'li.xiao@example.cn',
    name: '小李',
    priority: 'high',
    tags: ['login'],
  },
  {
    channel: 'email',
    subject: '发票开错了，需要重开',
    body: '你好，上个月的发票抬头写错了，麻烦重新开一张。谢谢！',
    email: 'zhang.san@example.cn',
    name: '张三',
    priority: 'normal',
    tags: ['billing'],
  },
  {
    channel: 'chat',
    subject: '打印机连不上 WiFi',
    body: '新买的打印机一直连不上公司的 WiFi，重启也没用。',
    email: 'li.si@example.cn',
    name: '李四',
    priority: 'normal',
    tags: ['hardware'],
  },
  {
    channel: 'api',
    subject: 'Export to CSV would save us hours',
    body: 'Could the reports page export CSV? We copy numbers by hand every Monday.',
    email: 'ops@acme.example',
    name: 'Acme Ops',
    priority: 'low',
    tags: ['feature-request'],
  },
  {
    channel: 'web',
    subject: 'App crashes when uploading a photo',
    body: 'On Android 14 the app closes as soon as I pick a photo larger than 10 MB.',
    email: 'dev.user@example.com',
    name: 'Sam',
    priority: 'urgent',
    tags: ['bug', 'android'],
  },
] as const;

/** Creates the demo workspace once; running it again changes nothing and prints the same logins. */
export async function seedDemo(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const workspaces = app.get(WorkspacesService);
    if (await workspaces.findBySlug(DEMO.workspace)) {
      console.log('✔ demo workspace already exists');
      return;
    }
    const [admin, ...staff] = DEMO.people;
    const { workspace, adminId } = await workspaces.create({
      name: 'Crewdesk Demo',
      slug: DEMO.workspace,
      admin: { email: admin.email, name: admin.name, password: DEMO.password },
    });
    const ctx = app.get(TenantContext);
    const db = app.get<DataSource>(DataSource);
    const actor: Actor = {
      kind: 'user',
      id: adminId,
      tenantId: workspace.id,
      name: admin.name,
      permissions: new Set(['*']),
    };
    await ctx.run(actor, async () => {
      const teams: Record<string, string> = {};
      for (const [name, assignment] of [
        ['Support', 'round_robin'],
        ['Engineering', 'manual'],
        ['Billing', 'least_loaded'],
      ] as const) {
        const [row] = await db.query(
          `INSERT INTO teams (tenant_id, name, assignment) VALUES ($1, $2, $3) RETURNING id`,
          [workspace.id, name, assignment],
        );
        teams[name] = row.id;
      }
      await app.get(ChannelsService).create({ address: DEMO.mailbox, name: 'Demo support mailbox' });
      const users = app.get(UsersService);
      const ids: Record<string, string> = {};
      for (const p of staff) {
        const u = await users.create({
          email: p.email,
          name: p.name,
          password: DEMO.password,
          roles: [...p.roles],
          teamIds: p.team ? [teams[p.team]] : [],
        });
        ids[p.email] = u.id;
      }
      // Billing questions (Chinese or English) go to Billing; Mia covers it; Lily follows feature requests.
      await db.query(`INSERT INTO team_members (team_id, user_id, tenant_id) VALUES ($1, $2, $3)`, [
        teams.Billing,
        ids['mia@demo.crewdesk.dev'],
        workspace.id,
      ]);
      await db.query(
        `INSERT INTO routing_rules (tenant_id, name, position, conditions, actions) VALUES ($1, $2, 0, $3, $4)`,
        [
          workspace.id,
          '退款 / 发票 → Billing',
          JSON.stringify({ keywords: ['退款', '发票', 'refund', 'invoice'] }),
          JSON.stringify({ teamId: teams.Billing, addTags: ['billing'] }),
        ],
      );
      await db.query(`INSERT INTO tag_subscriptions (tenant_id, user_id, tag) VALUES ($1, $2, 'feature-request')`, [
        workspace.id,
        ids['lily@demo.crewdesk.dev'],
      ]);
      const tickets = app.get(TicketsService);
      for (const [i, t] of TICKETS.entries()) {
        // The customer writes in (the first message is theirs), then staff act as themselves.
        const { ticket } = await ctx.run(TenantContext.system(workspace.id), () =>
          tickets.create({
            subject: t.subject,
            body: t.body,
            channel: t.channel,
            requester: { email: t.email, name: t.name },
            priority: t.priority,
            tags: [...t.tags],
            teamId: (t.tags as readonly string[]).includes('bug') ? teams.Engineering : teams.Support,
          }),
        );
        const as = (email: string, name: string): Actor => ({
          kind: 'user',
          id: ids[email],
          tenantId: workspace.id,
          name,
          permissions: new Set(['*']),
        });
        if (i === 0) {
          await ctx.run(as('wang@demo.crewdesk.dev', '小王 Wang Xiao'), async () => {
            await tickets.update(ticket.id, { version: ticket.version, assigneeId: ids['wang@demo.crewdesk.dev'] });
            await tickets.addMessage(ticket.id, {
              body: 'Sorry about that! I have sent a fresh link that stays valid for 24 hours.',
            });
          });
        }
        if (i === 4) {
          await ctx.run(as('mia@demo.crewdesk.dev', 'Mia Agent'), () =>
            tickets.addMessage(ticket.id, {
              body: '@老陈 can you look at the upload limit on Android?',
              internal: true,
              mentions: [ids['chen@demo.crewdesk.dev']],
            }),
          );
        }
        if (i === 3) {
          await ctx.run(as('mia@demo.crewdesk.dev', 'Mia Agent'), () =>
            app.get(EscalationService).escalate(ticket.id, {
              target: { type: 'user', id: ids['lily@demo.crewdesk.dev'] },
              mode: 'bring_in',
              reason: 'Is CSV export on the roadmap? Acme asks for it too.',
            }),
          );
        }
      }
    });
    console.log('✔ demo workspace created');
  } finally {
    await app.close();
  }
}
