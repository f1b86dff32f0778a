import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, qs } from '../api/client';
import { useTeams } from '../api/hooks';
import type { Overview, Scorecard, Scorecards, Touchpoints } from '../api/types';
import { useApp } from '../app/context';
import { navigate } from '../lib/router';
import { Chart, type ChartTable } from './chart';
import {
  dayRange,
  formatCompact,
  formatDay,
  formatHour,
  formatNumber,
  formatPercent,
  formatSeconds,
  presetDays,
  viewerZone,
} from './format';

type Preset = '7' | '30' | '90' | 'custom';
type Group = 'person' | 'team' | 'role';

export interface ReportParams {
  from: string;
  to: string;
  timezone: string;
  teamId?: string;
}

/** Period controls: 7/30/90 days or custom, as whole days in the viewer's zone; and a team. */
function usePeriod() {
  const [preset, setPreset] = useState<Preset>('30');
  const [custom, setCustom] = useState(() => presetDays(30));
  const [teamId, setTeamId] = useState('');
  const days = preset === 'custom' ? custom : presetDays(Number(preset));
  const valid = days.first <= days.last;
  const range = valid ? dayRange(days.first, days.last) : dayRange(days.last, days.last);
  const params: ReportParams = { ...range, timezone: viewerZone(), teamId: teamId || undefined };
  return { preset, setPreset, custom, setCustom, teamId, setTeamId, params, valid };
}

function useReport<T>(kind: string, path: string, params: ReportParams, enabled = true, extra: object = {}) {
  const { api } = useApp();
  return useQuery({
    queryKey: ['report', kind, params, extra],
    queryFn: () => api.get<T>(path + qs({ ...params, ...extra })),
    enabled,
    staleTime: 60_000,
    retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 1,
  });
}

/** Downloads a `format=csv` export with the bearer token (fetch + Blob; a bare link would carry no auth). */
async function downloadCsv(blob: (path: string) => Promise<Blob>, path: string, filename: string): Promise<void> {
  const data = await blob(path);
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The empty and failed states, with the reason and a Retry. */
function Problem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  if (error instanceof ApiError && error.status === 403)
    return (
      <p className="report-state" role="status" data-testid="report-forbidden">
        {t('reports.forbidden')}
      </p>
    );
  return (
    <div className="report-state error-state" role="alert" data-testid="report-error">
      <p>{t('reports.error', { message: (error as Error)?.message ?? '' })}</p>
      <button className="btn small" onClick={onRetry}>
        {t('reports.retry')}
      </button>
    </div>
  );
}

function Tile({
  label,
  value,
  sub,
  title,
  testId,
}: {
  label: string;
  value: string;
  sub?: string;
  title?: string;
  testId?: string;
}) {
  return (
    <div className="tile" title={title} data-testid={testId ?? 'tile'}>
      <dt>{label}</dt>
      <dd className="tile-value">{value}</dd>
      {sub && <dd className="tile-sub muted">{sub}</dd>}
    </div>
  );
}

