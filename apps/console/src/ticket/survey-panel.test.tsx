import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import type { TicketSurvey } from '../api/types';
import { fakeApi, renderWithApp } from '../test/render';
import { SurveyPanel } from './survey-panel';

const TICKET = '00000000-0000-4000-8000-0000000000aa';
const base: TicketSurvey = {
  id: 's1',
  ticketId: TICKET,
  channel: 'email',
  status: 'sent',
  sentAt: '2026-11-20T08:00:00.000Z',
  expiresAt: '2026-11-27T08:00:00.000Z',
  answer: null,
  createdAt: '2026-11-20T08:00:00.000Z',
};

describe('SurveyPanel', () => {
  it('shows the answer: CSAT stars, NPS, CES and the comment', async () => {
    const survey: TicketSurvey = {
      ...base,
      status: 'answered',
      answer: {
        csat: 4,
        nps: 9,
        ces: 2,
        comment: '很快，谢谢',
        answeredAt: '2026-11-21T09:00:00.000Z',
        updatedAt: '2026-11-21T09:00:00.000Z',
        changes: 1,
      },
    };
    renderWithApp(<SurveyPanel ticketId={TICKET} />, {
      api: fakeApi({ [`GET /api/v1/tickets/${TICKET}/survey`]: { survey } }),
    });
    const panel = await screen.findByTestId('survey-panel');
    expect(screen.getByTestId('survey-status').textContent).toMatch(/^Answered /);
    const stars = screen.getByTestId('survey-stars');
    expect(stars.getAttribute('aria-label')).toBe('4 of 5 stars');
    expect(stars.textContent).toBe('★★★★☆');
    expect(screen.getByTestId('survey-nps').textContent).toBe('9 / 10');
    expect(screen.getByTestId('survey-ces').textContent).toContain('2 / 7');
    expect(panel.textContent).toContain('很快，谢谢');
    expect(panel.textContent).toContain('changed the answer once');
  });

  it('shows a sent survey that is not answered yet, in Chinese', async () => {
    renderWithApp(<SurveyPanel ticketId={TICKET} />, {
      api: fakeApi({ [`GET /api/v1/tickets/${TICKET}/survey`]: { survey: base } }),
      lang: 'zh-CN',
    });
    expect((await screen.findByTestId('survey-status')).textContent).toMatch(/^已于 .* 发送，尚未回答。$/);
    expect(screen.queryByTestId('survey-stars')).toBeNull();
  });

  it('shows nothing when the ticket has no survey (null or a 404)', async () => {
    const none = fakeApi({ [`GET /api/v1/tickets/${TICKET}/survey`]: { survey: null } });
    const { container } = renderWithApp(<SurveyPanel ticketId={TICKET} />, { api: none });
    await waitFor(() => expect(none.calls.length).toBe(1));
    expect(container.innerHTML).toBe('');

    const missing = fakeApi({
      [`GET /api/v1/tickets/${TICKET}/survey`]: () => Promise.reject(new ApiError(404, 'NOT_FOUND', 'Not found')),
    });
    const second = renderWithApp(<SurveyPanel ticketId={TICKET} />, { api: missing });
    await waitFor(() => expect(missing.calls.length).toBe(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(second.container.innerHTML).toBe('');
  });
});
