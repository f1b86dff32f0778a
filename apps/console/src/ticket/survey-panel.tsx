import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import type { TicketSurvey } from '../api/types';
import { useApp, useLiveEvent } from '../app/context';
import { absoluteTime } from '../lib/format';

/** The ticket's survey, or null when it has none (a 404 is the normal "none"). */
export function useTicketSurvey(ticketId: string) {
  const { api } = useApp();
  return useQuery({
    queryKey: ['ticket-survey', ticketId],
    queryFn: async () => {
      try {
        const r = await api.get<{ survey: TicketSurvey | null }>(`/api/v1/tickets/${ticketId}/survey`);
        return r?.survey ?? null;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    staleTime: 30_000,
  });
}

function Stars({ value, max = 5 }: { value: number; max?: number }) {
  const { t } = useTranslation();
  return (
    <span className="stars" role="img" aria-label={t('survey.stars', { value, max })} data-testid="survey-stars">
      {Array.from({ length: max }, (_, i) => (
        <span key={i} aria-hidden="true" className={i < value ? 'star on' : 'star'}>
          {i < value ? '★' : '☆'}
        </span>
      ))}
    </span>
  );
}

/** The survey card in the ticket's sidebar: sent/answered, CSAT stars, NPS, CES and the comment. Nothing without one. */
export function SurveyPanel({ ticketId }: { ticketId: string }) {
  const { t, i18n } = useTranslation();
  const survey = useTicketSurvey(ticketId);
  const qc = useQueryClient();
  // Sent and answered arrive as internal ticket events: the card follows them live.
  useLiveEvent((e) => {
    if (e.ticketId === ticketId && e.type.startsWith('survey.'))
      void qc.invalidateQueries({ queryKey: ['ticket-survey', ticketId] });
  });
  const s = survey.data;
  if (!s) return null;
  const lng = i18n.language;
  const a = s.answer;
  const num = (v: number) => new Intl.NumberFormat(lng).format(v);
  return (
    <section aria-labelledby="survey-title" className="side-card survey-card" data-testid="survey-panel">
      <h2 id="survey-title">{t('survey.title')}</h2>
      <p className="muted small" data-testid="survey-status">
        {a
          ? t('survey.answeredAt', { time: absoluteTime(a.answeredAt, lng) })
          : s.sentAt
            ? t('survey.sentAt', { time: absoluteTime(s.sentAt, lng) })
            : t('survey.pending')}
      </p>
      {a ? (
        <dl className="survey-answer">
          <div>
            <dt>{t('survey.csat')}</dt>
            <dd>
              <Stars value={a.csat} />{' '}
              <span className="muted small">{t('survey.outOf', { value: num(a.csat), max: num(5) })}</span>
            </dd>
          </div>
          {a.nps != null && (
            <div>
              <dt>{t('survey.nps')}</dt>
              <dd data-testid="survey-nps">{t('survey.outOf', { value: num(a.nps), max: num(10) })}</dd>
            </div>
          )}
          {a.ces != null && (
            <div>
              <dt>{t('survey.ces')}</dt>
              <dd data-testid="survey-ces">{t('survey.cesValue', { value: num(a.ces), max: num(7) })}</dd>
            </div>
          )}
          {a.comment && (
            <div>
              <dt>{t('survey.comment')}</dt>
              <dd>
                <blockquote className="survey-comment">{a.comment}</blockquote>
              </dd>
            </div>
          )}
          {a.changes > 0 && <p className="muted small">{t('survey.changed', { count: a.changes })}</p>}
        </dl>
      ) : (
        <p className="muted small">{t('survey.notAnswered', { time: absoluteTime(s.expiresAt, lng) })}</p>
      )}
    </section>
  );
}