function PeriodControls({ period, children }: { period: ReturnType<typeof usePeriod>; children?: ReactNode }) {
  const { t } = useTranslation();
  const teams = useTeams();
  return (
    <div className="report-controls" role="group" aria-label={t('reports.period')}>
      <div className="segmented" role="radiogroup" aria-label={t('reports.period')}>
        {(['7', '30', '90', 'custom'] as const).map((p) => (
          <button
            key={p}
            role="radio"
            aria-checked={period.preset === p}
            className={`btn small ${period.preset === p ? 'primary' : ''}`}
            onClick={() => period.setPreset(p)}
            data-testid={`preset-${p}`}
          >
            {p === 'custom' ? t('reports.custom') : t('reports.lastDays', { count: Number(p) })}
          </button>
        ))}
      </div>
      {period.preset === 'custom' && (
        <>
          <label className="inline-field">
            {t('reports.from')}
            <input
              type="date"
              value={period.custom.first}
              max={period.custom.last}
              onChange={(e) => e.target.value && period.setCustom({ ...period.custom, first: e.target.value })}
            />
          </label>
          <label className="inline-field">
            {t('reports.to')}
            <input
              type="date"
              value={period.custom.last}
              min={period.custom.first}
              onChange={(e) => e.target.value && period.setCustom({ ...period.custom, last: e.target.value })}
            />
          </label>
        </>
      )}
      {(teams.data?.length ?? 0) > 0 && (
        <label className="inline-field">
          {t('reports.team')}
          <select value={period.teamId} onChange={(e) => period.setTeamId(e.target.value)} data-testid="report-team">
            <option value="">{t('reports.allTeams')}</option>
            {teams.data!.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <span className="muted small" data-testid="report-zone">
        {t('reports.zone', { zone: period.params.timezone })}
      </span>
      {!period.valid && (
        <span className="error-text small" role="alert">
          {t('reports.badRange')}
        </span>
      )}
      {children}
    </div>
  );
}

const allZero = (xs: Array<{ tickets?: number; count?: number }>) => xs.every((x) => !(x.tickets ?? x.count));

/** Headline tiles of the overview. */
export function Tiles({ o }: { o: Overview }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const s = o.satisfaction;
  return (
    <dl className="tiles" data-testid="report-tiles">
      <Tile
        label={t('reports.tickets')}
        value={formatCompact(o.volume.tickets, lng)}
        sub={t('reports.backlogOpen', { count: o.backlog.open, n: formatCompact(o.backlog.open, lng) })}
      />
      <Tile
        label={t('reports.firstResponseMedian')}
        value={formatSeconds(o.firstResponse.medianSeconds, lng)}
        sub={t('reports.p90', { value: formatSeconds(o.firstResponse.p90Seconds, lng) })}
        title={o.formulas.firstResponse}
        testId="tile-first-response"
      />
      <Tile
        label={t('reports.resolutionMedian')}
        value={formatSeconds(o.resolution.medianSeconds, lng)}
        sub={t('reports.p90', { value: formatSeconds(o.resolution.p90Seconds, lng) })}
        title={o.formulas.resolution}
        testId="tile-resolution"
      />
      {(o.sla.length ? o.sla : [{ metric: 'all', met: 0, breached: 0, running: 0, compliance: null }]).map((m) => (
        <Tile
          key={m.metric}
          label={t('reports.slaCompliance', {
            metric: t(`sla.${m.metric}`, { defaultValue: t('reports.allMetrics') }),
          })}
          value={formatPercent(m.compliance, lng)}
          sub={t('reports.metBreached', { met: formatNumber(m.met, lng), breached: formatNumber(m.breached, lng) })}
          title={o.formulas.slaCompliance}
          testId={`tile-sla-${m.metric}`}
        />
      ))}
      <Tile
        label={t('reports.reopenRate')}
        value={formatPercent(o.reopens.rate, lng)}
        sub={t('reports.reopenedOf', {
          reopened: formatNumber(o.reopens.reopened, lng),
          solved: formatNumber(o.reopens.solved, lng),
        })}
        title={o.formulas.reopenRate}
      />
      <Tile
        label={t('reports.csat')}
        value={formatPercent(s.csat.percent, lng)}
        sub={t('reports.answersOf', { answered: formatNumber(s.answered, lng), sent: formatNumber(s.sent, lng) })}
        title={o.formulas.csat}
        testId="tile-csat"
      />
      <Tile
        label={t('reports.nps')}
        value={formatNumber(s.nps.score, lng)}
        sub={t('reports.answers', { count: s.nps.answers, n: formatNumber(s.nps.answers, lng) })}
        title={o.formulas.nps}
        testId="tile-nps"
      />
      <Tile
        label={t('reports.ces')}
        value={formatNumber(s.ces.average, lng, 2)}
        sub={t('reports.answers', { count: s.ces.answers, n: formatNumber(s.ces.answers, lng) })}
        title={o.formulas.ces}
        testId="tile-ces"
      />
    </dl>
  );
}

function barOption(
  categories: string[],
  series: Array<{ name: string; data: number[]; stack?: string }>,
  horizontal = false,
) {
  const cat = { type: 'category', data: categories, axisLabel: { color: '#57606a' }, inverse: horizontal };
  const val = { type: 'value', minInterval: 1, axisLabel: { color: '#57606a' } };
  return {
    tooltip: { trigger: 'axis' },
    legend: series.length > 1 ? { top: 0, textStyle: { color: '#1f2328' } } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
    xAxis: horizontal ? val : cat,
    yAxis: horizontal ? cat : val,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, stack: s.stack, barMaxWidth: 32 })),
  };
}

function table(columns: string[], rows: Array<Array<string | number>>): ChartTable {
  return { columns, rows };
}

/** The charts of the overview and the touchpoints. */
export function Charts({ o, tp }: { o: Overview; tp?: Touchpoints }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const n = (v: number) => formatNumber(v, lng);
  const noData = t('reports.noDataRange');
  const tickets = t('reports.ticketsSeries');

  const days = o.volume.byDay;
  const dayLabels = days.map((d) => formatDay(d.date, lng));
  const hours = o.volume.byHour;
  const hourLabels = hours.map((h) => formatHour(h.hour, lng));
  const buckets = o.backlog.ageBuckets;
  const bucketLabels = buckets.map((b) => t(`reports.age.${b.bucket}`, { defaultValue: b.bucket }));
  const roles = o.answeredByRole;
  const channels = tp?.channels.length
    ? tp.channels
    : o.volume.byChannel.map((c) => ({ ...c, answered: c.tickets, unanswered: 0, resolved: 0 }));
  const channelLabels = channels.map((c) => t(`channel.${c.channel}`, { defaultValue: c.channel }));
  const answered = t('reports.answeredSeries');
  const unanswered = t('reports.unansweredSeries');
  const funnel = tp?.funnel ?? [];
  const stepLabels = funnel.map((s) => t(`reports.step.${s.step}`, { defaultValue: s.label }));
  const topics = tp
    ? [
        ...tp.topics.tags.map((x) => ({ name: `#${x.tag}`, tickets: x.tickets })),
        ...tp.topics.keywords.map((x) => ({ name: x.keyword, tickets: x.tickets })),
      ]
        .sort((a, b) => b.tickets - a.tickets)
        .slice(0, 10)
    : [];
  const peak = (xs: Array<{ tickets: number }>, labels: string[]) => {
    let best = 0;
    xs.forEach((x, i) => x.tickets > xs[best].tickets && (best = i));
    return xs.length ? labels[best] : '';
  };

  return (
    <div className="charts" data-testid="report-charts">
      <Chart
        id="volume-day"
        title={t('reports.chart.volumeByDay')}
        summary={t('reports.summary.volumeByDay', {
          total: n(o.volume.tickets),
          peak: peak(days, dayLabels),
          max: n(Math.max(0, ...days.map((d) => d.tickets))),
        })}
        empty={allZero(days) ? noData : null}
        option={barOption(dayLabels, [{ name: tickets, data: days.map((d) => d.tickets) }])}
        table={table(
          [t('reports.day'), tickets],
          days.map((d, i) => [dayLabels[i], d.tickets]),
        )}
      />
      <Chart
        id="volume-channel"
        title={t('reports.chart.volumeByChannel')}
        summary={t('reports.summary.volumeByChannel', {
          list: channels.map((c, i) => `${channelLabels[i]} ${n(c.tickets)}`).join(lng.startsWith('zh') ? '，' : ', '),
        })}
        empty={allZero(channels) ? noData : null}
        option={barOption(channelLabels, [
          { name: answered, data: channels.map((c) => c.answered), stack: 'c' },
          { name: unanswered, data: channels.map((c) => c.unanswered), stack: 'c' },
        ])}
        table={table(
          [t('reports.channel'), answered, unanswered],
          channels.map((c, i) => [channelLabels[i], c.answered, c.unanswered]),
        )}
      />
      <Chart
        id="volume-hour"
        title={t('reports.chart.volumeByHour')}
        summary={t('reports.summary.volumeByHour', { peak: peak(hours, hourLabels), zone: o.period.timezone })}
        empty={allZero(hours) ? noData : null}
        option={barOption(hourLabels, [{ name: tickets, data: hours.map((h) => h.tickets) }])}
        table={table(
          [t('reports.hour'), tickets],
          hours.map((h, i) => [hourLabels[i], h.tickets]),
        )}
      />
      <Chart
        id="backlog-age"
        title={t('reports.chart.backlogByAge')}
        summary={t('reports.summary.backlogByAge', {
          open: n(o.backlog.open),
          oldest: formatSeconds(o.backlog.oldestAgeSeconds, lng),
        })}
        empty={allZero(buckets) ? t('reports.noBacklog') : null}
        option={barOption(bucketLabels, [{ name: tickets, data: buckets.map((b) => b.tickets) }])}
        table={table(
          [t('reports.age.title'), tickets],
          buckets.map((b, i) => [bucketLabels[i], b.tickets]),
        )}
      />
      <Chart
        id="by-role"
        title={t('reports.chart.answeredByRole')}
        summary={t('reports.summary.answeredByRole', {
          list: roles.map((r) => `${r.role} ${n(r.tickets)}`).join(lng.startsWith('zh') ? '，' : ', '),
        })}
        empty={roles.length ? null : noData}
        option={barOption(
          roles.map((r) => r.role),
          [{ name: t('reports.answeredTickets'), data: roles.map((r) => r.tickets) }],
          true,
        )}
        table={table(
          [t('reports.role'), t('reports.people'), t('reports.answeredTickets'), t('reports.replies')],
          roles.map((r) => [r.role, r.people, r.tickets, r.replies]),
        )}
      />
      {tp && (
        <Chart
          id="funnel"
          title={t('reports.chart.funnel')}
          summary={funnel.map((s, i) => `${stepLabels[i]} ${n(s.count)}`).join(' → ')}
          empty={allZero(funnel) ? noData : null}
          option={{
            ...barOption(stepLabels, [{ name: tickets, data: [] }], true),
            series: [
              {
                type: 'bar',
                name: t('reports.count'),
                barMaxWidth: 28,
                data: funnel.map((s) => ({
                  value: s.count,
                  label: {
                    show: true,
                    position: 'right',
                    color: '#1f2328',
                    formatter:
                      s.conversion == null ? n(s.count) : `${n(s.count)} (${formatPercent(s.conversion, lng)})`,
                  },
                })),
              },
            ],
          }}
          table={table(
            [t('reports.stepTitle'), t('reports.count'), t('reports.conversion')],
            funnel.map((s, i) => [stepLabels[i], s.count, formatPercent(s.conversion, lng)]),
          )}
        />
      )}
      {tp && (
        <Chart
          id="topics"
          title={t('reports.chart.topics')}
          summary={t('reports.summary.topics', {
            list: topics
              .slice(0, 5)
              .map((x) => x.name)
              .join(lng.startsWith('zh') ? '、' : ', '),
          })}
          empty={topics.length ? null : noData}
          option={barOption(
            topics.map((x) => x.name),
            [{ name: tickets, data: topics.map((x) => x.tickets) }],
            true,
          )}
          table={table(
            [t('reports.topic'), tickets],
            topics.map((x) => [x.name, x.tickets]),
          )}
        />
      )}
    </div>
  );
}

/** Scores per person, team or role, with the formula the API states. */
export function ScorecardTable({ data, highlight }: { data: Scorecards; highlight?: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const p = (v: number | null) => formatPercent(v, lng);
  return (
    <>
      {data.items.length ? (
        <div className="table-scroll">
          <table className="table scorecards" data-testid="scorecards-table">
            <thead>
              <tr>
                <th scope="col">{t(`reports.group.${data.groupBy}`)}</th>
                <th scope="col">{t('reports.score')}</th>
                <th scope="col">{t('reports.part.response')}</th>
                <th scope="col">{t('reports.part.resolution')}</th>
                <th scope="col">{t('reports.part.afterSales')}</th>
                <th scope="col">{t('reports.part.satisfaction')}</th>
                <th scope="col">{t('reports.part.disputes')}</th>
                <th scope="col">{t('reports.tickets')}</th>
                <th scope="col">{t('reports.firstResponseMedian')}</th>
                <th scope="col">{t('reports.resolutionMedian')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((r: Scorecard) => (
                <tr key={r.key ?? '-'} aria-current={highlight && r.key === highlight ? 'true' : undefined}>
                  <th scope="row">{r.key == null ? t(`reports.noKey.${data.groupBy}`) : r.name}</th>
                  <td className="num strong">{formatNumber(r.score, lng)}</td>
                  <td className="num">{p(r.components.response)}</td>
                  <td className="num">{p(r.components.resolution)}</td>
                  <td className="num">{p(r.components.afterSales)}</td>
                  <td className="num">{p(r.components.satisfaction)}</td>
                  <td className="num">{p(r.components.disputes)}</td>
                  <td className="num">{formatNumber(r.tickets, lng)}</td>
                  <td className="num">{formatSeconds(r.firstResponseMedianSeconds, lng)}</td>
                  <td className="num">{formatSeconds(r.resolutionMedianSeconds, lng)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="report-state" data-testid="scorecards-empty">
          {t('reports.noScores')}
        </p>
      )}
      <details className="formula" open>
        <summary>{t('reports.formula')}</summary>
        <p data-testid="score-formula">{data.formula.text}</p>
        <p className="muted small">{t('reports.basis', { basis: data.basis })}</p>
      </details>
    </>
  );
}

function ExportButton({ label, path, name }: { label: string; path: string; name: string }) {
  const { api, toast } = useApp();
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  return (
    <button
      className="btn small"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await downloadCsv((p) => api.blob(p), path, name);
        } catch (err) {
          toast({ tone: 'error', text: t('reports.exportFailed', { message: (err as Error).message }) });
        } finally {
          setBusy(false);
        }
      }}
      data-testid={`export-${name.split('-')[1]}`}
    >
      ⤓ {label}
    </button>
  );
}

function fileName(kind: string, params: ReportParams) {
  return `crewdesk-${kind}-${params.from.slice(0, 10)}-${params.to.slice(0, 10)}.csv`;
}

function OverviewScreen() {
  const { t } = useTranslation();
  const { me } = useApp();
  const period = usePeriod();
  const [group, setGroup] = useState<Group>('person');
  const allowed = me.permissions.includes('report.read');
  const { params } = period;
  const overview = useReport<Overview>('overview', '/api/v1/reports/overview', params, allowed && period.valid);
  const touch = useReport<Touchpoints>('touchpoints', '/api/v1/reports/touchpoints', params, allowed && period.valid);
  const cards = useReport<Scorecards>('scorecards', '/api/v1/reports/scorecards', params, allowed && period.valid, {
    groupBy: group,
  });
  if (!allowed)
    return (
      <p className="report-state" role="status" data-testid="report-forbidden">
        {t('reports.forbidden')}{' '}
        <a href="/reports/me" onClick={(e) => (e.preventDefault(), navigate({ name: 'reports', section: 'me' }))}>
          {t('reports.mine')}
        </a>
      </p>
    );
  const o = overview.data;
  const empty = o && o.volume.tickets === 0 && o.backlog.open === 0 && o.satisfaction.sent === 0;
  const q = qs({ ...params, format: 'csv' });
  return (
    <>
      <PeriodControls period={period}>
        <span className="row-spacer" />
        <ExportButton
          label={t('reports.exportOverview')}
          path={`/api/v1/reports/overview${q}`}
          name={fileName('overview', params)}
        />
        <ExportButton
          label={t('reports.exportTouchpoints')}
          path={`/api/v1/reports/touchpoints${q}`}
          name={fileName('touchpoints', params)}
        />
      </PeriodControls>
      {overview.isPending ? (
        <p className="report-state muted" role="status">
          {t('reports.loading')}
        </p>
      ) : overview.isError ? (
        <Problem error={overview.error} onRetry={() => void overview.refetch()} />
      ) : (
        o && (
          <>
            {empty && (
              <p className="report-state" role="status" data-testid="report-empty">
                {t('reports.emptyRange')}
              </p>
            )}
            <Tiles o={o} />
            {touch.isError && <Problem error={touch.error} onRetry={() => void touch.refetch()} />}
            <Charts o={o} tp={touch.data} />
          </>
        )
      )}
      <section className="report-section" aria-labelledby="scorecards-title">
        <div className="section-head">
          <h2 id="scorecards-title">{t('reports.scorecards')}</h2>
          <label className="inline-field">
            {t('reports.groupBy')}
            <select value={group} onChange={(e) => setGroup(e.target.value as Group)} data-testid="scorecard-group">
              {(['person', 'team', 'role'] as const).map((g) => (
                <option key={g} value={g}>
                  {t(`reports.group.${g}`)}
                </option>
              ))}
            </select>
          </label>
          <span className="row-spacer" />
          <ExportButton
            label={t('reports.exportScorecards')}
            path={`/api/v1/reports/scorecards${qs({ ...params, groupBy: group, format: 'csv' })}`}
            name={fileName(`scorecards-${group}`, params)}
          />
        </div>
        {cards.isPending ? (
          <p className="muted">{t('reports.loading')}</p>
        ) : cards.isError ? (
          <Problem error={cards.error} onRetry={() => void cards.refetch()} />
        ) : (
          <ScorecardTable data={cards.data} />
        )}
      </section>
    </>
  );
}

/** Everyone's own card: the same figures and formula, for themselves only. */
function MyScorecard() {
  const { t, i18n } = useTranslation();
  const { me } = useApp();
  const period = usePeriod();
  const lng = i18n.language;
  const cards = useReport<Scorecards>('scorecards', '/api/v1/reports/scorecards', period.params, period.valid, {
    groupBy: 'person',
  });
  const mine = cards.data?.items.find((x) => x.key === me.id);
  return (
    <>
      <PeriodControls period={period} />
      {cards.isPending ? (
        <p className="report-state muted" role="status">
          {t('reports.loading')}
        </p>
      ) : cards.isError ? (
        <Problem error={cards.error} onRetry={() => void cards.refetch()} />
      ) : (
        <>
          {mine ? (
            <dl className="tiles" data-testid="my-scorecard">
              <Tile label={t('reports.score')} value={formatNumber(mine.score, lng)} title={cards.data.formula.text} />
              <Tile label={t('reports.part.response')} value={formatPercent(mine.components.response, lng)} />
              <Tile label={t('reports.part.resolution')} value={formatPercent(mine.components.resolution, lng)} />
              <Tile label={t('reports.part.afterSales')} value={formatPercent(mine.components.afterSales, lng)} />
              <Tile label={t('reports.part.satisfaction')} value={formatPercent(mine.components.satisfaction, lng)} />
              <Tile label={t('reports.part.disputes')} value={formatPercent(mine.components.disputes, lng)} />
              <Tile label={t('reports.tickets')} value={formatCompact(mine.tickets, lng)} />
              <Tile
                label={t('reports.firstResponseMedian')}
                value={formatSeconds(mine.firstResponseMedianSeconds, lng)}
              />
              <Tile label={t('reports.resolutionMedian')} value={formatSeconds(mine.resolutionMedianSeconds, lng)} />
            </dl>
          ) : (
            <p className="report-state" role="status" data-testid="report-empty">
              {t('reports.noMine')}
            </p>
          )}
          <details className="formula" open>
            <summary>{t('reports.formula')}</summary>
            <p data-testid="score-formula">{cards.data.formula.text}</p>
          </details>
        </>
      )}
    </>
  );
}

/** The Reports screen: the overview for `report.read`, and everyone's own scorecard. */
export default function Reports({ section }: { section: string }) {
  const { t } = useTranslation();
  const { me } = useApp();
  const allowed = me.permissions.includes('report.read');
  const current = section === 'me' || !allowed ? 'me' : 'overview';
  const link = (id: 'overview' | 'me', label: string) => (
    <li>
      <a
        href={id === 'me' ? '/reports/me' : '/reports'}
        aria-current={current === id ? 'page' : undefined}
        onClick={(e) => (e.preventDefault(), navigate({ name: 'reports', section: id }))}
        data-testid={`reports-nav-${id}`}
      >
        {label}
      </a>
    </li>
  );
  return (
    <div className="admin reports" data-testid="reports">
      <nav className="rail" aria-label={t('reports.title')}>
        <h2 className="rail-title">{t('reports.title')}</h2>
        <ul>
          {allowed && link('overview', t('reports.overview'))}
          {link('me', t('reports.mine'))}
        </ul>
      </nav>
      <main className="admin-main report-main" id="ticket-main">
        <h1 className="report-h1">{current === 'me' ? t('reports.mine') : t('reports.overview')}</h1>
        {current === 'me' ? <MyScorecard /> : <OverviewScreen />}
      </main>
    </div>
  );
}
